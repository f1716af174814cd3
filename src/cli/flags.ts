import {Errors, Flags} from '@oclif/core'

export const yesFlag = Flags.boolean({char: 'y', description: 'Do not ask for confirmation'})

/** --enable / --disable as one optional boolean. */
export function enabledFrom(flags: {enable?: boolean; disable?: boolean}): boolean | undefined {
  if (flags.enable) return true
  if (flags.disable) return false
  return undefined
}

export function numberFlag(description: string) {
  return Flags.custom<number>({
    description,
    parse: async (input) => {
      const value = Number(input)
      if (input.trim() === '' || !Number.isFinite(value)) throw new Errors.CLIError(`expected a number, got "${input}"`, {exit: 2})
      return value
    },
  })()
}

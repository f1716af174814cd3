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

/** A whole number of things (a limit, an offset): not negative, not a fraction; anything else is a usage error (exit 2). */
export function countFlag(description: string, options: {min?: number} = {}) {
  const min = options.min ?? 0
  return Flags.custom<number>({
    description,
    parse: async (input) => {
      const value = Number(input)
      if (input.trim() === '' || !Number.isInteger(value) || value < min) throw new Errors.CLIError(`expected a whole number >= ${min}, got "${input}"`, {exit: 2})
      return value
    },
  })()
}

import {Errors, Flags} from '@oclif/core'
import {parseSince} from '../core/since.js'

export const yesFlag = Flags.boolean({char: 'y', description: 'Do not ask for confirmation'})

/** --enable / --disable as one optional boolean. */
export function enabledFrom(flags: {enable?: boolean; disable?: boolean}): boolean | undefined {
  if (flags.enable) return true
  if (flags.disable) return false
  return undefined
}

export interface NumberBounds {
  min?: number
  max?: number
  /** A whole number. */
  integer?: boolean
}

/** What a number flag accepts, for its error message: "a whole number 0-10", "a number >= 0". */
function expected(bounds: NumberBounds): string {
  const kind = bounds.integer ? 'a whole number' : 'a number'
  if (bounds.min !== undefined && bounds.max !== undefined) return `${kind} ${bounds.min}-${bounds.max}`
  if (bounds.min !== undefined) return `${kind} >= ${bounds.min}`
  if (bounds.max !== undefined) return `${kind} <= ${bounds.max}`
  return kind
}

/** A number flag; a value outside `bounds` is a usage error (exit 2) here rather than the daemon's 400 (exit 1). */
export function numberFlag(description: string, bounds: NumberBounds = {}) {
  return Flags.custom<number>({
    description,
    parse: async (input) => {
      const value = Number(input)
      const ok =
        input.trim() !== '' &&
        Number.isFinite(value) &&
        (!bounds.integer || Number.isInteger(value)) &&
        (bounds.min === undefined || value >= bounds.min) &&
        (bounds.max === undefined || value <= bounds.max)
      if (!ok) throw new Errors.CLIError(`expected ${expected(bounds)}, got "${input}"`, {exit: 2})
      return value
    },
  })()
}

/** A whole number of things (a limit, an offset): not negative, not a fraction; anything else is a usage error (exit 2). */
export function countFlag(description: string, options: {min?: number; max?: number} = {}) {
  const min = options.min ?? 0
  return Flags.custom<number>({
    description,
    parse: async (input) => {
      const value = Number(input)
      if (input.trim() === '' || !Number.isInteger(value) || value < min) throw new Errors.CLIError(`expected a whole number >= ${min}, got "${input}"`, {exit: 2})
      // Past what the daemon answers in one page: said here, not silently fewer rows.
      if (options.max !== undefined && value > options.max) throw new Errors.CLIError(`at most ${options.max} per page, got ${value}; page with --offset`, {exit: 2})
      return value
    },
  })()
}

/** A --since value (ISO 8601 time or a duration back such as 7d), checked here (exit 2) and sent as typed for the daemon's clock. */
export function sinceFlag(description: string) {
  return Flags.custom<string>({
    description,
    parse: async (input) => {
      try {
        parseSince(input, Date.now())
      } catch (error) {
        throw new Errors.CLIError((error as Error).message, {exit: 2})
      }
      return input
    },
  })()
}

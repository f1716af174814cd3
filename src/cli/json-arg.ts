import {ClientError} from '../client/errors.js'

/**
 * The seeds' argument form: `tokenhub model add '{"id":"gpt-4o",...}'`. Named flags given too are
 * merged over it (flags win). Malformed JSON is a usage error (exit 2).
 */
export function bodyFrom(jsonArg: string | undefined, fromFlags: Record<string, unknown>): Record<string, unknown> {
  let base: Record<string, unknown> = {}
  if (jsonArg !== undefined) {
    let parsed: unknown
    try {
      // A number JSON cannot carry (1e400 parses as Infinity) would be sent as null and clear the field.
      parsed = JSON.parse(jsonArg, (key, value) => {
        if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`"${key}" is a number too large to represent`)
        return value
      })
    } catch (error) {
      throw new ClientError('USAGE', `the JSON argument is malformed: ${(error as Error).message}`)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ClientError('USAGE', 'the JSON argument must be an object, e.g. \'{"weight": 9}\'')
    base = parsed as Record<string, unknown>
  }
  for (const [key, value] of Object.entries(fromFlags)) if (value !== undefined) base[key] = value
  return base
}

export function requireFields(body: Record<string, unknown>, fields: string[], hint: string): void {
  const missing = fields.filter((f) => body[f] === undefined)
  if (missing.length > 0) throw new ClientError('USAGE', `missing ${missing.join(', ')}: ${hint}`)
}

/** A comma-separated list flag. Empty (an unset `$VAR`) is a usage error: it would mean "nothing". */
export function splitList(value: string | undefined, flag = 'the list'): string[] | undefined {
  if (value === undefined) return undefined
  const items = value.split(',').map((s) => s.trim()).filter(Boolean)
  if (items.length === 0) throw new ClientError('USAGE', `${flag} is empty: give at least one id`)
  return items
}

/** An allow-list flag: ids, or `all` for no restriction (null). */
export function allowList(value: string | undefined, flag: string): string[] | null | undefined {
  if (value?.trim().toLowerCase() === 'all') return null
  return splitList(value, flag)
}

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
      parsed = JSON.parse(jsonArg)
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

export function splitList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean)
}

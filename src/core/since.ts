import {parseDuration} from './duration.js'
import {validation} from './errors.js'

/** A `since` filter: an ISO 8601 time, epoch ms, or a duration back from now ("1h", "7d"). Returns ISO. */
export function parseSince(value: string, now: number): string {
  const trimmed = value.trim()
  if (/^\d{12,}$/.test(trimmed)) return new Date(Number(trimmed)).toISOString()
  if (/^[\d.]+(ms|s|m|h|d|w)/.test(trimmed)) return new Date(now - parseDuration(trimmed)).toISOString()
  const at = Date.parse(trimmed)
  if (!Number.isFinite(at)) throw validation(`since: "${value}" is neither a time (2026-11-23T10:00:00Z) nor a duration (1h, 7d)`)
  return new Date(at).toISOString()
}

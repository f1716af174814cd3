/** Every event type the bus carries (README "Events"); `?type=` and `tokenhub events --type` take these. */
export const EVENT_TYPES = [
  'route_success',
  'route_error',
  'failover',
  'health_change',
  'budget_exceeded',
  'rate_limited',
  'key_created',
  'key_rotated',
  'key_revoked',
  'key_changed',
  'provider_changed',
  'model_changed',
  'config_changed',
  'vault_locked',
  'vault_unlocked',
  'vault_rotated',
  'heartbeat',
] as const

export type EventType = (typeof EVENT_TYPES)[number]

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES)

export function isEventType(value: string): value is EventType {
  return KNOWN.has(value)
}

/** Width of the type column in event lines: the longest type (provider_changed). */
export const EVENT_TYPE_WIDTH = Math.max(...EVENT_TYPES.map((type) => type.length))

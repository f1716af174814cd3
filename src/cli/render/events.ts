import type {StreamEvent} from '../../client/event-stream.js'
import {inert, paint, type Color} from '../style.js'
import {EVENT_TYPE_WIDTH} from '../../events/types.js'

const COLORS: Record<string, Color> = {
  route_success: 'green',
  route_error: 'red',
  failover: 'yellow',
  health_change: 'yellow',
  budget_exceeded: 'red',
  rate_limited: 'yellow',
  vault_locked: 'yellow',
  dropped: 'red',
  closing: 'yellow',
}

const SKIP = new Set(['id', 'type', 'ts'])

function value(v: unknown): string {
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(6)))
  // A list of plain names (an update's `changed` fields) reads as changed=enabled,weight.
  if (Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === 'string' && /^[^\s,"=]+$/.test(item))) return v.join(',')
  if (typeof v === 'object') return JSON.stringify(v)
  const text = String(v)
  // Quoted when it would not read as one value (spaces, quotes, an equals sign): `reason="5 consecutive failures"`.
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text
}

/**
 * One line per event: time (UTC; with the date when it is not today's, as for a replayed backlog
 * or a follower running past midnight), type, then its fields as key=value, values with spaces
 * quoted (control characters escaped).
 */
export function formatEvent(event: StreamEvent, color = false, today = new Date().toISOString().slice(0, 10)): string {
  const time = event.ts ? (event.ts.slice(0, 10) === today ? event.ts.slice(11, 19) : `${event.ts.slice(0, 10)} ${event.ts.slice(11, 19)}`) : '        '
  const fields = Object.entries(event)
    .filter(([k, v]) => !SKIP.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${inert(value(v))}`)
    .join(' ')
  const type = event.type.padEnd(EVENT_TYPE_WIDTH)
  return `${time}  ${color && COLORS[event.type] ? paint(type, COLORS[event.type], true) : type}  ${fields}`.trimEnd()
}

import stringWidth from 'string-width'
import {inert} from '../cli/style.js'
import {EVENT_TYPE_WIDTH} from '../events/types.js'

/** Text formatting shared by the panes. Pure; times are shown in UTC so frames are reproducible. */

export function uptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d}d${String(h).padStart(2, '0')}h`
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`
  // Seconds only in the first minute: a header that changes every second redraws every second.
  return m > 0 ? `${m}m` : `${s}s`
}

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  if (value === 0) return '$0'
  if (Math.abs(value) >= 100) return `$${value.toFixed(0)}`
  if (Math.abs(value) >= 1) return `$${value.toFixed(2)}`
  // Per-request costs can be millionths of a dollar: two significant digits are plenty there.
  return `$${Number(value.toPrecision(Math.abs(value) < 0.001 ? 2 : 3))}`
}

/** A price per 1k tokens: three significant digits, at least two decimals, so a column reads $0.50 next to $1.50 (not $0.5). */
export function price(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  if (value === 0) return '$0'
  if (Math.abs(value) >= 100) return `$${value.toFixed(0)}`
  const text = String(Number(value.toPrecision(3)))
  const decimals = text.includes('.') ? text.split('.')[1].length : 0
  return `$${decimals >= 2 ? text : value.toFixed(2)}`
}

/** A token count as a model size: 512, 8k, 32.8k, 128k, 1M, 1.05M. */
export function tokenSize(value: number): string {
  if (value < 1000) return String(value)
  if (value < 1_000_000) return `${Number((value / 1000).toPrecision(3))}k`
  return `${Number((value / 1_000_000).toPrecision(3))}M`
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '-'
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  return value >= 10_000 ? `${(value / 1000).toFixed(1)}s` : `${Math.round(value)}ms`
}

/** Compact numbers for axes and counters: 0, 0.0012, 3.25, 41.7, 980, 12.3k, 4.1M. */
export function compact(value: number): string {
  const v = Math.abs(value) < 1e-12 ? 0 : value
  const a = Math.abs(v)
  if (a === 0) return '0'
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`
  if (a >= 100) return v.toFixed(0)
  if (a >= 10) return v.toFixed(1)
  if (a >= 1) return v.toFixed(2)
  if (a >= 0.01) return v.toFixed(3)
  return v.toFixed(5)
}

/** Whole counts: 7, 1234, 12.3k, 128k, 4.1M. */
export function count(value: number): string {
  const v = Math.round(value)
  const a = Math.abs(v)
  const short = (n: number, unit: string) => `${n.toFixed(n < 100 ? 1 : 0).replace(/\.0$/, '')}${unit}`
  if (a >= 1e6) return short(v / 1e6, 'M')
  if (a >= 1e4) return short(v / 1e3, 'k')
  return String(v)
}

/** HH:MM:SS (UTC) of an ISO time; blank when missing. */
export function clock(iso: unknown): string {
  return typeof iso === 'string' && iso.length >= 19 ? iso.slice(11, 19) : '--:--:--'
}

/** "12s ago", "5m ago", "3h ago", "2d ago", or "never". */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never'
  const t = Date.parse(iso)
  if (!Number.isFinite(t)) return '-'
  const s = Math.max(0, Math.round((now - t) / 1000))
  // No seconds: a column that changed every second would redraw the screen every second.
  if (s < 60) return '<1m ago'
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86_400)}d ago`
}

/** A value from the wire as one inert line (control characters escaped). */
export function fieldValue(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)))
  if (typeof value === 'string') return inert(value)
  return inert(JSON.stringify(value))
}

const PLAIN_ASCII = /^[\x20-\x7e]*$/

/**
 * Terminal columns `text` takes: a CJK character or most emoji take two, a combining mark none.
 * The same measure Ink lays out with (string-width), so padded columns line up.
 */
export function displayWidth(text: string): number {
  return PLAIN_ASCII.test(text) ? text.length : stringWidth(text)
}

const graphemes = new Intl.Segmenter('en', {granularity: 'grapheme'})

/** Fits text into `width` columns, ending with an ellipsis when cut (never splits a character). */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  if (displayWidth(text) <= width) return text
  if (width === 1) return '…'
  if (PLAIN_ASCII.test(text)) return `${text.slice(0, width - 1)}…`
  let out = ''
  let used = 0
  for (const {segment} of graphemes.segment(text)) {
    const w = stringWidth(segment)
    if (used + w > width - 1) break
    out += segment
    used += w
  }
  return `${out}…`
}

/** Text cut into lines of at most `width` columns (never splitting a character); at most `maxLines`, the last ending with an ellipsis when more was left. */
export function wrapColumns(text: string, width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  if (width <= 0 || text === '') return [text === '' ? '' : fit(text, width)]
  const lines: string[] = []
  if (PLAIN_ASCII.test(text)) {
    for (let at = 0; at < text.length; at += width) lines.push(text.slice(at, at + width))
  } else {
    let line = ''
    let used = 0
    for (const {segment} of graphemes.segment(text)) {
      const w = stringWidth(segment)
      if (used + w > width && line !== '') {
        lines.push(line)
        line = ''
        used = 0
      }
      line += segment
      used += w
    }
    lines.push(line)
  }
  if (lines.length <= maxLines) return lines
  const kept = lines.slice(0, maxLines)
  const last = kept[maxLines - 1]
  kept[maxLines - 1] = displayWidth(last) < width ? `${last}…` : fit(`${last}…`, width)
  return kept
}

/**
 * The footer in `width` columns: whole hints ("Enter detail"), never half of one. Hints (and a
 * prompt's trailing help) are separated by two spaces; the last ones go first, except the
 * "? keys" hint, which says where the rest are. Plain text is cut with an ellipsis.
 */
export function fitFooter(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  const parts = text.split('  ')
  const pinned = parts.length > 1 && parts.at(-1)!.startsWith('? ') ? parts.pop()! : null
  while (parts.length > 1) {
    parts.pop()
    const candidate = (pinned ? [...parts, pinned] : parts).join('  ')
    if (displayWidth(candidate) <= width) return candidate
  }
  return fit(text, width)
}

export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fitted = fit(text, width)
  const room = ' '.repeat(Math.max(0, width - displayWidth(fitted)))
  return align === 'right' ? room + fitted : fitted + room
}

/** `[#####.....]` for a share of a budget; "unlimited" without one. */
export function budgetBar(spent: number, budget: number, width = 10): string {
  if (!(budget > 0)) return 'unlimited'
  const share = Math.max(0, spent / budget)
  const filled = Math.min(width, Math.round(share * width))
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}%`
}

/** Fields shown first on an event line (what an operator scans for), with short labels. */
const EVENT_FIELDS: Array<[string, string, ((value: unknown) => string)?]> = [
  ['model_id', 'model'],
  ['requested_model', 'asked'],
  ['provider_id', 'provider'],
  ['status', 'status'],
  ['error_class', 'error'],
  ['latency_ms', 'latency', (v) => ms(v as number)],
  ['ttft_ms', 'ttft', (v) => ms(v as number)],
  ['cost_usd', 'cost', (v) => usd(v as number)],
  ['input_tokens', 'in'],
  ['output_tokens', 'out'],
  ['target', 'target'],
  ['target_id', 'id'],
  ['from', 'from'],
  ['to', 'to'],
  ['from_model', 'from'],
  ['to_model', 'to'],
  ['reason', 'reason'],
  ['count', 'count'],
  ['mode', 'mode'],
  ['attempts', 'attempts'],
  ['api_key_id', 'key'],
  ['request_id', 'req'],
]
const EVENT_FIELD_ORDER = new Map(EVENT_FIELDS.map(([field], i) => [field, i]))

/** One line per event: time, type, then its fields as label=value, the telling ones first. */
export function eventLine(event: {type: string; ts?: unknown; [field: string]: unknown}): string {
  const fields = Object.keys(event)
    .filter((field) => field !== 'id' && field !== 'ts' && field !== 'type' && event[field] !== null && event[field] !== undefined)
    .sort((a, b) => (EVENT_FIELD_ORDER.get(a) ?? EVENT_FIELDS.length) - (EVENT_FIELD_ORDER.get(b) ?? EVENT_FIELDS.length))
    .map((field) => {
      const known = EVENT_FIELDS[EVENT_FIELD_ORDER.get(field) ?? -1]
      const value = known?.[2] ? known[2](event[field]) : fieldValue(event[field])
      return `${known?.[1] ?? inert(field)}=${value}`
    })
  return `${clock(event.ts)}  ${inert(event.type).padEnd(EVENT_TYPE_WIDTH)}  ${fields.join(' ')}`.trimEnd()
}

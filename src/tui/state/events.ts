import type {StreamEvent} from '../../client/event-stream.js'

/** One received event with a local sequence number (control events like `dropped` have no id). */
export interface EventEntry {
  seq: number
  event: StreamEvent
}

/**
 * The live event pane: a bounded window over the stream. Arrays are never mutated, so pausing
 * just keeps a reference to the array of that moment (`frozen`) while new events keep arriving.
 */
export interface EventsState {
  capacity: number
  items: readonly EventEntry[]
  nextSeq: number
  /** What the pane shows while paused; null when following live. */
  frozen: readonly EventEntry[] | null
  /** Events that arrived since the pause (counted even past the capacity). */
  unseen: number
  /** Case-insensitive substring of the event type or of a model or provider it names; '' shows everything. */
  filter: string
  /** Seq of the selected entry; null follows the newest. */
  selected: number | null
  received: number
}

export const DEFAULT_EVENT_CAPACITY = 2000

export function initialEvents(capacity = DEFAULT_EVENT_CAPACITY): EventsState {
  return {capacity, items: [], nextSeq: 1, frozen: null, unseen: 0, filter: '', selected: null, received: 0}
}

/** Events the pane never lists: `connected` is shown as the connection state instead. */
const HIDDEN = new Set(['connected'])

export function appendEvents(state: EventsState, events: readonly StreamEvent[], now = () => new Date().toISOString()): EventsState {
  const shown = events.filter((event) => !HIDDEN.has(event.type))
  if (shown.length === 0) return state
  // The daemon's notices (`dropped`, `closing`) carry no time: listed at the time they came.
  const added = shown.map((event, i) => ({seq: state.nextSeq + i, event: event.ts === undefined ? {...event, ts: now()} : event}))
  // Only the daemon's events count as received, not its notices about the stream.
  const counted = shown.filter((event) => typeof event.id === 'number').length
  const all = [...state.items, ...added]
  const items = all.length > state.capacity ? all.slice(-state.capacity) : all
  // A held selection that fell out of the buffer goes back to following (and the status line says
  // so) instead of pointing at nothing. While paused the frozen view still holds it.
  const evicted = state.selected !== null && !state.frozen && items.length > 0 && state.selected < items[0].seq
  return {
    ...state,
    items,
    selected: evicted ? null : state.selected,
    nextSeq: state.nextSeq + shown.length,
    unseen: state.frozen ? state.unseen + shown.length : 0,
    received: state.received + counted,
  }
}

export function togglePause(state: EventsState): EventsState {
  return state.frozen ? {...state, frozen: null, unseen: 0} : {...state, frozen: state.items, unseen: 0}
}

export function setFilter(state: EventsState, filter: string): EventsState {
  return {...state, filter: filter.trim(), selected: null}
}

/** Fields that name a model or provider: a failover names two models, a health change its target, an admin change its resource. */
const NAME_FIELDS = ['model_id', 'requested_model', 'from_model', 'to_model', 'provider_id', 'target_id', 'resource_id'] as const

export function matchesFilter(event: StreamEvent, filter: string): boolean {
  if (filter === '') return true
  const needle = filter.toLowerCase()
  if (event.type.toLowerCase().includes(needle)) return true
  return NAME_FIELDS.some((field) => {
    const value = event[field]
    return typeof value === 'string' && value.toLowerCase().includes(needle)
  })
}

/** The entries the pane lists, oldest first: the frozen view while paused, filtered. */
export function visibleEvents(state: EventsState): readonly EventEntry[] {
  const source = state.frozen ?? state.items
  return state.filter === '' ? source : source.filter((entry) => matchesFilter(entry.event, state.filter))
}

/** Moves the selection; from "following" the first step up selects the newest visible entry. */
export function moveSelection(state: EventsState, delta: number): EventsState {
  const visible = visibleEvents(state)
  if (visible.length === 0) return {...state, selected: null}
  const current = state.selected === null ? -1 : visible.findIndex((entry) => entry.seq === state.selected)
  const from = current === -1 ? visible.length : current
  const target = Math.max(0, Math.min(visible.length - 1, from + delta))
  return {...state, selected: visible[target].seq}
}

export function clearSelection(state: EventsState): EventsState {
  return {...state, selected: null}
}

export function selectedEntry(state: EventsState): EventEntry | undefined {
  const visible = visibleEvents(state)
  if (state.selected === null) return visible.at(-1)
  return visible.find((entry) => entry.seq === state.selected)
}

/**
 * The rows that fit in `height`: the newest ones when following, else a window that keeps the
 * selection in view (centred when it can be).
 */
export function eventWindow(state: EventsState, height: number): {rows: readonly EventEntry[]; selectedSeq: number | null} {
  const visible = visibleEvents(state)
  const rows = Math.max(0, height)
  const index = state.selected === null ? -1 : visible.findIndex((entry) => entry.seq === state.selected)
  if (index === -1) return {rows: visible.slice(Math.max(0, visible.length - rows)), selectedSeq: null}
  return {rows: windowAround(visible, index, rows), selectedSeq: state.selected}
}

/** A slice of `rows` items around `index`, centred when possible. */
export function windowAround<T>(items: readonly T[], index: number, rows: number): readonly T[] {
  if (items.length <= rows) return items
  const start = Math.max(0, Math.min(index - Math.floor(rows / 2), items.length - rows))
  return items.slice(start, start + rows)
}

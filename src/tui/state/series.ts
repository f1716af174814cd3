import type {StreamEvent} from '../../client/event-stream.js'
import type {TsdbResultDto} from '../../core/api-types.js'

export const MINUTE_MS = 60_000
/** Latency samples kept per live minute for its p95 (the newest ones once full). */
export const SAMPLES_PER_MINUTE = 512
/** Route events held for a seed still under way. */
export const MAX_PENDING = 5000

/** One minute of traffic: seeded from the TSDB, then added to by live route events. */
export interface MinuteBucket {
  t: number
  requests: number
  errors: number
  cost: number
  /** The TSDB's p95 for this minute and how many requests it covered. */
  seedP95: number | null
  seedCount: number
  /** Live latencies, a ring of at most SAMPLES_PER_MINUTE. */
  latencies: readonly number[]
  liveCount: number
}

export interface SeriesState {
  /** How many minutes the charts span (and the most buckets kept). */
  minutes: number
  /** Sorted by t, oldest first, at most `minutes` of them. */
  buckets: readonly MinuteBucket[]
  /** Events at or before this server time are already in the seed; later ones are added. */
  cutoff: number
  /** False until the TSDB answered (and again while a reseed is under way). */
  seeded: boolean
  /** Route events received while not seeded, replayed on top of the seed (bounded). */
  pending: readonly StreamEvent[]
}

export interface ChartSeries {
  /** Minute starts, oldest first; always `minutes` of them, ending at the current minute. */
  t: number[]
  requestsPerSecond: number[]
  p95Ms: Array<number | null>
  costPerMinute: number[]
}

export const minuteStart = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS

export function initialSeries(minutes = 60): SeriesState {
  return {minutes, buckets: [], cutoff: Number.NEGATIVE_INFINITY, seeded: false, pending: []}
}

const emptyBucket = (t: number): MinuteBucket => ({t, requests: 0, errors: 0, cost: 0, seedP95: null, seedCount: 0, latencies: [], liveCount: 0})

/** Keeps the newest `minutes` buckets (by minute), sorted. */
function bounded(buckets: MinuteBucket[], minutes: number): MinuteBucket[] {
  buckets.sort((a, b) => a.t - b.t)
  if (buckets.length === 0) return buckets
  const oldest = buckets[buckets.length - 1].t - (minutes - 1) * MINUTE_MS
  return buckets.filter((bucket) => bucket.t >= oldest)
}

/**
 * Replaces the buckets with three TSDB results (requests sum, latency p95, cost sum, all with
 * 60 s steps). Live events already counted by the TSDB (up to its `end`) are ignored afterwards.
 */
export function seedSeries(state: SeriesState, seed: {requests: TsdbResultDto; latency: TsdbResultDto; cost: TsdbResultDto; errors?: TsdbResultDto}): SeriesState {
  const byMinute = new Map<number, MinuteBucket>()
  const at = (t: number) => {
    const key = minuteStart(t)
    let bucket = byMinute.get(key)
    if (!bucket) byMinute.set(key, (bucket = emptyBucket(key)))
    return bucket
  }
  for (const point of seed.requests.points ?? []) {
    const bucket = at(point.t)
    bucket.requests = point.value ?? 0
    bucket.seedCount = bucket.requests
  }
  for (const point of seed.latency.points ?? []) at(point.t).seedP95 = point.value
  for (const point of seed.cost.points ?? []) at(point.t).cost = point.value ?? 0
  for (const point of seed.errors?.points ?? []) at(point.t).errors = point.value ?? 0
  const seeded: SeriesState = {...state, buckets: bounded([...byMinute.values()], state.minutes), cutoff: Number.isFinite(seed.requests.end) ? seed.requests.end : Number.NEGATIVE_INFINITY, seeded: true, pending: []}
  return applyRouteEvents(seeded, state.pending)
}

/** A reseed is starting (the daemon restarted, or events were dropped): hold events for it. */
export function unseedSeries(state: SeriesState): SeriesState {
  return {...state, seeded: false, pending: []}
}

/** The TSDB could not be read: go on with live events only. */
export function seedFailed(state: SeriesState): SeriesState {
  return {...state, seeded: true, pending: []}
}

function eventTime(event: StreamEvent): number | null {
  if (typeof event.ts !== 'string') return null
  const t = Date.parse(event.ts)
  return Number.isFinite(t) ? t : null
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0)

const isRouteEvent = (event: StreamEvent) => event.type === 'route_success' || event.type === 'route_error'

/**
 * Adds route_success / route_error events to their minute (by the daemon's timestamp). Before
 * the seed arrives they are also held, to be replayed on top of it.
 */
export function addRouteEvents(state: SeriesState, events: readonly StreamEvent[]): SeriesState {
  const routed = events.filter(isRouteEvent)
  if (routed.length === 0) return state
  const next = applyRouteEvents(state, routed)
  if (state.seeded) return next
  const pending = [...state.pending, ...routed]
  return {...next, pending: pending.length > MAX_PENDING ? pending.slice(-MAX_PENDING) : pending}
}

function applyRouteEvents(state: SeriesState, routed: readonly StreamEvent[]): SeriesState {
  if (routed.length === 0) return state
  const changed = new Map<number, MinuteBucket>()
  const existing = new Map(state.buckets.map((bucket) => [bucket.t, bucket]))
  for (const event of routed) {
    const t = eventTime(event)
    if (t === null || t <= state.cutoff) continue
    const key = minuteStart(t)
    const base = changed.get(key) ?? existing.get(key) ?? emptyBucket(key)
    const latencies = base.latencies.length < SAMPLES_PER_MINUTE ? [...base.latencies, num(event.latency_ms)] : replaceAt(base.latencies, base.liveCount % SAMPLES_PER_MINUTE, num(event.latency_ms))
    changed.set(key, {
      ...base,
      requests: base.requests + 1,
      errors: base.errors + (event.type === 'route_error' ? 1 : 0),
      cost: base.cost + num(event.cost_usd),
      latencies,
      liveCount: base.liveCount + 1,
    })
  }
  if (changed.size === 0) return state
  for (const [key, bucket] of changed) existing.set(key, bucket)
  return {...state, buckets: bounded([...existing.values()], state.minutes)}
}

function replaceAt(values: readonly number[], index: number, value: number): number[] {
  const copy = values.slice()
  copy[index] = value
  return copy
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

/** A minute's p95: the seed's, the live samples', or both weighted by how many each covers. */
export function bucketP95(bucket: MinuteBucket): number | null {
  const live = percentile(bucket.latencies, 95)
  if (live === null) return bucket.seedP95
  if (bucket.seedP95 === null || bucket.seedCount === 0) return live
  return (bucket.seedP95 * bucket.seedCount + live * bucket.liveCount) / (bucket.seedCount + bucket.liveCount)
}

/** The chart points: one per minute for the last `minutes` minutes up to `now` (empty minutes are 0 / null). */
export function chartSeries(state: SeriesState, now: number): ChartSeries {
  const newest = Math.max(minuteStart(now), state.buckets.at(-1)?.t ?? Number.NEGATIVE_INFINITY)
  const byMinute = new Map(state.buckets.map((bucket) => [bucket.t, bucket]))
  const out: ChartSeries = {t: [], requestsPerSecond: [], p95Ms: [], costPerMinute: []}
  for (let i = state.minutes - 1; i >= 0; i--) {
    const t = newest - i * MINUTE_MS
    const bucket = byMinute.get(t)
    out.t.push(t)
    // The current minute is not over: its rate is over the seconds gone so far (at least 10).
    const seconds = t === minuteStart(now) ? Math.min(60, Math.max(10, (now - t) / 1000)) : 60
    out.requestsPerSecond.push(bucket ? bucket.requests / seconds : 0)
    out.p95Ms.push(bucket ? bucketP95(bucket) : null)
    out.costPerMinute.push(bucket ? bucket.cost : 0)
  }
  return out
}

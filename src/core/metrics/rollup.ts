import {validation} from '../errors.js'
import type {RequestLogRecord} from '../request-log.js'
import {Histogram, type HistogramJSON} from './histogram.js'

/**
 * Per-minute rollups: the one in-memory aggregate behind stats windows and the TSDB (DESIGN §5, §8).
 * A request is added once, in O(1), to the minute of its series; every field is additive, so
 * windows and TSDB steps are sums of minutes, and the persisted deltas add up to the same totals
 * at replay.
 *
 * Exactness: costs and latency sums are fractional, and float addition is not associative, so
 * replaying deltas drained at other boundaries than the live sums could drift in the last bits.
 * Costs are therefore summed as whole pico-dollars (a decimal fixed point: the prices and the
 * request log's costs are decimal, so a sum shows the same figure as the log, the key's spend and
 * /metrics; a binary fraction would be off in the 10th digit after a few hundred requests), and
 * times are quantized to a dyadic fixed point (2^-10 ms, ~1 us). Sums are exact while they stay
 * below 2^53 (about 9,000 USD per series-minute and window, 278 years of latency), so every
 * grouping of the same observations gives identical totals.
 */

export const MINUTE_MS = 60_000
export const DEFAULT_RETENTION_MS = 7 * 86_400_000

/** Pico-dollars per dollar. */
const PICO = 1e12
const TIME_QUANTUM = 2 ** 10

/** Labels of a series. `key` is the API key id ('' when none), `mode` the routing mode. */
export interface SeriesLabels {
  model: string
  provider: string
  key: string
  mode: string
}

/** Exact-match filter on labels; an absent label matches every series. */
export type LabelFilter = Partial<SeriesLabels>

/** What one request adds (from a RequestLogRecord). */
export interface Observation extends SeriesLabels {
  /** Epoch ms of the request end. */
  at: number
  /** Status < 400 and no error class. */
  ok: boolean
  errorClass: string | null
  latencyMs: number
  ttftMs: number | null
  tokensIn: number
  tokensOut: number
  costUsd: number
}

/** One minute of one series; every field is additive. */
export interface MinuteAggregate {
  requests: number
  errors: number
  errorsByClass: Record<string, number>
  latency: Histogram
  latencySumMs: number
  ttft: Histogram
  ttftSumMs: number
  ttftCount: number
  tokensIn: number
  tokensOut: number
  /** Whole pico-dollars (see above); `costUsdOf` gives dollars. */
  costPico: number
}

/** The persisted form: a delta for one series and one minute; applying deltas adds them up. */
export interface RollupRecord extends SeriesLabels {
  type: 'rollup'
  /** Epoch ms at the minute's start. */
  minute: number
  requests: number
  errors: number
  errors_by_class: Record<string, number>
  latency: HistogramJSON
  latency_sum_ms: number
  ttft: HistogramJSON
  ttft_sum_ms: number
  ttft_count: number
  tokens_in: number
  tokens_out: number
  cost_usd: number
}

/** Error class recorded for a failed request that carries none (e.g. a bare 4xx). */
export const UNKNOWN_ERROR_CLASS = 'unknown'

export function minuteStart(at: number): number {
  return Math.floor(at / MINUTE_MS) * MINUTE_MS
}

function quantize(value: number, quantum: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value * quantum) / quantum : 0
}

function picoDollars(usd: number): number {
  return Number.isFinite(usd) && usd > 0 ? Math.round(usd * PICO) : 0
}

/** An aggregate's cost in dollars. */
export function costUsdOf(agg: Pick<MinuteAggregate, 'costPico'>): number {
  return agg.costPico / PICO
}

function wholeCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0
}

export function emptyAggregate(): MinuteAggregate {
  return {
    requests: 0,
    errors: 0,
    errorsByClass: {},
    latency: new Histogram(),
    latencySumMs: 0,
    ttft: new Histogram(),
    ttftSumMs: 0,
    ttftCount: 0,
    tokensIn: 0,
    tokensOut: 0,
    costPico: 0,
  }
}

/** Adds one request. `ok` decides whether it is an error; the class of a successful request is ignored. */
export function addObservation(into: MinuteAggregate, o: Observation): void {
  const latency = quantize(o.latencyMs, TIME_QUANTUM)
  into.requests += 1
  if (!o.ok) {
    const errorClass = o.errorClass || UNKNOWN_ERROR_CLASS
    into.errors += 1
    into.errorsByClass[errorClass] = (into.errorsByClass[errorClass] ?? 0) + 1
  }
  into.latency.record(latency)
  into.latencySumMs += latency
  if (o.ttftMs !== null && Number.isFinite(o.ttftMs)) {
    const ttft = quantize(o.ttftMs, TIME_QUANTUM)
    into.ttft.record(ttft)
    into.ttftSumMs += ttft
    into.ttftCount += 1
  }
  into.tokensIn += wholeCount(o.tokensIn)
  into.tokensOut += wholeCount(o.tokensOut)
  into.costPico += picoDollars(o.costUsd)
}

export function mergeAggregate(into: MinuteAggregate, from: MinuteAggregate): MinuteAggregate {
  into.requests += from.requests
  into.errors += from.errors
  for (const [errorClass, n] of Object.entries(from.errorsByClass)) into.errorsByClass[errorClass] = (into.errorsByClass[errorClass] ?? 0) + n
  into.latency.merge(from.latency)
  into.latencySumMs += from.latencySumMs
  into.ttft.merge(from.ttft)
  into.ttftSumMs += from.ttftSumMs
  into.ttftCount += from.ttftCount
  into.tokensIn += from.tokensIn
  into.tokensOut += from.tokensOut
  into.costPico += from.costPico
  return into
}

export function toRollupRecord(labels: SeriesLabels, minute: number, agg: MinuteAggregate): RollupRecord {
  return {
    type: 'rollup',
    minute,
    model: labels.model,
    provider: labels.provider,
    key: labels.key,
    mode: labels.mode,
    requests: agg.requests,
    errors: agg.errors,
    errors_by_class: {...agg.errorsByClass},
    latency: agg.latency.toJSON(),
    latency_sum_ms: agg.latencySumMs,
    ttft: agg.ttft.toJSON(),
    ttft_sum_ms: agg.ttftSumMs,
    ttft_count: agg.ttftCount,
    tokens_in: agg.tokensIn,
    tokens_out: agg.tokensOut,
    cost_usd: costUsdOf(agg),
  }
}

function requireCount(record: Record<string, unknown>, field: string): number {
  const value = record[field]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw validation(`rollup record: "${field}" must be a non-negative integer`)
  return value
}

function requireAmount(record: Record<string, unknown>, field: string): number {
  const value = record[field]
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw validation(`rollup record: "${field}" must be a non-negative number`)
  return value
}

function requireLabel(record: Record<string, unknown>, field: string): string {
  const value = record[field]
  if (typeof value !== 'string') throw validation(`rollup record: "${field}" must be a string`)
  return value
}

/** Parses and checks a persisted record (it comes back from the journal as untyped JSON). */
export function fromRollupRecord(raw: unknown): {labels: SeriesLabels; minute: number; agg: MinuteAggregate} {
  if (typeof raw !== 'object' || raw === null || (raw as {type?: unknown}).type !== 'rollup') throw validation('rollup record: expected an object with type "rollup"')
  const record = raw as Record<string, unknown>
  const minute = record.minute
  if (typeof minute !== 'number' || !Number.isSafeInteger(minute) || minute % MINUTE_MS !== 0) throw validation('rollup record: "minute" must be epoch ms at a minute start')
  const labels: SeriesLabels = {model: requireLabel(record, 'model'), provider: requireLabel(record, 'provider'), key: requireLabel(record, 'key'), mode: requireLabel(record, 'mode')}
  const byClass = record.errors_by_class
  if (typeof byClass !== 'object' || byClass === null) throw validation('rollup record: "errors_by_class" must be an object')
  const errorsByClass: Record<string, number> = {}
  for (const [errorClass, n] of Object.entries(byClass)) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw validation(`rollup record: errors_by_class["${errorClass}"] must be a non-negative integer`)
    if (n > 0) errorsByClass[errorClass] = n
  }
  const agg: MinuteAggregate = {
    requests: requireCount(record, 'requests'),
    errors: requireCount(record, 'errors'),
    errorsByClass,
    latency: Histogram.fromJSON(record.latency),
    latencySumMs: quantize(requireAmount(record, 'latency_sum_ms'), TIME_QUANTUM),
    ttft: Histogram.fromJSON(record.ttft),
    ttftSumMs: quantize(requireAmount(record, 'ttft_sum_ms'), TIME_QUANTUM),
    ttftCount: requireCount(record, 'ttft_count'),
    tokensIn: requireCount(record, 'tokens_in'),
    tokensOut: requireCount(record, 'tokens_out'),
    costPico: picoDollars(requireAmount(record, 'cost_usd')),
  }
  return {labels, minute, agg}
}

/** What a request log record contributes. Requests that never reached a model count under model and provider ''. */
export function observationFromLog(record: RequestLogRecord): Observation {
  return {
    model: record.model_id ?? '',
    provider: record.provider_id ?? '',
    key: record.api_key_id ?? '',
    mode: record.mode,
    at: Date.parse(record.timestamp),
    ok: record.status_code < 400 && !record.error_class,
    errorClass: record.error_class,
    latencyMs: record.latency_ms,
    ttftMs: record.ttft_ms,
    tokensIn: record.input_tokens,
    tokensOut: record.output_tokens,
    costUsd: record.cost_usd,
  }
}

export function matchesFilter(labels: SeriesLabels, filter: LabelFilter): boolean {
  return (
    (filter.model === undefined || filter.model === labels.model) &&
    (filter.provider === undefined || filter.provider === labels.provider) &&
    (filter.key === undefined || filter.key === labels.key) &&
    (filter.mode === undefined || filter.mode === labels.mode)
  )
}

interface Series {
  readonly labels: SeriesLabels
  readonly minutes: Map<number, MinuteAggregate>
  /** Minute starts in ascending order (the Map's keys), for range scans and pruning by binary search. */
  readonly order: number[]
  /**
   * Each hour's minutes summed (hour start -> aggregate), so a 24-hour window merges ~24 hours and
   * the minutes at its two edges instead of 1,440 minutes per series. Always exactly the sum of
   * the minutes held in that hour (prune() rebuilds the hour it cuts through).
   */
  readonly hours: Map<number, MinuteAggregate>
}

const HOUR_MS = 60 * MINUTE_MS

const hourStart = (at: number): number => Math.floor(at / HOUR_MS) * HOUR_MS

interface PendingDelta {
  readonly labels: SeriesLabels
  readonly minute: number
  readonly agg: MinuteAggregate
}

function seriesId(labels: SeriesLabels): string {
  return JSON.stringify([labels.model, labels.provider, labels.key, labels.mode])
}

/** Index of the first element >= value in an ascending array. */
function lowerBound(sorted: number[], value: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid] < value) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * The series (one per label set) and their minutes. Memory is bounded: only minutes with traffic
 * exist, prune() drops minutes past retention, and a series with no minutes left is removed. The
 * pending deltas (what drainDeltas() hands to the journal) are pruned the same way, so they stay
 * bounded even if nobody drains them.
 */
export class RollupStore {
  private readonly series = new Map<string, Series>()
  private readonly pending = new Map<string, PendingDelta>()
  private retention: number
  private minuteTotal = 0

  constructor(options: {retentionMs?: number} = {}) {
    this.retention = DEFAULT_RETENTION_MS
    if (options.retentionMs !== undefined) this.retentionMs = options.retentionMs
  }

  get retentionMs(): number {
    return this.retention
  }

  set retentionMs(value: number) {
    if (!Number.isFinite(value) || value <= 0) throw validation(`metrics retention must be a positive number of ms, got ${value}`)
    this.retention = value
  }

  /** Number of series (label sets) with at least one minute. */
  get seriesCount(): number {
    return this.series.size
  }

  /** Number of (series, minute) aggregates held. */
  get minuteCount(): number {
    return this.minuteTotal
  }

  /** Number of deltas waiting for drainDeltas(). */
  get pendingCount(): number {
    return this.pending.size
  }

  observe(o: Observation): void {
    if (!Number.isFinite(o.at)) throw validation(`metrics observation: "at" must be epoch ms, got ${o.at}`)
    const minute = minuteStart(o.at)
    const series = seriesId(o)
    const held = this.seriesOf(o, series)
    addObservation(this.minuteOf(held, minute), o)
    addObservation(this.hourOf(held, minute), o)
    const id = `${series}@${minute}`
    let delta = this.pending.get(id)
    if (!delta) {
      delta = {labels: labelsOf(o), minute, agg: emptyAggregate()}
      this.pending.set(id, delta)
    }
    addObservation(delta.agg, o)
  }

  /** Deltas accumulated since the last call (for the journal), then forgets them; the in-memory totals are kept. */
  drainDeltas(): RollupRecord[] {
    const records = [...this.pending.values()].map((delta) => toRollupRecord(delta.labels, delta.minute, delta.agg))
    this.pending.clear()
    return records
  }

  /** Adds a persisted delta back (at start-up replay); the same math as observe, so replaying all deltas rebuilds the totals exactly. */
  apply(record: RollupRecord): void {
    const {labels, minute, agg} = fromRollupRecord(record)
    if (agg.requests === 0) return
    const held = this.seriesOf(labels)
    mergeAggregate(this.minuteOf(held, minute), agg)
    mergeAggregate(this.hourOf(held, minute), agg)
  }

  /** Drops minutes that ended before now - retention (and their pending deltas); returns how many minutes were dropped. */
  prune(now: number): number {
    const cutoff = minuteStart(now - this.retention)
    let dropped = 0
    for (const [id, series] of this.series) {
      const keep = lowerBound(series.order, cutoff)
      if (keep === 0) continue
      for (const minute of series.order.splice(0, keep)) series.minutes.delete(minute)
      dropped += keep
      if (series.order.length === 0) {
        this.series.delete(id)
        continue
      }
      for (const hour of series.hours.keys()) if (hour + HOUR_MS <= cutoff) series.hours.delete(hour)
      // The hour the cutoff falls in keeps only its remaining minutes.
      const cut = hourStart(cutoff)
      if (cut < cutoff && series.hours.has(cut)) {
        const rebuilt = mergeMinutes(emptyAggregate(), series, cutoff, cut + HOUR_MS)
        if (rebuilt.requests > 0) series.hours.set(cut, rebuilt)
        else series.hours.delete(cut)
      }
    }
    for (const [id, delta] of this.pending) if (delta.minute < cutoff) this.pending.delete(id)
    this.minuteTotal -= dropped
    return dropped
  }

  /**
   * Calls fn for every minute in [start, end) of every series matching the filter, in ascending
   * minute order within a series. The aggregate passed is the store's own: read it, do not keep or
   * change it. Cost: O(series x (log minutes + minutes in range)).
   */
  forEachMinute(filter: LabelFilter, start: number, end: number, fn: (labels: SeriesLabels, minute: number, agg: MinuteAggregate) => void): void {
    for (const series of this.series.values()) {
      if (!matchesFilter(series.labels, filter)) continue
      const {order, minutes} = series
      for (let i = lowerBound(order, start); i < order.length && order[i] < end; i++) {
        const minute = order[i]
        fn(series.labels, minute, minutes.get(minute) as MinuteAggregate)
      }
    }
  }

  /** Whether any series (of any time still kept) matches the filter. */
  hasSeries(filter: LabelFilter): boolean {
    for (const series of this.series.values()) if (matchesFilter(series.labels, filter)) return true
    return false
  }

  /** Aggregate of every series matching the filter, per minute, over [start, end): fresh objects, ascending minutes. */
  aggregateByMinute(filter: LabelFilter, start: number, end: number): Map<number, MinuteAggregate> {
    const merged = new Map<number, MinuteAggregate>()
    this.forEachMinute(filter, start, end, (_labels, minute, agg) => {
      let into = merged.get(minute)
      if (!into) merged.set(minute, (into = emptyAggregate()))
      mergeAggregate(into, agg)
    })
    return new Map([...merged.entries()].sort((a, b) => a[0] - b[0]))
  }

  /**
   * One aggregate per matching series with traffic in [start, end). Whole hours inside the range
   * come from the hour sums, the edges from minutes: O(series x (hours + 120)) however many
   * minutes the range spans. Sums are exact (see the quantization above), so the grouping does not
   * change a bit of the result.
   */
  aggregateBySeries(filter: LabelFilter, start: number, end: number): Array<{labels: SeriesLabels; agg: MinuteAggregate}> {
    const out: Array<{labels: SeriesLabels; agg: MinuteAggregate}> = []
    const firstHour = Math.ceil(start / HOUR_MS) * HOUR_MS
    const lastHour = hourStart(end)
    const useHours = firstHour < lastHour
    for (const series of this.series.values()) {
      if (!matchesFilter(series.labels, filter)) continue
      const agg = emptyAggregate()
      if (useHours) {
        mergeMinutes(agg, series, start, firstHour)
        for (let hour = firstHour; hour < lastHour; hour += HOUR_MS) {
          const sum = series.hours.get(hour)
          if (sum) mergeAggregate(agg, sum)
        }
        mergeMinutes(agg, series, lastHour, end)
      } else {
        mergeMinutes(agg, series, start, end)
      }
      // Every minute held has at least one request, so an empty sum means no traffic in range.
      if (agg.requests > 0) out.push({labels: {...series.labels}, agg})
    }
    return out
  }

  /** Aggregate of every series matching the filter over [start, end). */
  aggregate(filter: LabelFilter, start: number, end: number): MinuteAggregate {
    const total = emptyAggregate()
    this.forEachMinute(filter, start, end, (_labels, _minute, agg) => mergeAggregate(total, agg))
    return total
  }

  /** The label sets held, with how many minutes each has and the first and last of them. */
  listSeries(): Array<{labels: SeriesLabels; minutes: number; first: number; last: number}> {
    return [...this.series.values()].map((series) => ({
      labels: {...series.labels},
      minutes: series.order.length,
      first: series.order[0],
      last: series.order[series.order.length - 1],
    }))
  }

  private seriesOf(labels: SeriesLabels, id = seriesId(labels)): Series {
    let series = this.series.get(id)
    if (!series) {
      series = {labels: labelsOf(labels), minutes: new Map(), order: [], hours: new Map()}
      this.series.set(id, series)
    }
    return series
  }

  private hourOf(series: Series, minute: number): MinuteAggregate {
    const hour = hourStart(minute)
    let agg = series.hours.get(hour)
    if (!agg) series.hours.set(hour, (agg = emptyAggregate()))
    return agg
  }

  private minuteOf(series: Series, minute: number): MinuteAggregate {
    let agg = series.minutes.get(minute)
    if (!agg) {
      agg = emptyAggregate()
      series.minutes.set(minute, agg)
      const {order} = series
      // Requests end in time order, so this is an append; a late or replayed minute is inserted in place.
      if (order.length === 0 || order[order.length - 1] < minute) order.push(minute)
      else order.splice(lowerBound(order, minute), 0, minute)
      this.minuteTotal += 1
    }
    return agg
  }
}

/** Adds the series' minutes in [from, to) into `into`. */
function mergeMinutes(into: MinuteAggregate, series: Series, from: number, to: number): MinuteAggregate {
  const {order, minutes} = series
  for (let i = lowerBound(order, from); i < order.length && order[i] < to; i++) mergeAggregate(into, minutes.get(order[i]) as MinuteAggregate)
  return into
}

function labelsOf(labels: SeriesLabels): SeriesLabels {
  return {model: labels.model, provider: labels.provider, key: labels.key, mode: labels.mode}
}

import {validation} from '../errors.js'
import {costUsdOf, emptyAggregate, mergeAggregate, minuteStart, MINUTE_MS, type MinuteAggregate, type RollupStore, type SeriesLabels} from './rollup.js'

/**
 * Stats windows (`GET /admin/v1/stats`) read from the per-minute rollups, never from request
 * records: O(series x minutes in the window).
 *
 * Minute granularity: a window of W ms holds the current (partial) minute and the minutes that
 * started within (now - W, now], i.e. exactly W / 60 s minutes. It therefore covers between W - 60 s
 * and W of traffic (the "1m" window is the current minute so far). `since` is the start of the
 * oldest minute included.
 */
export const WINDOWS = {'1m': 60_000, '5m': 300_000, '1h': 3_600_000, '24h': 86_400_000} as const

export type WindowName = keyof typeof WINDOWS

export interface StatsRow {
  requests: number
  errors: number
  /** errors / requests, 0 without requests. */
  error_rate: number
  /** Latency percentiles over all requests (failed ones included), within the histogram's 5.8%. */
  p50_ms: number | null
  p95_ms: number | null
  p99_ms: number | null
  /** Median time to first token over the requests that have one (streams). */
  ttft_p50_ms: number | null
  tokens_in: number
  tokens_out: number
  cost_usd: number
  errors_by_class: Record<string, number>
}

export interface StatsResult {
  window: string
  since: string
  total: StatsRow
  by_model: Record<string, StatsRow>
  by_provider: Record<string, StatsRow>
  by_key: Record<string, StatsRow>
  by_mode: Record<string, StatsRow>
}

export function isWindowName(value: string): value is WindowName {
  return Object.prototype.hasOwnProperty.call(WINDOWS, value)
}

/** [start, end) of the minutes a window covers at `now`. */
/**
 * Minute granularity: the window reaches back to the start of the minute that contains
 * now - W, so it covers between W and W + 60 s (a "1m" window is never just a few seconds).
 */
export function windowRange(now: number, window: WindowName): {start: number; end: number} {
  return {start: minuteStart(now - WINDOWS[window]), end: minuteStart(now) + MINUTE_MS}
}

/** Display rounding: 0.1 ms for times, 1e-9 USD for costs (the rollups hold ~1e-9 USD precision). */
export const roundMs = (ms: number | null): number | null => (ms === null ? null : Math.round(ms * 10) / 10)
export const roundUsd = (usd: number): number => Math.round(usd * 1e9) / 1e9

export function statsRow(agg: MinuteAggregate): StatsRow {
  const errorsByClass: Record<string, number> = {}
  for (const errorClass of Object.keys(agg.errorsByClass).sort()) errorsByClass[errorClass] = agg.errorsByClass[errorClass]
  return {
    requests: agg.requests,
    errors: agg.errors,
    error_rate: agg.requests === 0 ? 0 : agg.errors / agg.requests,
    p50_ms: roundMs(agg.latency.quantile(0.5)),
    p95_ms: roundMs(agg.latency.quantile(0.95)),
    p99_ms: roundMs(agg.latency.quantile(0.99)),
    ttft_p50_ms: roundMs(agg.ttft.quantile(0.5)),
    tokens_in: agg.tokensIn,
    tokens_out: agg.tokensOut,
    cost_usd: roundUsd(costUsdOf(agg)),
    errors_by_class: errorsByClass,
  }
}

const DIMENSIONS = ['model', 'provider', 'key', 'mode'] as const satisfies ReadonlyArray<keyof SeriesLabels>

function rows(groups: Map<string, MinuteAggregate>): Record<string, StatsRow> {
  const out: Record<string, StatsRow> = {}
  for (const name of [...groups.keys()].sort()) out[name] = statsRow(groups.get(name) as MinuteAggregate)
  return out
}

export function computeStats(store: RollupStore, now: number, window: WindowName): StatsResult {
  if (!isWindowName(window)) throw validation(`window must be one of ${Object.keys(WINDOWS).join(', ')}, got "${String(window)}"`, {parameter: 'window'})
  if (!Number.isFinite(now)) throw validation(`now must be epoch ms, got ${now}`)
  const {start, end} = windowRange(now, window)
  const total = emptyAggregate()
  const groups = {
    model: new Map<string, MinuteAggregate>(),
    provider: new Map<string, MinuteAggregate>(),
    key: new Map<string, MinuteAggregate>(),
    mode: new Map<string, MinuteAggregate>(),
  }
  // One merge per minute into its series, then one per series into each dimension.
  for (const {labels, agg} of store.aggregateBySeries({}, start, end)) {
    mergeAggregate(total, agg)
    for (const dimension of DIMENSIONS) {
      const group = groups[dimension]
      let into = group.get(labels[dimension])
      if (!into) group.set(labels[dimension], (into = emptyAggregate()))
      mergeAggregate(into, agg)
    }
  }
  return {
    window,
    since: new Date(start).toISOString(),
    total: statsRow(total),
    by_model: rows(groups.model),
    by_provider: rows(groups.provider),
    by_key: rows(groups.key),
    by_mode: rows(groups.mode),
  }
}

import {parseDuration} from '../duration.js'
import {TokenHubError} from '../errors.js'
import {costUsdOf, emptyAggregate, mergeAggregate, minuteStart, MINUTE_MS, type LabelFilter, type MinuteAggregate, type RollupStore, type SeriesLabels} from './rollup.js'
import {roundMs, roundUsd} from './stats.js'

/**
 * Time-series queries (`GET /admin/v1/tsdb/query`) over the per-minute rollups.
 *
 * Steps start at `start` floored to the minute and are `step_ms` long; a minute belongs to the step
 * it starts in, and only minutes starting before `end` count (the last step may be partial). Every
 * step appears in `points`.
 *
 * Values per aggregation:
 *   - sum: the step's total (requests, errors, tokens, cost in USD, latency/ttft in ms). Cost is
 *     summed per step, never averaged (TokenHub (Go) averaged it: DESIGN §10).
 *   - avg: per request (errors: the error ratio; tokens and cost: per request; latency: mean over
 *     requests; ttft: mean over the requests that have one). Not offered for requests (always 1).
 *   - p95: latency and ttft only, from the merged histograms (within 5.8%).
 *   - count: the number of requests in the step, whatever the metric.
 * Empty steps: sum and count give 0 (nothing happened), avg and p95 give null (nothing to
 * average). With the default aggregations that is: requests, errors, tokens, cost -> 0; latency,
 * ttft -> null.
 */

export const METRICS = ['requests', 'errors', 'latency', 'ttft', 'tokens_in', 'tokens_out', 'cost'] as const
export type MetricName = (typeof METRICS)[number]
export type Aggregation = 'sum' | 'avg' | 'p95' | 'count'
export const AGGREGATIONS: readonly Aggregation[] = ['sum', 'avg', 'p95', 'count']

export const MAX_POINTS = 10_000

interface MetricSpec {
  unit: string
  defaultAgg: Aggregation
  aggs: readonly Aggregation[]
}

const METRIC_SPECS: Record<MetricName, MetricSpec> = {
  requests: {unit: 'requests', defaultAgg: 'sum', aggs: ['sum', 'count']},
  errors: {unit: 'requests', defaultAgg: 'sum', aggs: ['sum', 'avg', 'count']},
  latency: {unit: 'ms', defaultAgg: 'avg', aggs: ['sum', 'avg', 'p95', 'count']},
  ttft: {unit: 'ms', defaultAgg: 'avg', aggs: ['sum', 'avg', 'p95', 'count']},
  tokens_in: {unit: 'tokens', defaultAgg: 'sum', aggs: ['sum', 'avg', 'count']},
  tokens_out: {unit: 'tokens', defaultAgg: 'sum', aggs: ['sum', 'avg', 'count']},
  cost: {unit: 'usd', defaultAgg: 'sum', aggs: ['sum', 'avg', 'count']},
}

export interface TsdbQuery {
  metric: MetricName
  start: number
  end: number
  stepMs: number
  agg?: Aggregation
  model?: string
  provider?: string
  key?: string
  mode?: string
}

export interface TsdbPoint {
  /** Step start, epoch ms. */
  t: number
  /** null = no data in that step (avg and p95 only). */
  value: number | null
}

export interface TsdbResult {
  metric: MetricName
  agg: Aggregation
  step_ms: number
  start: number
  end: number
  labels: Partial<SeriesLabels>
  points: TsdbPoint[]
}

function invalid(parameter: string, message: string): TokenHubError {
  return new TokenHubError('VALIDATION', message, {details: {parameter}})
}

export function isMetricName(value: string): value is MetricName {
  return (METRICS as readonly string[]).includes(value)
}

function isAggregation(value: string): value is Aggregation {
  return (AGGREGATIONS as readonly string[]).includes(value)
}

/**
 * Checks a typed query and puts it in canonical form: start floored to the minute, step rounded up
 * to a whole number of minutes (at least one: the store has minute resolution, a finer step would
 * only produce empty steps), agg resolved to the metric's default.
 */
export function normalizeTsdbQuery(query: TsdbQuery): TsdbQuery & {agg: Aggregation} {
  const {metric} = query
  if (!isMetricName(metric)) throw invalid('metric', `metric must be one of ${METRICS.join(', ')}, got "${String(metric)}"`)
  const spec = METRIC_SPECS[metric]
  const agg = query.agg ?? spec.defaultAgg
  if (!isAggregation(agg)) throw invalid('agg', `agg must be one of ${AGGREGATIONS.join(', ')}, got "${String(agg)}"`)
  if (!spec.aggs.includes(agg)) throw invalid('agg', `agg "${agg}" is not available for metric "${metric}" (use ${spec.aggs.join(', ')})`)
  if (!Number.isSafeInteger(query.start)) throw invalid('start', `start must be epoch ms, got ${query.start}`)
  if (!Number.isSafeInteger(query.end)) throw invalid('end', `end must be epoch ms, got ${query.end}`)
  if (query.start >= query.end) throw invalid('start', `start (${new Date(query.start).toISOString()}) must be before end (${new Date(query.end).toISOString()})`)
  if (!Number.isFinite(query.stepMs) || query.stepMs <= 0) throw invalid('step_ms', `step_ms must be a positive number of milliseconds, got ${query.stepMs}`)
  const stepMs = Math.max(MINUTE_MS, Math.ceil(query.stepMs / MINUTE_MS) * MINUTE_MS)
  const start = minuteStart(query.start)
  const points = Math.ceil((query.end - start) / stepMs)
  if (points > MAX_POINTS) {
    throw invalid('step_ms', `the query would return ${points} points (at most ${MAX_POINTS}): use a larger step_ms (at least ${Math.ceil((query.end - start) / MAX_POINTS / MINUTE_MS) * MINUTE_MS}) or a shorter range`)
  }
  return {...query, agg, start, stepMs}
}

function labelFilter(query: TsdbQuery): LabelFilter {
  const filter: LabelFilter = {}
  if (query.model !== undefined) filter.model = query.model
  if (query.provider !== undefined) filter.provider = query.provider
  if (query.key !== undefined) filter.key = query.key
  if (query.mode !== undefined) filter.mode = query.mode
  return filter
}

const perRequest = (amount: number, requests: number): number | null => (requests === 0 ? null : amount / requests)

function sumOf(metric: MetricName, step: MinuteAggregate): number {
  switch (metric) {
    case 'requests':
      return step.requests
    case 'errors':
      return step.errors
    case 'latency':
      return roundMs(step.latencySumMs) as number
    case 'ttft':
      return roundMs(step.ttftSumMs) as number
    case 'tokens_in':
      return step.tokensIn
    case 'tokens_out':
      return step.tokensOut
    case 'cost':
      return roundUsd(costUsdOf(step))
  }
}

function averageOf(metric: MetricName, step: MinuteAggregate): number | null {
  switch (metric) {
    case 'requests':
      return perRequest(step.requests, step.requests)
    case 'errors':
      return perRequest(step.errors, step.requests)
    case 'latency':
      return roundMs(perRequest(step.latencySumMs, step.requests))
    case 'ttft':
      return roundMs(perRequest(step.ttftSumMs, step.ttftCount))
    case 'tokens_in':
      return perRequest(step.tokensIn, step.requests)
    case 'tokens_out':
      return perRequest(step.tokensOut, step.requests)
    case 'cost': {
      const average = perRequest(costUsdOf(step), step.requests)
      return average === null ? null : roundUsd(average)
    }
  }
}

function valueOf(metric: MetricName, agg: Aggregation, step: MinuteAggregate | undefined): number | null {
  if (agg === 'count') return step?.requests ?? 0
  if (agg === 'sum') return step ? sumOf(metric, step) : 0
  if (!step) return null
  if (agg === 'avg') return averageOf(metric, step)
  // p95: normalize() allows it for latency and ttft only.
  return roundMs((metric === 'ttft' ? step.ttft : step.latency).quantile(0.95))
}

export function queryTsdb(store: RollupStore, query: TsdbQuery): TsdbResult {
  const normalized = normalizeTsdbQuery(query)
  const {metric, agg, start, end, stepMs} = normalized
  const labels = labelFilter(normalized)
  const count = Math.ceil((end - start) / stepMs)
  const steps = new Map<number, MinuteAggregate>()
  store.forEachMinute(labels, start, end, (_labels, minute, minuteAgg) => {
    const index = Math.floor((minute - start) / stepMs)
    let into = steps.get(index)
    if (!into) steps.set(index, (into = emptyAggregate()))
    mergeAggregate(into, minuteAgg)
  })
  const points: TsdbPoint[] = []
  for (let index = 0; index < count; index++) points.push({t: start + index * stepMs, value: valueOf(metric, agg, steps.get(index))})
  return {metric, agg, step_ms: stepMs, start, end, labels, points}
}

export function listMetrics(store: RollupStore): Array<{name: MetricName; unit: string; default_agg: Aggregation; series: number}> {
  // Every series carries every metric (a series without streams has an empty ttft histogram).
  const series = store.seriesCount
  return METRICS.map((name) => ({name, unit: METRIC_SPECS[name].unit, default_agg: METRIC_SPECS[name].defaultAgg, series}))
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i

function parseTime(parameter: string, text: string): number {
  if (/^-?\d+$/.test(text)) {
    const ms = Number(text)
    if (Number.isSafeInteger(ms)) return ms
  } else if (ISO_8601.test(text)) {
    const ms = Date.parse(text.toUpperCase())
    if (Number.isFinite(ms)) return ms
  }
  throw invalid(parameter, `${parameter} must be epoch milliseconds or an ISO 8601 time with a zone (2024-05-01T12:00:00Z), got "${text}"`)
}

function parseStep(parameter: string, text: string): number {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text)
  try {
    return parseDuration(text)
  } catch {
    throw invalid(parameter, `${parameter} must be milliseconds (60000) or a duration (5m, 1h), got "${text}"`)
  }
}

/** One parameter under its two accepted names; both given with different values is an error. An empty value counts as absent. */
function pick(raw: Record<string, string | undefined>, name: string, alias: string): {name: string; value: string} | undefined {
  const primary = raw[name]?.trim() || undefined
  const secondary = raw[alias]?.trim() || undefined
  if (primary !== undefined && secondary !== undefined && primary !== secondary) {
    throw invalid(name, `${name}="${primary}" and ${alias}="${secondary}" disagree: give one of them`)
  }
  if (primary !== undefined) return {name, value: primary}
  return secondary === undefined ? undefined : {name: alias, value: secondary}
}

/**
 * Parses the query-string parameters of `GET /admin/v1/tsdb/query`. Accepts TokenHub's spellings
 * too: model / model_id, provider / provider_id, key / api_key_id, step_ms / step. Defaults:
 * end = now, start = end - 1 h, step_ms = 60000, agg = the metric's default. Unknown parameters
 * are ignored. Returns the canonical query (see normalizeTsdbQuery); throws VALIDATION naming the
 * bad parameter.
 */
const QUERY_PARAMETERS = new Set(['metric', 'agg', 'start', 'end', 'step', 'step_ms', 'model', 'model_id', 'provider', 'provider_id', 'key', 'api_key_id', 'mode'])

export function validateTsdbQuery(raw: Record<string, string | undefined>, now: number): TsdbQuery {
  // A misspelt filter (modle=...) would otherwise widen the query silently.
  const unknown = Object.keys(raw).find((name) => !QUERY_PARAMETERS.has(name))
  if (unknown !== undefined) throw invalid(unknown, `unknown query parameter "${unknown}"; use ${[...QUERY_PARAMETERS].join(', ')}`)
  const metric = raw.metric?.trim()
  if (!metric) throw invalid('metric', `metric is required (one of ${METRICS.join(', ')})`)
  if (!isMetricName(metric)) throw invalid('metric', `metric must be one of ${METRICS.join(', ')}, got "${metric}"`)
  const aggText = raw.agg?.trim() || undefined
  if (aggText !== undefined && !isAggregation(aggText)) throw invalid('agg', `agg must be one of ${AGGREGATIONS.join(', ')}, got "${aggText}"`)
  const endText = raw.end?.trim() || undefined
  const startText = raw.start?.trim() || undefined
  const end = endText === undefined ? Math.floor(now) : parseTime('end', endText)
  const start = startText === undefined ? end - 3_600_000 : parseTime('start', startText)
  const step = pick(raw, 'step_ms', 'step')
  const query: TsdbQuery = {metric, start, end, stepMs: step ? parseStep(step.name, step.value) : MINUTE_MS}
  if (aggText !== undefined) query.agg = aggText as Aggregation
  const model = pick(raw, 'model', 'model_id')
  const provider = pick(raw, 'provider', 'provider_id')
  const key = pick(raw, 'key', 'api_key_id')
  const mode = raw.mode?.trim() || undefined
  if (model) query.model = model.value
  if (provider) query.provider = provider.value
  if (key) query.key = key.value
  if (mode) query.mode = mode
  return normalizeTsdbQuery(query)
}

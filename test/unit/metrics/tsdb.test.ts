import {describe, expect, it} from 'vitest'
import {MINUTE_MS, RollupStore, type Observation, type RollupRecord} from '../../../src/core/metrics/rollup.js'
import {listMetrics, MAX_POINTS, METRICS, queryTsdb, validateTsdbQuery, type TsdbQuery} from '../../../src/core/metrics/tsdb.js'

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0) // 2024-05-01T12:00:00Z
const FIVE_MIN = 5 * MINUTE_MS

function obs(partial: Partial<Observation>): Observation {
  return {model: 'gpt-4o', provider: 'openai', key: 'k1', mode: 'normal', at: T0 + 1_000, ok: true, errorClass: null, latencyMs: 100, ttftMs: null, tokensIn: 0, tokensOut: 0, costUsd: 0, ...partial}
}

const OBSERVATIONS: Observation[] = [
  obs({at: T0 - 1, costUsd: 5}), // before the range
  obs({at: T0 + 1_000, costUsd: 0.01, latencyMs: 100, ttftMs: 30, tokensIn: 100, tokensOut: 10}),
  obs({at: T0 + 2_000, costUsd: 0.03, latencyMs: 300, tokensIn: 50, tokensOut: 30}),
  obs({at: T0 + 3 * MINUTE_MS, model: 'claude', provider: 'anthropic', key: '', mode: 'cheap', ok: false, errorClass: 'upstream_error', costUsd: 0.05, latencyMs: 200}),
  obs({at: T0 + 7 * MINUTE_MS + 5_000, key: 'k2', costUsd: 0.02, latencyMs: 50}),
  obs({at: T0 + 11 * MINUTE_MS, costUsd: 7}), // after the range
]

function store(): RollupStore {
  const s = new RollupStore()
  for (const o of OBSERVATIONS) s.observe(o)
  return s
}

const query = (partial: Partial<TsdbQuery>): TsdbQuery => ({metric: 'cost', start: T0, end: T0 + 10 * MINUTE_MS, stepMs: FIVE_MIN, ...partial})
const values = (q: Partial<TsdbQuery>, s = store()): Array<number | null> => queryTsdb(s, query(q)).points.map((p) => p.value)

function expectValidation(fn: () => unknown, parameter: string, message?: RegExp): void {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(caught).toMatchObject({code: 'VALIDATION', details: {parameter}})
  if (message) expect((caught as Error).message).toMatch(message)
}

describe('queryTsdb', () => {
  it('sums cost per step (never averages it); the steps add up to the observed costs', () => {
    const result = queryTsdb(store(), query({}))
    expect(result).toMatchObject({metric: 'cost', agg: 'sum', step_ms: FIVE_MIN, start: T0, end: T0 + 10 * MINUTE_MS, labels: {}})
    expect(result.points).toEqual([
      {t: T0, value: 0.09},
      {t: T0 + FIVE_MIN, value: 0.02},
    ])
    const total = result.points.reduce((sum, p) => sum + (p.value ?? 0), 0)
    expect(total).toBeCloseTo(0.01 + 0.03 + 0.05 + 0.02, 12)
    // Per-minute steps add up to the same total.
    const perMinute = values({stepMs: MINUTE_MS}) as number[]
    expect(perMinute.reduce((a, b) => a + b, 0)).toBeCloseTo(0.11, 12)
  })

  it('lists every step: empty ones are 0 for counts and sums, null for latency and ttft', () => {
    expect(values({metric: 'requests', stepMs: MINUTE_MS})).toEqual([2, 0, 0, 1, 0, 0, 0, 1, 0, 0])
    expect(values({metric: 'errors', stepMs: MINUTE_MS})).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    expect(values({metric: 'tokens_in', stepMs: MINUTE_MS})).toEqual([150, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    expect(values({metric: 'cost', stepMs: MINUTE_MS})).toEqual([0.04, 0, 0, 0.05, 0, 0, 0, 0.02, 0, 0])
    expect(values({metric: 'latency', stepMs: MINUTE_MS})).toEqual([200, null, null, 200, null, null, null, 50, null, null])
    // A step with requests but no TTFT has no TTFT value either.
    expect(values({metric: 'ttft', stepMs: MINUTE_MS})).toEqual([30, null, null, null, null, null, null, null, null, null])
    const points = queryTsdb(new RollupStore(), query({metric: 'latency', agg: 'p95'})).points
    expect(points).toEqual([{t: T0, value: null}, {t: T0 + FIVE_MIN, value: null}])
  })

  it('aligns steps from start floored to the minute and rounds the step up to whole minutes', () => {
    const result = queryTsdb(store(), query({metric: 'requests', start: T0 + 30_000, stepMs: 90_000}))
    expect(result.start).toBe(T0)
    expect(result.step_ms).toBe(120_000)
    expect(result.points.map((p) => p.t)).toEqual([0, 2, 4, 6, 8].map((m) => T0 + m * MINUTE_MS))
    expect(result.points.map((p) => p.value)).toEqual([2, 1, 0, 1, 0])
    expect(queryTsdb(store(), query({stepMs: 1})).step_ms).toBe(MINUTE_MS)
    // Steps are multiples of step_ms from start, not from the epoch.
    expect(queryTsdb(store(), query({start: T0 + MINUTE_MS})).points.map((p) => p.t)).toEqual([T0 + MINUTE_MS, T0 + 6 * MINUTE_MS])
  })

  it('counts only minutes that start before end: the last step may be partial', () => {
    expect(values({metric: 'requests', end: T0 + 6 * MINUTE_MS})).toEqual([3, 0])
    expect(values({metric: 'requests', end: T0 + 7 * MINUTE_MS + 1})).toEqual([3, 1])
  })

  it('filters by model, provider, key and mode', () => {
    expect(queryTsdb(store(), query({model: 'gpt-4o'})).points.map((p) => p.value)).toEqual([0.04, 0.02])
    expect(queryTsdb(store(), query({model: 'gpt-4o'})).labels).toEqual({model: 'gpt-4o'})
    expect(values({provider: 'anthropic'})).toEqual([0.05, 0])
    expect(values({key: 'k2'})).toEqual([0, 0.02])
    expect(values({key: ''})).toEqual([0.05, 0])
    expect(values({mode: 'normal', key: 'k1'})).toEqual([0.04, 0])
    expect(values({model: 'nope'})).toEqual([0, 0])
  })

  it('aggregates with p95, avg and count', () => {
    // Step 1 latencies: 100, 300, 200; the last rank is the exact maximum.
    expect(values({metric: 'latency', agg: 'p95'})).toEqual([300, 50])
    expect(values({metric: 'latency', agg: 'avg'})).toEqual([200, 50])
    expect(values({metric: 'latency', agg: 'sum'})).toEqual([600, 50])
    expect(values({metric: 'ttft', agg: 'p95'})).toEqual([30, null])
    expect(values({metric: 'cost', agg: 'avg'})).toEqual([0.03, 0.02])
    expect(values({metric: 'tokens_out', agg: 'avg'})).toEqual([40 / 3, 0])
    expect(values({metric: 'errors', agg: 'avg'})).toEqual([1 / 3, 0])
    for (const metric of METRICS) expect(values({metric, agg: 'count'})).toEqual([3, 1])
    expect(values({metric: 'cost', agg: 'count', end: T0 + 20 * MINUTE_MS})).toEqual([3, 1, 1, 0])
  })

  it('returns identical results after drainDeltas + apply into a fresh store, with a restart mid-minute', () => {
    const live = new RollupStore()
    const journal: RollupRecord[] = []
    OBSERVATIONS.forEach((o, i) => {
      live.observe(o)
      if (i === 1) journal.push(...live.drainDeltas())
    })
    journal.push(...live.drainDeltas())
    const rebuilt = new RollupStore()
    for (const record of JSON.parse(JSON.stringify(journal)) as RollupRecord[]) rebuilt.apply(record)
    for (const metric of METRICS) {
      for (const agg of ['sum', 'avg', 'p95', 'count'] as const) {
        if (agg === 'p95' && metric !== 'latency' && metric !== 'ttft') continue
        if (agg === 'avg' && metric === 'requests') continue
        const q = query({metric, agg, stepMs: MINUTE_MS, start: T0 - 10 * MINUTE_MS, end: T0 + 20 * MINUTE_MS})
        expect(queryTsdb(rebuilt, q)).toEqual(queryTsdb(live, q))
      }
    }
  })

  it('refuses bad queries with VALIDATION naming the parameter', () => {
    const s = store()
    expectValidation(() => queryTsdb(s, query({metric: 'bogus' as never})), 'metric')
    expectValidation(() => queryTsdb(s, query({agg: 'median' as never})), 'agg')
    expectValidation(() => queryTsdb(s, query({metric: 'cost', agg: 'p95'})), 'agg', /p95.*cost/)
    expectValidation(() => queryTsdb(s, query({metric: 'tokens_in', agg: 'p95'})), 'agg')
    expectValidation(() => queryTsdb(s, query({metric: 'requests', agg: 'avg'})), 'agg')
    expectValidation(() => queryTsdb(s, query({stepMs: 0})), 'step_ms')
    expectValidation(() => queryTsdb(s, query({stepMs: -60_000})), 'step_ms')
    expectValidation(() => queryTsdb(s, query({start: T0 + 1, end: T0})), 'start')
    expectValidation(() => queryTsdb(s, query({start: T0, end: T0})), 'start')
    // 8 days of minutes is 11,520 points.
    expectValidation(() => queryTsdb(s, query({start: T0, end: T0 + 8 * 86_400_000, stepMs: MINUTE_MS})), 'step_ms', /11520 points/)
    expect(queryTsdb(s, query({start: T0, end: T0 + MAX_POINTS * MINUTE_MS, stepMs: MINUTE_MS})).points).toHaveLength(MAX_POINTS)
  })
})

describe('validateTsdbQuery', () => {
  const NOW = T0 + 30_000

  it('applies defaults: end = now, start = end - 1 h (floored to the minute), step 60 s, the metric default agg', () => {
    expect(validateTsdbQuery({metric: 'latency'}, NOW)).toEqual({metric: 'latency', agg: 'avg', start: T0 - 3_600_000, end: NOW, stepMs: MINUTE_MS})
    expect(validateTsdbQuery({metric: 'cost'}, NOW).agg).toBe('sum')
    expect(validateTsdbQuery({metric: 'errors'}, NOW).agg).toBe('sum')
    expect(validateTsdbQuery({metric: 'ttft'}, NOW).agg).toBe('avg')
    expect(queryTsdb(store(), validateTsdbQuery({metric: 'requests'}, NOW)).points).toHaveLength(61)
  })

  it("accepts TokenHub's spellings and ISO 8601 times", () => {
    const tokenhub = validateTsdbQuery(
      {metric: 'cost', model_id: 'gpt-4o', provider_id: 'openai', api_key_id: 'k1', mode: 'normal', step: '300000', start: '2024-05-01T12:00:00Z', end: String(T0 + 10 * MINUTE_MS)},
      NOW,
    )
    const ours = validateTsdbQuery({metric: 'cost', model: 'gpt-4o', provider: 'openai', key: 'k1', mode: 'normal', step_ms: '300000', start: String(T0), end: '2024-05-01T14:10:00+02:00'}, NOW)
    expect(tokenhub).toEqual({metric: 'cost', agg: 'sum', model: 'gpt-4o', provider: 'openai', key: 'k1', mode: 'normal', stepMs: FIVE_MIN, start: T0, end: T0 + 10 * MINUTE_MS})
    expect(ours).toEqual(tokenhub)
    expect(queryTsdb(store(), tokenhub).points.map((p) => p.value)).toEqual([0.04, 0])
    expect(validateTsdbQuery({metric: 'requests', step: '5m'}, NOW).stepMs).toBe(FIVE_MIN)
    expect(validateTsdbQuery({metric: 'requests', step_ms: '90000'}, NOW).stepMs).toBe(120_000)
    expect(validateTsdbQuery({metric: 'requests', model: 'x', model_id: 'x'}, NOW).model).toBe('x')
    expect(validateTsdbQuery({metric: 'requests', model: ''}, NOW).model).toBeUndefined()
    expect(validateTsdbQuery({metric: 'requests', start: '2024-05-01'}, NOW).start).toBe(Date.UTC(2024, 4, 1))
  })

  it('names the bad parameter', () => {
    expectValidation(() => validateTsdbQuery({}, NOW), 'metric', /required/)
    expectValidation(() => validateTsdbQuery({metric: 'latencies'}, NOW), 'metric')
    // A misspelt filter would widen the query silently.
    expectValidation(() => validateTsdbQuery({metric: 'requests', modle_id: 'x'}, NOW), 'modle_id', /unknown query parameter/)
    expectValidation(() => validateTsdbQuery({metric: 'latency', agg: 'p99'}, NOW), 'agg')
    expectValidation(() => validateTsdbQuery({metric: 'cost', agg: 'p95'}, NOW), 'agg')
    expectValidation(() => validateTsdbQuery({metric: 'cost', step_ms: '0'}, NOW), 'step_ms')
    expectValidation(() => validateTsdbQuery({metric: 'cost', step: 'soon'}, NOW), 'step')
    expectValidation(() => validateTsdbQuery({metric: 'cost', start: String(T0 - 30 * 86_400_000)}, NOW), 'step_ms', /points/)
    expectValidation(() => validateTsdbQuery({metric: 'cost', start: String(NOW + MINUTE_MS)}, NOW), 'start')
    expectValidation(() => validateTsdbQuery({metric: 'cost', start: String(T0 + 5 * MINUTE_MS), end: String(T0)}, NOW), 'start', /before end/)
    expectValidation(() => validateTsdbQuery({metric: 'cost', start: 'yesterday'}, NOW), 'start')
    expectValidation(() => validateTsdbQuery({metric: 'cost', end: '2024-05-01T12:00:00'}, NOW), 'end', /zone/) // no zone: ambiguous
    expectValidation(() => validateTsdbQuery({metric: 'cost', model: 'a', model_id: 'b'}, NOW), 'model')
    expectValidation(() => validateTsdbQuery({metric: 'cost', step_ms: '60000', step: '120000'}, NOW), 'step_ms')
  })
})

describe('listMetrics', () => {
  it('describes every metric with its unit, default aggregation and series count', () => {
    const metrics = listMetrics(store())
    expect(metrics.map((m) => m.name)).toEqual([...METRICS])
    expect(metrics.find((m) => m.name === 'cost')).toEqual({name: 'cost', unit: 'usd', default_agg: 'sum', series: 3})
    expect(metrics.find((m) => m.name === 'latency')).toEqual({name: 'latency', unit: 'ms', default_agg: 'avg', series: 3})
    expect(listMetrics(new RollupStore()).every((m) => m.series === 0)).toBe(true)
  })
})

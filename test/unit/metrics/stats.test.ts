import {describe, expect, it} from 'vitest'
import {RELATIVE_ERROR} from '../../../src/core/metrics/histogram.js'
import {MINUTE_MS, RollupStore, type Observation, type RollupRecord} from '../../../src/core/metrics/rollup.js'
import {computeStats, WINDOWS, type WindowName} from '../../../src/core/metrics/stats.js'

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0) // 2024-05-01T12:00:00Z
const NOW = T0 + 30_000

function obs(partial: Partial<Observation>): Observation {
  return {model: 'gpt-4o', provider: 'openai', key: 'k1', mode: 'normal', at: T0 + 1_000, ok: true, errorClass: null, latencyMs: 100, ttftMs: null, tokensIn: 0, tokensOut: 0, costUsd: 0, ...partial}
}

const CLAUDE = {model: 'claude', provider: 'anthropic'}

/** Six requests in the current minute (12:00): three errors of three classes, two with a TTFT. */
const CURRENT_MINUTE: Observation[] = [
  obs({at: T0 + 1_000, latencyMs: 100, ttftMs: 40, tokensIn: 10, tokensOut: 20, costUsd: 0.001}),
  obs({at: T0 + 2_000, latencyMs: 200, tokensIn: 30, tokensOut: 40, costUsd: 0.002}),
  obs({at: T0 + 3_000, key: 'k2', mode: 'cheap', ok: false, errorClass: 'rate_limited', latencyMs: 50, tokensIn: 5}),
  obs({at: T0 + 4_000, ...CLAUDE, key: '', latencyMs: 400, ttftMs: 100, tokensIn: 5, tokensOut: 5, costUsd: 0.01}),
  obs({at: T0 + 5_000, ...CLAUDE, key: '', ok: false, errorClass: 'upstream_timeout', latencyMs: 1000}),
  obs({at: T0 + 6_000, ...CLAUDE, mode: 'fast', ok: false, errorClass: null, latencyMs: 20}),
]

function storeWith(observations: Observation[]): RollupStore {
  const store = new RollupStore()
  for (const o of observations) store.observe(o)
  return store
}

function within(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull()
  // The histogram's relative error plus the 0.1 ms display rounding.
  expect(Math.abs((actual as number) - exact)).toBeLessThanOrEqual(exact * RELATIVE_ERROR + 0.05)
}

describe('computeStats', () => {
  it('totals the window: requests, errors, error rate, classes, tokens, cost, percentiles', () => {
    const stats = computeStats(storeWith(CURRENT_MINUTE), NOW, '1m')
    expect(stats.window).toBe('1m')
    expect(stats.since).toBe('2024-05-01T11:59:00.000Z')
    const {total} = stats
    expect(total.requests).toBe(6)
    expect(total.errors).toBe(3)
    expect(total.error_rate).toBe(0.5)
    expect(total.errors_by_class).toEqual({rate_limited: 1, unknown: 1, upstream_timeout: 1})
    expect(total.tokens_in).toBe(50)
    expect(total.tokens_out).toBe(65)
    expect(total.cost_usd).toBe(0.013)
    within(total.p50_ms, 100) // nearest rank 3 of [20, 50, 100, 200, 400, 1000]
    expect(total.p95_ms).toBe(1000) // the last rank is the exact maximum
    expect(total.p99_ms).toBe(1000)
    // TTFT only from the two requests that have one: rank 1 of [40, 100].
    expect(total.ttft_p50_ms).toBe(40)
  })

  it('splits by model, provider, key and mode', () => {
    const stats = computeStats(storeWith(CURRENT_MINUTE), NOW, '1m')
    expect(Object.keys(stats.by_model)).toEqual(['claude', 'gpt-4o'])
    expect(stats.by_model['gpt-4o']).toMatchObject({requests: 3, errors: 1, error_rate: 1 / 3, tokens_in: 45, tokens_out: 60, cost_usd: 0.003, errors_by_class: {rate_limited: 1}, ttft_p50_ms: 40})
    expect(stats.by_model.claude).toMatchObject({requests: 3, errors: 2, error_rate: 2 / 3, cost_usd: 0.01, errors_by_class: {unknown: 1, upstream_timeout: 1}, ttft_p50_ms: 100, p99_ms: 1000})
    expect(stats.by_provider).toEqual({anthropic: stats.by_model.claude, openai: stats.by_model['gpt-4o']})
    expect(Object.fromEntries(Object.entries(stats.by_key).map(([key, row]) => [key, [row.requests, row.errors]]))).toEqual({'': [2, 1], k1: [3, 1], k2: [1, 1]})
    expect(Object.fromEntries(Object.entries(stats.by_mode).map(([mode, row]) => [mode, [row.requests, row.errors]]))).toEqual({cheap: [1, 1], fast: [1, 1], normal: [4, 1]})
    expect(stats.by_key.k2.ttft_p50_ms).toBeNull()
    expect(stats.by_key.k2.p50_ms).toBe(50)
  })

  it('reports percentiles within the histogram relative error', () => {
    const latencies = Array.from({length: 400}, (_, i) => Math.round(20 + ((i * 7919) % 400) ** 1.5))
    const store = storeWith(latencies.map((latencyMs, i) => obs({at: T0 + (i % 30) * 1_000, latencyMs, ttftMs: i % 4 === 0 ? latencyMs / 2 : null})))
    const sorted = [...latencies].sort((a, b) => a - b)
    const rank = (q: number): number => sorted[Math.ceil(q * sorted.length) - 1]
    const {total} = computeStats(store, NOW, '5m')
    within(total.p50_ms, rank(0.5))
    within(total.p95_ms, rank(0.95))
    within(total.p99_ms, rank(0.99))
    const ttfts = latencies.filter((_, i) => i % 4 === 0).map((l) => l / 2).sort((a, b) => a - b)
    within(total.ttft_p50_ms, ttfts[Math.ceil(0.5 * ttfts.length) - 1])
  })

  it('reaches back to the minute that contains now - W (covering W to W + 60 s)', () => {
    const at = (offsetMs: number, model: string): Observation => obs({at: T0 + offsetMs, model})
    const store = storeWith([
      at(29_000, 'now'),
      at(-1, 'previous-minute'), // 11:59:59.999
      at(-6 * MINUTE_MS, 'six-minutes'), // 11:54, outside 5m (11:55..12:00)
      at(-5 * MINUTE_MS, 'five-minutes'), // 11:55, the oldest minute of 5m (now - 5m = 11:55:30)
      at(-2 * 3_600_000, 'two-hours'),
      at(-WINDOWS['24h'] - 1, 'day-ago'), // 11:59:59.999 yesterday: outside
      at(-WINDOWS['24h'] + MINUTE_MS, 'day-ago-plus-minute'),
      at(MINUTE_MS, 'future-minute'),
    ])
    const models = (window: WindowName): string[] => Object.keys(computeStats(store, NOW, window).by_model)
    expect(models('1m')).toEqual(['now', 'previous-minute'])
    expect(models('5m')).toEqual(['five-minutes', 'now', 'previous-minute'])
    expect(models('1h')).toEqual(['five-minutes', 'now', 'previous-minute', 'six-minutes'])
    expect(models('24h')).toEqual(['day-ago-plus-minute', 'five-minutes', 'now', 'previous-minute', 'six-minutes', 'two-hours'])
    expect(computeStats(store, NOW, '5m').since).toBe('2024-05-01T11:55:00.000Z')
    expect(computeStats(store, NOW, '24h').since).toBe('2024-04-30T12:00:00.000Z')
    // A minute after, the previous minute is the oldest one kept by 1m.
    expect(Object.keys(computeStats(store, T0 + MINUTE_MS + 30_000, '1m').by_model)).toEqual(['future-minute', 'now'])
  })

  it('is empty and well-formed without traffic, and refuses an unknown window', () => {
    const stats = computeStats(new RollupStore(), NOW, '1h')
    expect(stats.total).toEqual({requests: 0, errors: 0, error_rate: 0, p50_ms: null, p95_ms: null, p99_ms: null, ttft_p50_ms: null, tokens_in: 0, tokens_out: 0, cost_usd: 0, errors_by_class: {}})
    expect(stats.by_model).toEqual({})
    expect(() => computeStats(new RollupStore(), NOW, '2h' as WindowName)).toThrow(expect.objectContaining({code: 'VALIDATION'}))
  })

  it('gives identical stats after drainDeltas + apply into a fresh store, also with a restart mid-minute', () => {
    const all = [
      ...CURRENT_MINUTE,
      obs({at: T0 - 3 * MINUTE_MS, costUsd: 0.1, latencyMs: 12.5}),
      obs({at: T0 - 3 * MINUTE_MS + 10, costUsd: 0.2, ttftMs: 3.3}),
      obs({at: T0 - 2 * 3_600_000, ...CLAUDE, costUsd: 1 / 3}),
    ]
    const live = new RollupStore()
    const journal: RollupRecord[] = []
    all.forEach((o, i) => {
      live.observe(o)
      if (i === 2 || i === 6) journal.push(...live.drainDeltas()) // restarts in the middle of minutes
    })
    journal.push(...live.drainDeltas())
    const rebuilt = new RollupStore()
    for (const record of JSON.parse(JSON.stringify(journal)) as RollupRecord[]) rebuilt.apply(record)
    for (const window of Object.keys(WINDOWS) as WindowName[]) expect(computeStats(rebuilt, NOW, window)).toEqual(computeStats(live, NOW, window))
  })
})

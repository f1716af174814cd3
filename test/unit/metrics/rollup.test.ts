import {describe, expect, it} from 'vitest'
import type {RequestLogRecord} from '../../../src/core/request-log.js'
import {roundUsd} from '../../../src/core/cost.js'
import {
  costUsdOf,
  DEFAULT_RETENTION_MS,
  emptyAggregate,
  mergeAggregate,
  MINUTE_MS,
  observationFromLog,
  RollupStore,
  toRollupRecord,
  type Observation,
  type RollupRecord,
} from '../../../src/core/metrics/rollup.js'

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0) // 2024-05-01T12:00:00Z, a minute start

function obs(partial: Partial<Observation> = {}): Observation {
  return {
    model: 'gpt-4o',
    provider: 'openai',
    key: 'k1',
    mode: 'normal',
    at: T0 + 1_000,
    ok: true,
    errorClass: null,
    latencyMs: 100,
    ttftMs: null,
    tokensIn: 10,
    tokensOut: 20,
    costUsd: 0.001,
    ...partial,
  }
}

/** Every (series, minute) of a store as persisted records: a full, comparable picture of its totals. */
function snapshot(store: RollupStore): RollupRecord[] {
  const out: RollupRecord[] = []
  store.forEachMinute({}, -Infinity, Infinity, (labels, minute, agg) => out.push(toRollupRecord(labels, minute, agg)))
  return out.sort((a, b) => a.minute - b.minute || JSON.stringify([a.model, a.provider, a.key, a.mode]).localeCompare(JSON.stringify([b.model, b.provider, b.key, b.mode])))
}

function replay(records: RollupRecord[]): RollupStore {
  const store = new RollupStore()
  for (const record of JSON.parse(JSON.stringify(records)) as RollupRecord[]) store.apply(record)
  return store
}

describe('RollupStore.observe', () => {
  it('adds each request to its series minute; only minutes with traffic exist', () => {
    const store = new RollupStore()
    store.observe(obs({at: T0 + 5_000}))
    store.observe(obs({at: T0 + 59_999, ok: false, errorClass: 'rate_limited', latencyMs: 30, ttftMs: 12}))
    store.observe(obs({at: T0 + 10 * MINUTE_MS, model: 'claude', provider: 'anthropic'}))
    expect(store.seriesCount).toBe(2)
    expect(store.minuteCount).toBe(2)
    const first = store.aggregate({model: 'gpt-4o'}, T0, T0 + MINUTE_MS)
    expect(first.requests).toBe(2)
    expect(first.errors).toBe(1)
    expect(first.errorsByClass).toEqual({rate_limited: 1})
    expect(first.latencySumMs).toBe(130)
    expect(first.latency.count).toBe(2)
    expect(first.ttftCount).toBe(1)
    expect(first.ttftSumMs).toBe(12)
    expect(first.tokensIn).toBe(20)
    expect(first.tokensOut).toBe(40)
    expect(costUsdOf(first)).toBe(0.002)
    expect(store.aggregate({}, T0, T0 + 11 * MINUTE_MS).requests).toBe(3)
    expect(store.aggregate({}, T0 + MINUTE_MS, T0 + 10 * MINUTE_MS).requests).toBe(0)
  })

  it('counts a failure without a class as "unknown" and ignores the class of a success', () => {
    const store = new RollupStore()
    store.observe(obs({ok: false, errorClass: null}))
    store.observe(obs({ok: true, errorClass: 'ignored'}))
    const agg = store.aggregate({}, T0, T0 + MINUTE_MS)
    expect(agg.errors).toBe(1)
    expect(agg.errorsByClass).toEqual({unknown: 1})
  })

  it('keeps minutes in order when a late request arrives', () => {
    const store = new RollupStore()
    for (const offset of [5, 1, 3, 0, 4]) store.observe(obs({at: T0 + offset * MINUTE_MS}))
    const minutes: number[] = []
    store.forEachMinute({}, T0 + MINUTE_MS, T0 + 5 * MINUTE_MS, (_labels, minute) => minutes.push(minute))
    expect(minutes).toEqual([1, 3, 4].map((m) => T0 + m * MINUTE_MS))
    expect([...store.aggregateByMinute({}, T0, T0 + 6 * MINUTE_MS).keys()]).toEqual([0, 1, 3, 4, 5].map((m) => T0 + m * MINUTE_MS))
  })

  it('refuses an observation without a valid time', () => {
    expect(() => new RollupStore().observe(obs({at: Number.NaN}))).toThrow(expect.objectContaining({code: 'VALIDATION'}))
  })

  it('maps a request log record to an observation', () => {
    const record: RequestLogRecord = {
      request_id: 'r1',
      timestamp: '2024-05-01T12:00:01.000Z',
      api_key_id: null,
      api_key_name: null,
      endpoint: '/v1/chat/completions',
      mode: 'cheap',
      requested_model: 'auto',
      alias_from: null,
      model_id: 'gpt-4o-mini',
      provider_id: 'openai',
      stream: true,
      status_code: 429,
      error_class: 'rate_limited',
      error_message: 'slow down',
      attempts: [],
      input_tokens: 12,
      output_tokens: 0,
      total_tokens: 12,
      cost_usd: 0,
      unpriced: false,
      usage_source: 'estimate',
      latency_ms: 87,
      ttft_ms: null,
      usage_flagged: false,
      token_bucket: null,
      reward: null,
    }
    expect(observationFromLog(record)).toEqual({
      model: 'gpt-4o-mini',
      provider: 'openai',
      key: '',
      mode: 'cheap',
      at: T0 + 1_000,
      ok: false,
      errorClass: 'rate_limited',
      latencyMs: 87,
      ttftMs: null,
      tokensIn: 12,
      tokensOut: 0,
      costUsd: 0,
    })
    expect(observationFromLog({...record, status_code: 200, error_class: null}).ok).toBe(true)
  })
})

describe('RollupStore deltas', () => {
  it('drains the deltas since the last drain and keeps the totals', () => {
    const store = new RollupStore()
    store.observe(obs({ttftMs: 40, ok: false, errorClass: 'upstream_timeout', latencyMs: 250}))
    const [record, ...rest] = store.drainDeltas()
    expect(rest).toEqual([])
    expect(record).toEqual({
      type: 'rollup',
      minute: T0,
      model: 'gpt-4o',
      provider: 'openai',
      key: 'k1',
      mode: 'normal',
      requests: 1,
      errors: 1,
      errors_by_class: {upstream_timeout: 1},
      latency: {counts: {'49': 1}, min: 250, max: 250}, // bucket 49 = [1.12^48, 1.12^49) = [230.4, 258.0): pins the persisted scheme
      latency_sum_ms: 250,
      ttft: {counts: {'33': 1}, min: 40, max: 40},
      ttft_sum_ms: 40,
      ttft_count: 1,
      tokens_in: 10,
      tokens_out: 20,
      cost_usd: record.cost_usd,
    })
    expect(record.cost_usd).toBeCloseTo(0.001, 9)
    expect(store.drainDeltas()).toEqual([])
    expect(store.pendingCount).toBe(0)
    expect(store.aggregate({}, T0, T0 + MINUTE_MS).requests).toBe(1)
  })

  it('replaying every delta into a fresh store rebuilds identical totals, even when a minute is split across drains', () => {
    const live = new RollupStore()
    const journal: RollupRecord[] = []
    const costs = [0.1, 0.2, 0.3, 0.000123, 1 / 3, 0.07]
    costs.forEach((costUsd, i) => {
      live.observe(obs({at: T0 + i * 7_000, costUsd, latencyMs: 10.3 * (i + 1), ttftMs: i % 2 ? 3.7 * i : null, model: i % 3 ? 'gpt-4o' : 'o3'}))
      // A restart (drain) after every second request: each minute's deltas are split.
      if (i % 2 === 1) journal.push(...live.drainDeltas())
    })
    live.observe(obs({at: T0 + 2 * MINUTE_MS, costUsd: 0.25}))
    journal.push(...live.drainDeltas())
    expect(journal.filter((r) => r.minute === T0 && r.model === 'gpt-4o').length).toBeGreaterThan(1)

    const rebuilt = replay(journal)
    expect(snapshot(rebuilt)).toEqual(snapshot(live))
    // Bit-identical, not merely close: costs are summed in exact fixed point.
    expect(rebuilt.aggregate({}, T0, T0 + 3 * MINUTE_MS).costPico).toBe(live.aggregate({}, T0, T0 + 3 * MINUTE_MS).costPico)
    // Replayed records are not deltas again.
    expect(rebuilt.drainDeltas()).toEqual([])
  })

  it('sums decimal costs to the figure the request log shows, however many requests', () => {
    const store = new RollupStore()
    // 0.00123 has no exact binary form: a binary fixed point drifted in the 10th digit after a few hundred.
    for (let i = 0; i < 300; i++) store.observe(obs({at: T0 + i * 100, costUsd: 0.00123}))
    expect(roundUsd(costUsdOf(store.aggregate({}, T0, T0 + MINUTE_MS)))).toBe(0.369)
  })

  it('refuses malformed records', () => {
    const store = new RollupStore()
    store.observe(obs())
    const [record] = store.drainDeltas()
    const target = new RollupStore()
    expect(() => target.apply({...record, type: 'other'} as unknown as RollupRecord)).toThrow(expect.objectContaining({code: 'VALIDATION'}))
    expect(() => target.apply({...record, minute: T0 + 1})).toThrow(/minute/)
    expect(() => target.apply({...record, requests: -1})).toThrow(/requests/)
    expect(() => target.apply({...record, cost_usd: Number.NaN})).toThrow(/cost_usd/)
    expect(() => target.apply({...record, key: undefined} as unknown as RollupRecord)).toThrow(/key/)
    expect(() => target.apply({...record, latency: {counts: {'999': 1}, min: 1, max: 1}})).toThrow(/bucket/)
    expect(target.seriesCount).toBe(0)
  })
})

describe('RollupStore retention', () => {
  it('defaults to 7 days and prunes minutes older than now - retention, removing emptied series', () => {
    const store = new RollupStore()
    expect(store.retentionMs).toBe(DEFAULT_RETENTION_MS)
    store.observe(obs({at: T0, model: 'old'}))
    store.observe(obs({at: T0 + MINUTE_MS, model: 'old'}))
    store.observe(obs({at: T0 + MINUTE_MS}))
    store.observe(obs({at: T0 + 3 * MINUTE_MS}))
    expect(store.minuteCount).toBe(4)

    expect(store.prune(T0 + DEFAULT_RETENTION_MS)).toBe(0)
    expect(store.prune(T0 + DEFAULT_RETENTION_MS + MINUTE_MS)).toBe(1)
    expect(store.prune(T0 + DEFAULT_RETENTION_MS + 2 * MINUTE_MS + 30_000)).toBe(2)
    expect(store.seriesCount).toBe(1)
    expect(store.listSeries()).toEqual([{labels: {model: 'gpt-4o', provider: 'openai', key: 'k1', mode: 'normal'}, minutes: 1, first: T0 + 3 * MINUTE_MS, last: T0 + 3 * MINUTE_MS}])
    expect(store.minuteCount).toBe(1)
  })

  it('has a settable retention and prunes undrained deltas too', () => {
    const store = new RollupStore({retentionMs: 60 * MINUTE_MS})
    expect(store.retentionMs).toBe(60 * MINUTE_MS)
    store.observe(obs({at: T0}))
    store.observe(obs({at: T0 + 30 * MINUTE_MS}))
    store.retentionMs = 10 * MINUTE_MS
    expect(store.prune(T0 + 31 * MINUTE_MS)).toBe(1)
    expect(store.drainDeltas().map((r) => r.minute)).toEqual([T0 + 30 * MINUTE_MS])
    expect(() => (store.retentionMs = 0)).toThrow(expect.objectContaining({code: 'VALIDATION'}))
    expect(() => new RollupStore({retentionMs: -1})).toThrow(expect.objectContaining({code: 'VALIDATION'}))
  })
})

describe('RollupStore window sums (hours inside, minutes at the edges)', () => {
  /** The same sums the slow way: every minute of every series. */
  function byMinutes(store: RollupStore, start: number, end: number) {
    const out = new Map<string, ReturnType<typeof emptyAggregate>>()
    store.forEachMinute({}, start, end, (labels, _minute, agg) => {
      const id = JSON.stringify(labels)
      if (!out.has(id)) out.set(id, emptyAggregate())
      mergeAggregate(out.get(id)!, agg)
    })
    return [...out].map(([id, agg]) => ({labels: JSON.parse(id), agg}))
  }

  function busyStore(): RollupStore {
    const store = new RollupStore()
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (let i = 0; i < 3000; i++) {
      const at = T0 + Math.floor(random() * 30 * 60) * MINUTE_MS + Math.floor(random() * 59_000)
      store.observe(obs({at, model: `m${i % 3}`, key: `k${i % 5}`, ok: random() > 0.1, errorClass: random() > 0.5 ? 'timeout' : null, latencyMs: random() * 5000, ttftMs: random() > 0.5 ? random() * 900 : null, costUsd: random() / 100, tokensIn: i % 97}))
    }
    return store
  }

  const windows = (now: number) => [
    [now - 24 * 60 * MINUTE_MS, now + MINUTE_MS], // 24 h, not on an hour boundary
    [T0, T0 + 30 * 60 * MINUTE_MS], // whole hours
    [T0 + 17 * MINUTE_MS, T0 + 58 * MINUTE_MS], // inside one hour
    [T0 + 59 * MINUTE_MS, T0 + 61 * MINUTE_MS], // across one hour boundary
  ]

  it('gives exactly the per-minute sums for any window', () => {
    const store = busyStore()
    for (const [start, end] of windows(T0 + 29 * 60 * MINUTE_MS + 7 * MINUTE_MS)) {
      const fast = store.aggregateBySeries({}, start, end)
      expect(fast.length).toBeGreaterThan(0)
      expect(fast).toEqual(byMinutes(store, start, end))
    }
  })

  it('stays exact after a prune that cuts through an hour, and after a replay of the deltas', () => {
    const store = busyStore()
    const deltas = store.drainDeltas()
    store.retentionMs = 20 * 60 * MINUTE_MS
    const now = T0 + 30 * 60 * MINUTE_MS + 25 * MINUTE_MS // cutoff at T0 + 10 h 25 min
    expect(store.prune(now)).toBeGreaterThan(0)
    for (const [start, end] of [[T0, now + MINUTE_MS], [T0 + 10 * 60 * MINUTE_MS, T0 + 12 * 60 * MINUTE_MS + 5 * MINUTE_MS]]) {
      expect(store.aggregateBySeries({}, start, end)).toEqual(byMinutes(store, start, end))
    }
    const replayed = new RollupStore()
    for (const record of deltas) replayed.apply(record)
    for (const [start, end] of windows(T0 + 29 * 60 * MINUTE_MS)) expect(replayed.aggregateBySeries({}, start, end)).toEqual(byMinutes(replayed, start, end))
    expect(replayed.aggregateBySeries({model: 'm1'}, T0, T0 + 30 * 60 * MINUTE_MS)).toEqual(byMinutes(replayed, T0, T0 + 30 * 60 * MINUTE_MS).filter((s) => s.labels.model === 'm1'))
  })
})

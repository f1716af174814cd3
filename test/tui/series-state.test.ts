import {describe, expect, it} from 'vitest'
import type {StreamEvent} from '../../src/client/event-stream.js'
import type {TsdbResultDto} from '../../src/core/api-types.js'
import {
  addRouteEvents,
  bucketP95,
  chartSeries,
  initialSeries,
  MAX_PENDING,
  minuteStart,
  percentile,
  SAMPLES_PER_MINUTE,
  seedFailed,
  seedSeries,
  unseedSeries,
} from '../../src/tui/state/series.js'
import {axisLabel, downsample, plotLines, spanMinutes} from '../../src/tui/components/chart-text.js'

const T0 = Date.parse('2026-03-01T12:00:00.000Z')
const MIN = 60_000

function tsdb(metric: string, values: Array<number | null>, start = T0 - (values.length - 1) * MIN, end = T0 + 30_000): TsdbResultDto {
  return {metric, agg: 'sum', step_ms: MIN, start, end, labels: {}, points: values.map((value, i) => ({t: start + i * MIN, value}))}
}

const ev = (at: number, extra: Partial<StreamEvent> = {}): StreamEvent => ({type: 'route_success', ts: new Date(at).toISOString(), latency_ms: 100, cost_usd: 0.01, ...extra})

describe('chart series', () => {
  it('takes a time series answer without points (a Go TokenHub sends null for an empty list) as empty, not as a crash', () => {
    const empty = {metric: 'requests', agg: 'sum', step_ms: MIN, start: T0, end: T0, labels: {}, points: null} as unknown as TsdbResultDto
    const state = seedSeries(initialSeries(60), {requests: empty, latency: {} as TsdbResultDto, cost: empty})
    expect(state.seeded).toBe(true)
  })

  it('seeds per-minute buckets from the TSDB and ends at the current minute', () => {
    const state = seedSeries(initialSeries(60), {requests: tsdb('requests', [60, 120, 0]), latency: tsdb('latency', [200, 300, null]), cost: tsdb('cost', [0.5, 1, 0])})
    const series = chartSeries(state, T0 + 59_000)
    expect(series.t).toHaveLength(60)
    expect(series.t.at(-1)).toBe(T0)
    expect(series.t[0]).toBe(T0 - 59 * MIN)
    expect(series.requestsPerSecond.slice(-3)).toEqual([1, 2, 0])
    expect(series.p95Ms.slice(-3)).toEqual([200, 300, null])
    expect(series.costPerMinute.slice(-3)).toEqual([0.5, 1, 0])
    expect(series.p95Ms[0]).toBeNull()
    expect(series.requestsPerSecond[0]).toBe(0)
  })

  it('buckets live route events per minute by the daemon timestamp', () => {
    let state = seedSeries(initialSeries(60), {requests: tsdb('requests', [0]), latency: tsdb('latency', [null]), cost: tsdb('cost', [0])})
    state = addRouteEvents(state, [
      ev(T0 + 40_000, {latency_ms: 100, cost_usd: 0.25}),
      ev(T0 + 50_000, {type: 'route_error', latency_ms: 900, cost_usd: 0}),
      ev(T0 + MIN + 5_000, {latency_ms: 50, cost_usd: 0.5}),
      {type: 'heartbeat', ts: new Date(T0 + 40_000).toISOString()},
    ])
    const first = state.buckets.find((b) => b.t === T0)!
    expect(first).toMatchObject({requests: 2, errors: 1, cost: 0.25, liveCount: 2})
    const series = chartSeries(state, T0 + MIN + 30_000)
    expect(series.t.at(-1)).toBe(T0 + MIN)
    expect(series.costPerMinute.slice(-2)).toEqual([0.25, 0.5])
    expect(series.p95Ms.slice(-2)).toEqual([900, 50])
    // The current minute's rate is over the 30 s gone so far, a finished minute over 60 s.
    expect(series.requestsPerSecond.slice(-2)).toEqual([2 / 60, 1 / 30])
  })

  it('ignores live events the seed already counted', () => {
    const seed = {requests: tsdb('requests', [3], T0, T0 + 30_000), latency: tsdb('latency', [100], T0, T0 + 30_000), cost: tsdb('cost', [0.3], T0, T0 + 30_000)}
    let state = seedSeries(initialSeries(60), seed)
    state = addRouteEvents(state, [ev(T0 + 10_000), ev(T0 + 30_000), ev(T0 + 31_000)])
    expect(state.buckets.find((b) => b.t === T0)?.requests).toBe(4)
  })

  it('replays events that came before the seed on top of it, without double counting', () => {
    let state = addRouteEvents(initialSeries(60), [ev(T0 + 10_000), ev(T0 + 40_000)])
    expect(state.seeded).toBe(false)
    expect(state.pending).toHaveLength(2)
    expect(state.buckets[0].requests).toBe(2) // charts move before the history arrives
    state = seedSeries(state, {requests: tsdb('requests', [1], T0, T0 + 20_000), latency: tsdb('latency', [100], T0, T0 + 20_000), cost: tsdb('cost', [0.01], T0, T0 + 20_000)})
    expect(state.pending).toHaveLength(0)
    expect(state.buckets.find((b) => b.t === T0)?.requests).toBe(2) // 1 from the seed + the one after its end
    // A reseed holds events again; a failed one just goes on live.
    state = unseedSeries(state)
    state = addRouteEvents(state, [ev(T0 + 50_000)])
    expect(state.pending).toHaveLength(1)
    expect(seedFailed(state)).toMatchObject({seeded: true, pending: []})
  })

  it('keeps at most `minutes` buckets, the pending list and the latency samples bounded', () => {
    let state = seedFailed(initialSeries(60))
    for (let m = 0; m < 500; m++) state = addRouteEvents(state, [ev(T0 + m * MIN)])
    expect(state.buckets).toHaveLength(60)
    expect(state.buckets[0].t).toBe(T0 + 440 * MIN)
    let burst = seedFailed(initialSeries(60))
    burst = addRouteEvents(burst, Array.from({length: 3000}, (_, i) => ev(T0 + (i % 50), {latency_ms: i})))
    expect(burst.buckets[0].latencies).toHaveLength(SAMPLES_PER_MINUTE)
    expect(burst.buckets[0].requests).toBe(3000)
    let unseeded = initialSeries(60)
    unseeded = addRouteEvents(unseeded, Array.from({length: MAX_PENDING + 10}, () => ev(T0)))
    expect(unseeded.pending).toHaveLength(MAX_PENDING)
  })

  it('percentiles and the p95 of a minute that is both seeded and live', () => {
    expect(percentile([], 95)).toBeNull()
    expect(percentile(Array.from({length: 100}, (_, i) => i + 1), 95)).toBe(95)
    expect(bucketP95({t: 0, requests: 0, errors: 0, cost: 0, seedP95: 100, seedCount: 3, latencies: [300], liveCount: 1})).toBe(150)
    expect(minuteStart(T0 + 59_999)).toBe(T0)
  })
})

describe('chart text', () => {
  it('shows one minute per column, and downsamples by averaging only the minutes that have a value', () => {
    expect(spanMinutes(80)).toBe(60)
    expect(spanMinutes(26)).toBe(18)
    expect(spanMinutes(26, 5)).toBe(5)
    expect(downsample([1, 3, 5, 7], 2)).toEqual([2, 6])
    expect(downsample([null, 4], 5)).toEqual([0, 4])
    expect(downsample([null, 4, null, null], 2)).toEqual([4, 0])
  })

  it('draws a one-minute peak at its full height', () => {
    const values = Array.from({length: 18}, (_, i) => (i === 9 ? 10 : 1))
    const lines = plotLines(values.slice(-spanMinutes(26)), 26, 6)
    expect(lines[0]).toMatch(/^ +10\.0[┤┼] *╭╮/)
  })

  it('draws exactly the rows asked for, within the width, even for an all-zero series', () => {
    for (const values of [Array(60).fill(0), Array.from({length: 60}, (_, i) => i % 7), [null, 0.0004, 0.0012]]) {
      const lines = plotLines(values, 30, 6)
      expect(lines).toHaveLength(6)
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(30)
      expect(lines.join('\n')).toMatch(/[┼┤]/)
    }
  })
  it('labels a small-valued axis (cost per minute) with distinct figures, not six rows of 0.00005 and 0.00000 above zero', () => {
    expect([0, 0.00005, 0.0000012, 0.00012, 0.0055, 0.02, 3].map(axisLabel)).toEqual(['0', '50.0µ', '1.20µ', '120µ', '5.50m', '0.020', '3.00'])
    const lines = plotLines([0.00006, 0.00001, 0.00003, 0.000002], 30, 8)
    const labels = lines.map((line) => line.slice(0, 7).trim())
    expect(new Set(labels).size).toBe(labels.length)
    expect(labels.slice(0, -1).every((label) => label !== '0' && !/^0\.0+$/.test(label))).toBe(true)
  })
})

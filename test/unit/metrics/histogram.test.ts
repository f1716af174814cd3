import {describe, expect, it} from 'vitest'
import {BUCKET_COUNT, bucketBounds, bucketIndex, GROWTH, Histogram, RELATIVE_ERROR} from '../../../src/core/metrics/histogram.js'

/** Deterministic pseudo-random values (LCG), log-uniform between 1 ms and ~100 s. */
function latencies(n: number, seed = 7): number[] {
  let state = seed
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    out.push(Math.round(Math.exp((state / 2 ** 31) * Math.log(100_000)) * 10) / 10)
  }
  return out
}

function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

describe('Histogram', () => {
  it('is empty at first', () => {
    const h = new Histogram()
    expect(h.count).toBe(0)
    expect(h.quantile(0.5)).toBeNull()
    expect(h.min).toBeNull()
    expect(h.toJSON()).toEqual({counts: {}})
  })

  it('reports a single value exactly (the representative is clamped to min..max)', () => {
    const h = new Histogram()
    h.record(123)
    expect(h.count).toBe(1)
    expect(h.quantile(0)).toBe(123)
    expect(h.quantile(0.5)).toBe(123)
    expect(h.quantile(1)).toBe(123)
  })

  it('has ~12% wide buckets from 1 ms to beyond 600 s', () => {
    expect(bucketIndex(0)).toBe(0)
    expect(bucketIndex(0.99)).toBe(0)
    expect(bucketIndex(1)).toBe(1)
    expect(bucketIndex(600_000)).toBeLessThan(BUCKET_COUNT - 1)
    expect(bucketIndex(1e9)).toBe(BUCKET_COUNT - 1)
    for (const index of [1, 10, 60, 119]) {
      const [low, high] = bucketBounds(index)
      expect(high / low).toBeCloseTo(GROWTH, 10)
      expect(bucketIndex((low + high) / 2)).toBe(index)
    }
    expect(RELATIVE_ERROR).toBeLessThan(0.06)
  })

  it('answers quantiles within its relative error', () => {
    const values = latencies(2000)
    const h = new Histogram()
    for (const v of values) h.record(v)
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1]) {
      const exact = nearestRank(values, q)
      const approx = h.quantile(q) as number
      expect(Math.abs(approx - exact) / exact).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-12)
    }
    expect(h.quantile(1)).toBe(Math.max(...values))
    expect(h.quantile(0)).toBe(Math.min(...values))
  })

  it('merges by adding counts: same result as recording everything in one', () => {
    const values = latencies(500, 3)
    const whole = new Histogram()
    const a = new Histogram()
    const b = new Histogram()
    values.forEach((v, i) => {
      whole.record(v)
      ;(i % 3 === 0 ? a : b).record(v)
    })
    const merged = a.clone().merge(b)
    expect(merged.count).toBe(500)
    expect(merged.toJSON()).toEqual(whole.toJSON())
    expect(a.count + b.count).toBe(500)
    expect(merged.merge(new Histogram()).toJSON()).toEqual(whole.toJSON())
  })

  it('stores only non-empty buckets in JSON and round-trips through it', () => {
    const h = new Histogram()
    for (const v of [5, 5, 5, 250, 250, 30_000]) h.record(v)
    const json = h.toJSON()
    expect(Object.keys(json.counts)).toHaveLength(3)
    expect(Object.values(json.counts)).toEqual([3, 2, 1])
    expect(json.min).toBe(5)
    expect(json.max).toBe(30_000)
    const back = Histogram.fromJSON(JSON.parse(JSON.stringify(json)))
    expect(back.toJSON()).toEqual(json)
    expect(back.count).toBe(6)
    for (const q of [0.1, 0.5, 0.9, 1]) expect(back.quantile(q)).toBe(h.quantile(q))
  })

  it('refuses JSON it would not have written', () => {
    expect(() => Histogram.fromJSON(null)).toThrow(expect.objectContaining({code: 'VALIDATION'}))
    expect(() => Histogram.fromJSON({counts: {[BUCKET_COUNT]: 1}, min: 1, max: 1})).toThrow(/bucket index/)
    expect(() => Histogram.fromJSON({counts: {'1.5': 1}, min: 1, max: 1})).toThrow(/bucket index/)
    expect(() => Histogram.fromJSON({counts: {'3': 0}, min: 1, max: 1})).toThrow(/count/)
    expect(() => Histogram.fromJSON({counts: {'3': 1}})).toThrow(/min/)
    expect(() => Histogram.fromJSON({counts: {'3': 1}, min: 5, max: 2})).toThrow(/min/)
  })

  it('records negative and non-finite durations as 0 ms, and reports the overflow bucket as its maximum', () => {
    const h = new Histogram()
    h.record(-5)
    h.record(Number.NaN)
    expect(h.count).toBe(2)
    expect(h.quantile(1)).toBe(0)
    h.record(5_000_000)
    expect(h.quantile(1)).toBe(5_000_000)
  })
})

import {validation} from '../errors.js'

/**
 * Fixed log-scale latency histogram. Every histogram uses the same buckets, so two of them merge by
 * adding counts (per-minute rollups add up into windows and TSDB steps, and persisted deltas add up
 * again at replay).
 *
 * Buckets (GROWTH = 1.12):
 *   - 0: [0, 1) ms
 *   - i in 1..BUCKET_COUNT-2: [1.12^(i-1), 1.12^i) ms; the last finite bound 1.12^120 is ~805 s
 *   - BUCKET_COUNT-1 (overflow): [1.12^120, inf)
 * A quantile is reported as the bucket's geometric midpoint 1.12^(i-0.5), clamped to the observed
 * [min, max]; the first and last ranks report min and max themselves (so a histogram of one value
 * reports that value exactly). For values >= 1 ms the reported value is within sqrt(1.12)-1 = 5.83% of
 * the true sample of that rank (RELATIVE_ERROR); below 1 ms the error is under 0.5 ms.
 *
 * Counts are kept sparse (only non-empty buckets), because a store keeps two histograms per series
 * per minute for days and a minute rarely touches more than a handful of buckets.
 *
 * Changing GROWTH or BUCKET_COUNT changes the meaning of persisted bucket indexes: that needs a new
 * persisted record type, not an edit here.
 */
export const GROWTH = 1.12
export const BUCKET_COUNT = 122
export const RELATIVE_ERROR = Math.sqrt(GROWTH) - 1

const LOG_GROWTH = Math.log(GROWTH)
const OVERFLOW = BUCKET_COUNT - 1

/** The persisted form: bucket index -> count for non-empty buckets; min and max only when count > 0. */
export interface HistogramJSON {
  counts: Record<string, number>
  min?: number
  max?: number
}

/** Bucket index of a value in ms (non-finite or negative values count as 0 ms). */
export function bucketIndex(ms: number): number {
  const value = sanitize(ms)
  if (value < 1) return 0
  return Math.min(OVERFLOW, 1 + Math.floor(Math.log(value) / LOG_GROWTH))
}

/** [lower, upper) bounds of a bucket in ms. */
export function bucketBounds(index: number): [number, number] {
  if (index <= 0) return [0, 1]
  if (index >= OVERFLOW) return [GROWTH ** (OVERFLOW - 1), Number.POSITIVE_INFINITY]
  return [GROWTH ** (index - 1), GROWTH ** index]
}

function representative(index: number, max: number): number {
  if (index <= 0) return 0.5
  if (index >= OVERFLOW) return max
  return GROWTH ** (index - 0.5)
}

/** Clock skew can yield a negative duration; it is recorded as 0 rather than dropped so counts stay equal to requests. */
function sanitize(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0
}

export class Histogram {
  private readonly buckets = new Map<number, number>()
  private total = 0
  private low = Number.POSITIVE_INFINITY
  private high = Number.NEGATIVE_INFINITY

  get count(): number {
    return this.total
  }

  /** Smallest recorded value; null when empty. */
  get min(): number | null {
    return this.total === 0 ? null : this.low
  }

  /** Largest recorded value; null when empty. */
  get max(): number | null {
    return this.total === 0 ? null : this.high
  }

  record(ms: number): void {
    const value = sanitize(ms)
    const index = bucketIndex(value)
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1)
    this.total += 1
    if (value < this.low) this.low = value
    if (value > this.high) this.high = value
  }

  merge(other: Histogram): this {
    if (other.total === 0) return this
    for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n)
    this.total += other.total
    if (other.low < this.low) this.low = other.low
    if (other.high > this.high) this.high = other.high
    return this
  }

  clone(): Histogram {
    return new Histogram().merge(this)
  }

  /**
   * Nearest-rank quantile (q in 0..1, clamped): the representative value of the bucket holding the
   * ceil(q*count)-th smallest sample. Null when empty.
   */
  quantile(q: number): number | null {
    if (this.total === 0) return null
    const fraction = Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 1
    const rank = Math.min(this.total, Math.max(1, Math.ceil(fraction * this.total)))
    // The extremes are known exactly.
    if (rank === this.total) return this.high
    if (rank === 1) return this.low
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b)
    let seen = 0
    for (const index of indexes) {
      seen += this.buckets.get(index) ?? 0
      if (seen >= rank) return Math.min(this.high, Math.max(this.low, representative(index, this.high)))
    }
    return this.high
  }

  toJSON(): HistogramJSON {
    const counts: Record<string, number> = {}
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) counts[index] = this.buckets.get(index) ?? 0
    return this.total === 0 ? {counts} : {counts, min: this.low, max: this.high}
  }

  /** Rebuilds a histogram from its JSON form; throws VALIDATION on anything it would not have written. */
  static fromJSON(json: unknown): Histogram {
    if (typeof json !== 'object' || json === null || typeof (json as HistogramJSON).counts !== 'object' || (json as HistogramJSON).counts === null) {
      throw validation('histogram: expected an object with "counts"')
    }
    const {counts, min, max} = json as HistogramJSON
    const histogram = new Histogram()
    for (const [key, n] of Object.entries(counts)) {
      const index = Number(key)
      if (!Number.isInteger(index) || index < 0 || index >= BUCKET_COUNT || String(index) !== key) throw validation(`histogram: invalid bucket index "${key}"`)
      if (!Number.isSafeInteger(n) || n <= 0) throw validation(`histogram: invalid count ${String(n)} in bucket ${key}`)
      histogram.buckets.set(index, n)
      histogram.total += n
    }
    if (histogram.total > 0) {
      if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || min < 0 || min > max) {
        throw validation('histogram: a non-empty histogram needs finite "min" <= "max"')
      }
      histogram.low = min
      histogram.high = max
    }
    return histogram
  }
}

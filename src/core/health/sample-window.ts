/**
 * Recent outcomes of one target (model or provider): latency percentiles and error rate over the
 * last `capacity` attempts within `maxAgeMs`. O(1) to record; percentiles are computed on read
 * and cached until the next record, so routing many requests does not re-sort every time.
 */
export class SampleWindow {
  private readonly latencies: Float64Array
  private readonly failed: Uint8Array
  /** 1 when the attempt's latency says how fast the target is: successes and timeouts. */
  private readonly timed: Uint8Array
  private readonly times: Float64Array
  private next = 0
  private size = 0
  private sortedCache: number[] | null = null

  constructor(
    private readonly capacity = 256,
    private readonly maxAgeMs = 15 * 60_000,
  ) {
    this.latencies = new Float64Array(capacity)
    this.failed = new Uint8Array(capacity)
    this.timed = new Uint8Array(capacity)
    this.times = new Float64Array(capacity)
  }

  /**
   * `timed`: the latency counts in the percentiles. Successes do; so does a timeout (the target
   * took at least that long), so a model whose attempts time out does not look fast. Other
   * failures (a quick 500) say nothing about speed.
   */
  record(latencyMs: number, ok: boolean, at: number, timed = ok): void {
    this.latencies[this.next] = latencyMs
    this.failed[this.next] = ok ? 0 : 1
    this.timed[this.next] = timed ? 1 : 0
    this.times[this.next] = at
    this.next = (this.next + 1) % this.capacity
    this.size = Math.min(this.size + 1, this.capacity)
    this.sortedCache = null
  }

  private live(now: number): number[] {
    const indexes: number[] = []
    for (let i = 0; i < this.size; i++) if (now - this.times[i] <= this.maxAgeMs) indexes.push(i)
    return indexes
  }

  /** Latency percentile (0..100) of successful and timed-out attempts; null without samples. */
  percentile(p: number, now: number): number | null {
    if (!this.sortedCache) {
      this.sortedCache = this.live(now)
        .filter((i) => this.timed[i] === 1)
        .map((i) => this.latencies[i])
        .sort((a, b) => a - b)
    }
    const sorted = this.sortedCache
    if (sorted.length === 0) return null
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
    return sorted[rank]
  }

  /** Attempts in the latency percentiles. */
  latencySamples(now: number): number {
    return this.live(now).filter((i) => this.timed[i] === 1).length
  }

  errorRate(now: number): number {
    const live = this.live(now)
    if (live.length === 0) return 0
    return live.filter((i) => this.failed[i] === 1).length / live.length
  }

  counts(now: number): {total: number; errors: number} {
    const live = this.live(now)
    return {total: live.length, errors: live.filter((i) => this.failed[i] === 1).length}
  }
}

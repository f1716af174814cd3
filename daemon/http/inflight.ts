/** Counts requests in progress so shutdown can wait for them (drain). */
export class InflightTracker {
  private count = 0
  private idleWaiters: Array<() => void> = []

  get active(): number {
    return this.count
  }

  begin(): void {
    this.count++
  }

  end(): void {
    this.count--
    if (this.count === 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  /** Resolves true when idle, false when the deadline passed first. */
  waitForIdle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.idleWaiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }
}

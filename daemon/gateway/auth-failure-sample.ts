/**
 * Requests without a valid API key, recorded one by one only up to a rate: a flood of them (a
 * scanner, a misconfigured client in a loop) would otherwise fill the journal (every record is
 * kept 30 days) and push real requests out of the recent-log ring. Past the rate they are only
 * counted (Prometheus), and how many were left out is reported now and then. No I/O, no clock.
 */
export const RECORDED_PER_SECOND = 10
export const REPORT_EVERY_MS = 60_000

export class AuthFailureSample {
  private second = -1
  private inSecond = 0
  private suppressed = 0
  private lastReport = Number.NEGATIVE_INFINITY

  /** Whether this unauthenticated request is recorded in full. */
  admit(nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000)
    if (second !== this.second) {
      this.second = second
      this.inSecond = 0
    }
    if (++this.inSecond <= RECORDED_PER_SECOND) return true
    this.suppressed++
    return false
  }

  /** How many were left out since the last report, when one is due (at most once a minute), else null. */
  report(nowMs: number): number | null {
    if (this.suppressed === 0 || nowMs - this.lastReport < REPORT_EVERY_MS) return null
    const count = this.suppressed
    this.suppressed = 0
    this.lastReport = nowMs
    return count
  }
}

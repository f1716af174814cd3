export type CircuitState = 'closed' | 'open' | 'half_open'

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number
  /** How long the circuit stays open before a probe is let through; doubles on a failed probe. */
  openMs?: number
  maxOpenMs?: number
  now: () => number
  onTransition?: (from: CircuitState, to: CircuitState, reason: string) => void
}

/**
 * closed -> open after N consecutive failures -> half_open once the open period passed (one
 * probe request at a time) -> closed on a successful probe, open again (longer) on a failed one.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed'
  private consecutiveFailures = 0
  private openedAt = 0
  private openFor: number
  private probeInFlight = false
  private readonly threshold: number
  private readonly baseOpenMs: number
  private readonly maxOpenMs: number

  constructor(private readonly options: CircuitOptions) {
    this.threshold = options.failureThreshold ?? 5
    this.baseOpenMs = options.openMs ?? 30_000
    this.maxOpenMs = options.maxOpenMs ?? 300_000
    this.openFor = this.baseOpenMs
  }

  get state(): CircuitState {
    if (this.current === 'open' && this.options.now() - this.openedAt >= this.openFor) this.move('half_open', 'open period elapsed')
    return this.current
  }

  get failures(): number {
    return this.consecutiveFailures
  }

  /** Whether a request may go to this target now; in half_open, admits one probe. */
  tryAcquire(): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'open' || this.probeInFlight) return false
    this.probeInFlight = true
    return true
  }

  /** How long until an open circuit lets a probe through (0 when it is not open). */
  get retryInMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.openFor - this.options.now()) : 0
  }

  /** Whether the target would be tried, without taking the half-open probe slot. */
  get available(): boolean {
    const state = this.state
    return state === 'closed' || (state === 'half_open' && !this.probeInFlight)
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0
    this.probeInFlight = false
    if (this.current !== 'closed') {
      this.openFor = this.baseOpenMs
      this.move('closed', 'request succeeded')
    }
  }

  recordFailure(reason: string): void {
    this.consecutiveFailures++
    const state = this.state
    if (state === 'half_open') {
      this.probeInFlight = false
      this.openFor = Math.min(this.openFor * 2, this.maxOpenMs)
      this.open(`probe failed: ${reason}`)
    } else if (state === 'closed' && this.consecutiveFailures >= this.threshold) {
      this.open(`${this.consecutiveFailures} consecutive failures, last: ${reason}`)
    }
  }

  /** A probe that ended without a verdict (client went away) frees the slot. */
  release(): void {
    this.probeInFlight = false
  }

  private open(reason: string): void {
    this.openedAt = this.options.now()
    this.move('open', reason)
  }

  private move(to: CircuitState, reason: string): void {
    const from = this.current
    if (from === to) return
    this.current = to
    this.options.onTransition?.(from, to, reason)
  }
}

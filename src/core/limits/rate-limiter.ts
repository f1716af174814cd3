import {TokenHubError} from '../errors.js'

/**
 * Per-key sliding-minute counters for requests and tokens: 60 one-second buckets, O(1) per
 * request. A request is admitted when both limits have room; tokens are counted at admission from
 * the estimate and corrected with the real usage when the request ends.
 */

const BUCKETS = 60
const BUCKET_MS = 1000

class MinuteCounter {
  private readonly values = new Float64Array(BUCKETS)
  private readonly stamps = new Float64Array(BUCKETS)

  add(amount: number, now: number): void {
    const slot = Math.floor(now / BUCKET_MS)
    const index = slot % BUCKETS
    if (this.stamps[index] !== slot) {
      this.stamps[index] = slot
      this.values[index] = 0
    }
    this.values[index] += amount
  }

  /**
   * Takes back `amount` from what was counted at `at`, while that second is still in the window:
   * a refund counted now instead would outlive the count it corrects (and after a request longer
   * than the window, free a minute's worth of tokens that were never counted).
   */
  refund(amount: number, at: number, now: number): void {
    const slot = Math.floor(at / BUCKET_MS)
    const index = slot % BUCKETS
    if (Math.floor(now / BUCKET_MS) - slot < BUCKETS && this.stamps[index] === slot) this.values[index] = Math.max(0, this.values[index] - amount)
  }

  total(now: number): number {
    const current = Math.floor(now / BUCKET_MS)
    let sum = 0
    for (let i = 0; i < BUCKETS; i++) if (current - this.stamps[i] < BUCKETS) sum += this.values[i]
    return sum
  }

  /** Seconds until `needed` units fit under `limit`, as old buckets leave the window. */
  secondsUntilRoom(needed: number, limit: number, now: number): number {
    const current = Math.floor(now / BUCKET_MS)
    let total = this.total(now)
    for (let age = BUCKETS - 1; age >= 0; age--) {
      const slot = current - age
      const index = ((slot % BUCKETS) + BUCKETS) % BUCKETS
      if (this.stamps[index] === slot) total -= this.values[index]
      // The bucket of this age leaves the window in BUCKETS - age seconds.
      if (total + needed <= limit) return BUCKETS - age
    }
    return BUCKETS
  }
}

export interface RateLimits {
  requestsPerMinute: number
  tokensPerMinute: number
}

export type RateDecision =
  | {ok: true}
  | {ok: false; limit: 'requests' | 'tokens'; retryAfterSec: number; limitValue: number}
  /** The request alone needs more tokens than the whole minute allows: no wait makes it fit. */
  | {ok: false; limit: 'tokens'; retryAfterSec: null; limitValue: number; requestTokens: number}

export class RateLimiter {
  private readonly requests = new Map<string, MinuteCounter>()
  private readonly tokens = new Map<string, MinuteCounter>()

  /** Admits and counts the request, or says which limit is hit and when to retry. */
  admit(key: string, limits: RateLimits, estimatedTokens: number, now: number): RateDecision {
    const requests = limits.requestsPerMinute > 0 ? this.counter(this.requests, key) : null
    const tokens = limits.tokensPerMinute > 0 ? this.counter(this.tokens, key) : null
    if (requests && requests.total(now) + 1 > limits.requestsPerMinute) {
      return {ok: false, limit: 'requests', retryAfterSec: requests.secondsUntilRoom(1, limits.requestsPerMinute, now), limitValue: limits.requestsPerMinute}
    }
    if (tokens && estimatedTokens > limits.tokensPerMinute) {
      return {ok: false, limit: 'tokens', retryAfterSec: null, limitValue: limits.tokensPerMinute, requestTokens: Math.ceil(estimatedTokens)}
    }
    if (tokens && tokens.total(now) + estimatedTokens > limits.tokensPerMinute) {
      return {ok: false, limit: 'tokens', retryAfterSec: tokens.secondsUntilRoom(estimatedTokens, limits.tokensPerMinute, now), limitValue: limits.tokensPerMinute}
    }
    requests?.add(1, now)
    tokens?.add(estimatedTokens, now)
    return {ok: true}
  }

  /**
   * Corrects the token count once the real usage is known: tokens used beyond what was counted at
   * admission (`countedAt`) count now; tokens counted but not used are taken back from the second
   * they were counted in (nothing to take back once it has left the window).
   */
  settleTokens(key: string, delta: number, countedAt: number, now: number): void {
    const counter = this.tokens.get(key)
    if (!counter || delta === 0) return
    if (delta > 0) counter.add(delta, now)
    else counter.refund(-delta, countedAt, now)
  }

  private counter(map: Map<string, MinuteCounter>, key: string): MinuteCounter {
    let counter = map.get(key)
    if (!counter) {
      counter = new MinuteCounter()
      map.set(key, counter)
    }
    return counter
  }
}

/** The 429 for a key over its requests-per-minute or tokens-per-minute limit (with retry_after_s for Retry-After). */
export function overLimitError(keyPrefix: string, decision: Extract<RateDecision, {ok: false}>): TokenHubError {
  return new TokenHubError('RATE_LIMITED', `API key ${keyPrefix}... is over its limit of ${decision.limitValue} ${decision.limit} per minute; retry in ${decision.retryAfterSec}s`, {
    details: {limit: decision.limit, limit_per_minute: decision.limitValue, retry_after_s: decision.retryAfterSec},
  })
}

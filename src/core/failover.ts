/**
 * What to do after a failed upstream attempt (DESIGN §7): rate limited -> next candidate with a
 * cooldown; transient -> bounded retry with backoff, then next; context overflow -> a model with a
 * larger context; our own credentials or model mapping wrong upstream -> next candidate; a client
 * error -> returned as is.
 */

export type ErrorClass =
  | 'rate_limited'
  | 'transient'
  | 'timeout'
  | 'network'
  | 'context_overflow'
  | 'upstream_auth'
  | 'upstream_config'
  | 'client_error'
  /**
   * A 404 about an id the request named (previous_response_id, conversation, a file): the request's
   * own, but another provider may hold that id, so the next candidate on another provider is tried;
   * no blame on anyone.
   */
  | 'request_not_found'
  /** The gateway itself ran out of something (file descriptors, memory) opening the connection. */
  | 'gateway_resources'

export type NextStep = 'retry_same' | 'next_candidate' | 'next_larger_context' | 'return_to_client'

export interface AttemptFailure {
  errorClass: ErrorClass
  status: number | null
  /** From Retry-After, when the upstream sent one. */
  retryAfterMs: number | null
  message: string
}

export const MAX_RETRIES_SAME = 1

export function classifyStatus(status: number, contextOverflow: boolean, requestNotFound = false): ErrorClass {
  if (status === 429) return 'rate_limited'
  if (status === 401 || status === 403) return 'upstream_auth'
  if (status === 404) return requestNotFound ? 'request_not_found' : 'upstream_config'
  if (status === 408 || status === 409 || status >= 500) return 'transient'
  if (contextOverflow) return 'context_overflow'
  return 'client_error'
}

export function nextStep(failure: AttemptFailure, retriesOnThisCandidate: number): NextStep {
  switch (failure.errorClass) {
    case 'transient':
    case 'timeout':
    case 'network':
      return retriesOnThisCandidate < MAX_RETRIES_SAME ? 'retry_same' : 'next_candidate'
    case 'rate_limited':
    case 'upstream_auth':
    case 'upstream_config':
    case 'request_not_found':
      return 'next_candidate'
    case 'context_overflow':
      return 'next_larger_context'
    case 'client_error':
    case 'gateway_resources':
      return 'return_to_client'
  }
}

/**
 * What a failure says about health: a refused connection or rejected credentials affect every
 * model of the provider; errors and slowness of one model affect that model; the rest nothing
 * (the request's own fault, or the gateway's: out of file descriptors is not the provider's).
 */
export function blameFor(errorClass: ErrorClass): 'provider' | 'model' | 'none' {
  if (errorClass === 'network' || errorClass === 'upstream_auth') return 'provider'
  // upstream_config: a 404 (the model's upstream id is wrong), a redirect, no streaming: this model
  // keeps failing until someone fixes it, so its circuit opens and routing stops preferring it.
  if (errorClass === 'transient' || errorClass === 'timeout' || errorClass === 'upstream_config') return 'model'
  return 'none'
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 3_600_000)
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.min(Math.max(0, at - now), 3_600_000) : null
}

/** Exponential backoff with full jitter: base·2^attempt·(0.5..1.5), capped. */
export function backoffMs(attempt: number, random: () => number, baseMs = 100, capMs = 2000): number {
  return Math.min(capMs, baseMs * 2 ** attempt * (0.5 + random()))
}

import {overLimitError, type RateLimiter} from '../../src/core/limits/rate-limiter.js'
import type {ApiKeyRecord} from '../../src/store/document.js'
import type {RecordQueue} from './record-queue.js'

/**
 * A call that costs no tokens but is a request all the same (count_tokens, a stored response):
 * counted against the key's requests per minute; past it, a rate_limited event and the 429.
 */
export function admitCall(deps: {limiter: RateLimiter; records: RecordQueue}, key: ApiKeyRecord, now: number): void {
  const admitted = deps.limiter.admit(key.id, {requestsPerMinute: key.rate_limit_rpm, tokensPerMinute: 0}, 0, now)
  if (admitted.ok) return
  deps.records.publish({type: 'rate_limited', api_key_id: key.id, limit: admitted.limit, retry_after_s: admitted.retryAfterSec})
  throw overLimitError(key.key_prefix, admitted)
}

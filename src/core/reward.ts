import type {RequestLogRecord} from './request-log.js'
import type {TokenBucket} from './routing/thompson.js'

/** One bandit observation: how well a model served one request (derived from its request record). */
export interface RewardRecord {
  timestamp: string
  request_id: string
  model_id: string
  provider_id: string
  mode: string
  token_bucket: TokenBucket
  input_tokens: number
  latency_ms: number
  cost_usd: number
  success: boolean
  error_class: string | null
  reward: number
}

export function rewardOfRecord(record: RequestLogRecord): RewardRecord | null {
  if (record.reward === null || record.token_bucket === null || !record.model_id || !record.provider_id) return null
  return {
    timestamp: record.timestamp,
    request_id: record.request_id,
    model_id: record.model_id,
    provider_id: record.provider_id,
    mode: record.mode,
    token_bucket: record.token_bucket as TokenBucket,
    input_tokens: record.input_tokens,
    latency_ms: record.latency_ms,
    cost_usd: record.cost_usd,
    success: record.status_code < 400 && !record.error_class,
    error_class: record.error_class,
    reward: record.reward,
  }
}

import type {TokenBucket} from './routing/thompson.js'

/** One bandit observation: how well a model served one request (journal type "reward"). */
export interface RewardRecord {
  timestamp: string
  request_id: string
  model_id: string
  provider_id: string
  mode: string
  token_bucket: TokenBucket
  estimated_tokens: number
  latency_ms: number
  cost_usd: number
  success: boolean
  error_class: string | null
  reward: number
}

/** One record per /v1 request (success or failure): what the logs API, stats and journal carry. No prompt or completion text. */
export interface AttemptRecord {
  model_id: string
  provider_id: string
  status: number | null
  error_class: string | null
  latency_ms: number
}

export interface RequestLogRecord {
  request_id: string
  timestamp: string
  api_key_id: string | null
  api_key_name: string | null
  endpoint: string
  mode: string
  /** The model the client asked for ("auto" when none). */
  requested_model: string
  alias_from: string | null
  model_id: string | null
  provider_id: string | null
  stream: boolean
  status_code: number
  error_class: string | null
  error_message: string | null
  attempts: AttemptRecord[]
  /** Every prompt token, prompt-cache reads and writes included. */
  input_tokens: number
  output_tokens: number
  total_tokens: number
  /** Of input_tokens, read from the upstream's prompt cache / written to it (billed at their own prices). Absent in records before 2026-12. */
  cache_read_tokens?: number
  cache_write_tokens?: number
  cost_usd: number
  /** True when the model has no price, so cost_usd is 0 by default rather than measured. */
  unpriced: boolean
  /**
   * Where the bill came from: the upstream's usage report; the answering model's maximum cost
   * when a whole answer came without a usage report; an estimate when the client left (before
   * anything came back: the input estimate; mid-stream: the input plus one output token per
   * relayed event, when the upstream had not reported that much yet); none when no model answered.
   */
  usage_source: 'upstream' | 'reservation' | 'estimate' | 'none'
  /** The upstream reported impossible usage (negative, non-numeric, absurd); it was clamped. */
  usage_flagged: boolean
  latency_ms: number
  ttft_ms: number | null
  /** The bandit observation of this request (null when no model answered or the client left). */
  token_bucket: string | null
  reward: number | null
}

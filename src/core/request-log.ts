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
  input_tokens: number
  output_tokens: number
  total_tokens: number
  cost_usd: number
  /** True when the model has no price, so cost_usd is 0 by default rather than measured. */
  unpriced: boolean
  /** Where the token counts came from: the upstream's usage report, or our estimate. */
  usage_source: 'upstream' | 'estimate' | 'none'
  latency_ms: number
  ttft_ms: number | null
}

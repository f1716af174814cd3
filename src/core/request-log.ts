import {csvRow} from './csv.js'

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

/** The CSV export's columns, in order. New columns go at the end: scripts read them by position. */
const CSV_COLUMNS = [
  'timestamp',
  'request_id',
  'api_key_id',
  'api_key_name',
  'endpoint',
  'mode',
  'requested_model',
  'alias_from',
  'model_id',
  'provider_id',
  'stream',
  'status_code',
  'error_class',
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cost_usd',
  'unpriced',
  'usage_source',
  'latency_ms',
  'ttft_ms',
  'attempts',
  'cache_read_tokens',
  'cache_write_tokens',
  'usage_flagged',
  'error_message',
] as const satisfies ReadonlyArray<keyof RequestLogRecord>

export const REQUEST_CSV_HEADER = csvRow([...CSV_COLUMNS])

/** One record as a CSV line: `attempts` is their count; cache columns are empty in records older than them. */
export function requestCsvRow(record: RequestLogRecord): string {
  return csvRow(CSV_COLUMNS.map((column) => (column === 'attempts' ? record.attempts.length : record[column])))
}

import type {RequestLogRecord} from '../../src/core/request-log.js'

export interface LogQuery {
  limit: number
  offset: number
  model?: string
  apiKeyId?: string
  status?: number
}

/**
 * Recent request records in a bounded ring (newest last), for GET /admin/v1/logs. Durable history
 * lives in the journal; the ring is refilled from it at start.
 */
export class RequestLogRing {
  private readonly records: Array<RequestLogRecord | undefined>
  private next = 0
  private size = 0

  constructor(private readonly capacity = 10_000) {
    this.records = new Array(capacity)
  }

  add(record: RequestLogRecord): void {
    this.records[this.next] = record
    this.next = (this.next + 1) % this.capacity
    this.size = Math.min(this.size + 1, this.capacity)
  }

  /** Newest first, filtered, paged. */
  query(query: LogQuery): {logs: RequestLogRecord[]; total: number} {
    const matches: RequestLogRecord[] = []
    for (let i = 0; i < this.size; i++) {
      const record = this.records[(this.next - 1 - i + this.capacity) % this.capacity]!
      if (query.model && record.model_id !== query.model && record.requested_model !== query.model) continue
      if (query.apiKeyId && record.api_key_id !== query.apiKeyId) continue
      if (query.status !== undefined && record.status_code !== query.status) continue
      matches.push(record)
    }
    return {logs: matches.slice(query.offset, query.offset + query.limit), total: matches.length}
  }
}

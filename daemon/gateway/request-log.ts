import type {RequestLogRecord} from '../../src/core/request-log.js'
import {RecordRing} from '../../src/core/record-ring.js'
import {rewardOfRecord, type RewardRecord} from '../../src/core/reward.js'

export interface LogQuery {
  limit: number
  offset: number
  model?: string
  apiKeyId?: string
  status?: number
  /** Only records at or after this time (ISO 8601). */
  since?: string
}

export function matchesLogQuery(query: Omit<LogQuery, 'limit' | 'offset'>) {
  return (record: RequestLogRecord): boolean =>
    (!query.model || record.model_id === query.model || record.requested_model === query.model) &&
    // A key by its id (the admin routes resolve a registered key's name to its id first), or by
    // the name it had when the request was made (a name no key has now still finds its history).
    (!query.apiKeyId || record.api_key_id === query.apiKeyId || record.api_key_name === query.apiKeyId) &&
    (query.status === undefined || record.status_code === query.status) &&
    (!query.since || record.timestamp >= query.since)
}

/**
 * Recent request records in a bounded ring, for GET /admin/v1/logs. Durable history lives in the
 * journal (export reads it); the ring is refilled from it at start.
 */
export class RequestLogRing {
  private readonly ring: RecordRing<RequestLogRecord>

  constructor(readonly capacity = 10_000) {
    this.ring = new RecordRing(capacity)
  }

  add(record: RequestLogRecord): void {
    this.ring.add(record)
  }

  /** Recent bandit observations, newest first. */
  rewards(model: string | null, offset: number, limit: number): {items: RewardRecord[]; total: number} {
    const {items, total} = this.ring.query((r) => r.reward !== null && r.reward !== undefined && (!model || r.model_id === model), offset, limit)
    return {items: items.map((r) => rewardOfRecord(r)!), total}
  }

  /** Newest first, filtered, paged. */
  query(query: LogQuery): {logs: RequestLogRecord[]; total: number} {
    const {items, total} = this.ring.query(matchesLogQuery(query), query.offset, query.limit)
    return {logs: items, total}
  }
}

import type {AuditRecord} from '../../src/core/audit.js'
import {RecordRing} from '../../src/core/record-ring.js'
import {requestScope} from '../http/request-scope.js'

export interface AuditQuery {
  limit: number
  offset: number
  action?: string
  resource?: string
  outcome?: 'ok' | 'denied'
  since?: string
}

/**
 * Every admin mutation, with who, what, which request and from where. Kept in a ring for the
 * API and appended to the journal for history (refilled from it at start). The request id and
 * address come from the admin request scope (daemon/http/request-scope.ts), which exists while a
 * POST, PUT, PATCH or DELETE handler runs: record changes from within the handler (awaited), not
 * from work it leaves running after it answered, or they are recorded without them.
 */
export class AuditTrail {
  private readonly ring = new RecordRing<AuditRecord>(10_000)

  constructor(
    private readonly persist: (record: AuditRecord) => void,
    /** Resolves once every record persisted so far is synced; awaited before the admin answer goes out. */
    private readonly sync?: () => Promise<void>,
  ) {}

  record(entry: {resource: string; action: string; id: string; outcome?: 'ok' | 'denied'; detail?: string}): AuditRecord {
    const scope = requestScope.getStore()
    const record: AuditRecord = {
      timestamp: new Date().toISOString(),
      actor: 'admin',
      action: `${entry.resource}.${entry.action}`,
      resource: entry.resource,
      resource_id: entry.id,
      outcome: entry.outcome ?? 'ok',
      request_id: scope?.requestId ?? null,
      remote_addr: scope?.remoteAddress ?? null,
      ...(entry.detail && {detail: entry.detail}),
    }
    this.ring.add(record)
    this.persist(record)
    if (scope && this.sync) (scope.pending ??= []).push(this.sync())
    return record
  }

  /** Records read back from the journal at start. */
  restore(record: AuditRecord): void {
    this.ring.add(record)
  }

  query(query: AuditQuery): {logs: AuditRecord[]; total: number} {
    const {items, total} = this.ring.query(
      (r) =>
        (!query.action || r.action === query.action || r.action.startsWith(`${query.action}.`)) &&
        (!query.resource || r.resource === query.resource || r.resource_id === query.resource) &&
        (!query.outcome || r.outcome === query.outcome) &&
        (!query.since || r.timestamp >= query.since),
      query.offset,
      query.limit,
    )
    return {logs: items, total}
  }
}

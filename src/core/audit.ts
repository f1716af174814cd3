/** One admin action, as the audit trail keeps it. Never carries secrets (ids and prefixes only). */
export interface AuditRecord {
  timestamp: string
  /** Who: "admin" (the admin token) — one token, one actor. */
  actor: string
  /** resource.action, e.g. "provider.create", "apikey.revoke", "vault.unlock". */
  action: string
  resource: string
  resource_id: string
  outcome: 'ok' | 'denied'
  request_id: string | null
  remote_addr: string | null
  detail?: string
}

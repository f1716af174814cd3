import type {ConfigStore} from '../store/config-store.js'
import type {Vault} from '../vault/vault.js'

export interface AdminChange {
  resource: 'provider' | 'model' | 'alias' | 'api_key' | 'routing_config' | 'vault' | 'admin_token'
  action: string
  id: string
  /** An update's changed fields, by name (never their values: a provider's `api_key` is one). */
  changed?: string[]
  /** For the audit trail: how the change came about, when the action alone does not say (an upsert). */
  detail?: string
}

/** The result of a POST that creates or, for an id that exists, updates (TokenHub's upsert). */
export interface Upserted<T> {
  value: T
  created: boolean
  /** An update's changed fields (empty: the body matched what was stored). */
  changed: string[]
}

/** The audit detail of a POST that updated an existing record. */
export function upsertDetail(changed: readonly string[]): string {
  return changed.length > 0 ? `POST on an existing id (upsert); changed: ${changed.join(', ')}` : 'POST on an existing id (upsert); nothing changed'
}

/** Fields whose values differ between two versions of a record, sorted; `updated_at` is not a change. Secrets go by the name given in `rename`. */
export function changedFields(before: object, after: object, rename: Record<string, string> = {}): string[] {
  const a = before as Record<string, unknown>
  const b = after as Record<string, unknown>
  const names = new Set([...Object.keys(a), ...Object.keys(b)])
  names.delete('updated_at')
  return [...names]
    .filter((name) => JSON.stringify(a[name]) !== JSON.stringify(b[name]))
    .map((name) => rename[name] ?? name)
    .sort()
}

/** What every admin operation needs: the store, the vault, a clock and a change listener. */
export interface AdminContext {
  store: ConfigStore
  vault: Vault
  now: () => Date
  onChange: (change: AdminChange) => void
}

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export function paginate<T>(all: readonly T[], limit: number, offset: number): Page<T> {
  return {items: all.slice(offset, offset + limit), total: all.length, limit, offset}
}

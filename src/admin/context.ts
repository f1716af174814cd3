import type {ConfigStore} from '../store/config-store.js'
import type {Vault} from '../vault/vault.js'

export interface AdminChange {
  resource: 'provider' | 'model' | 'alias' | 'api_key' | 'routing_config' | 'vault' | 'admin_token'
  action: string
  id: string
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

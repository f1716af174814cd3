import type {ApiKeyDto, ModelDto} from '../core/api-types.js'
import type {StickyBy} from '../core/routing/alias.js'
import type {ApiKeyScope} from '../core/schemas/apikey.js'
import type {ProviderType, RoutingMode} from '../core/schemas/common.js'

export interface ProviderRecord {
  id: string
  type: ProviderType
  base_url: string
  enabled: boolean
  /** The provider's API key, age-encrypted to the vault recipient (base64). Never plaintext. */
  api_key_enc: string | null
  created_at: string
  updated_at: string
}

export type ModelKind = ModelDto['kind']

/** A model as stored is exactly what the admin API returns. */
export type ModelRecord = ModelDto

/** A client API key as stored: the wire fields (minus what is computed per request) plus the hash. */
export type ApiKeyRecord = Omit<ApiKeyDto, 'status' | 'current_spend_usd' | 'scopes'> & {
  scopes: ApiKeyScope[]
  /** SHA-256 of the full key, hex. The key itself is never stored. */
  key_hash: string
}

export interface RoutingConfig {
  default_mode: RoutingMode
  default_max_budget_usd: number
  default_max_latency_ms: number
}

export interface VaultRecord {
  /** age X25519 recipient (public key) that provider secrets are encrypted to. */
  recipient: string
  /** The matching identity, age-encrypted with the vault password (scrypt stanza), base64. */
  wrapped_identity: string
  created_at: string
  rotated_at: string | null
}

export interface AdminTokenState {
  /** SHA-256 hashes of tokens replaced by a rotation, so a stale TOKENHUB_ADMIN_TOKEN cannot come back. */
  retired_hashes: string[]
  rotated_at: string | null
}

export interface AliasRecord {
  /** Exact name ("gpt-4") or pattern with `*` ("claude-*"). */
  name: string
  variants: Array<{model_id: string; weight: number}>
  sticky_by: StickyBy
  enabled: boolean
  created_at: string
  updated_at: string
}

export interface StoreDocument {
  schema_version: 1
  providers: Record<string, ProviderRecord>
  models: Record<string, ModelRecord>
  aliases: Record<string, AliasRecord>
  api_keys: Record<string, ApiKeyRecord>
  /** null until an operator sets it; defaults come from flags and env. */
  routing: Partial<RoutingConfig> | null
  vault: VaultRecord | null
  admin_token: AdminTokenState
  /** Settings changed through the API that must survive restarts. */
  settings: {tsdb_retention_ms?: number}
}

export function emptyDocument(): StoreDocument {
  return {
    schema_version: 1,
    providers: {},
    models: {},
    aliases: {},
    api_keys: {},
    routing: null,
    vault: null,
    admin_token: {retired_hashes: [], rotated_at: null},
    settings: {},
  }
}

/** Own-property lookup: ids such as "constructor" must not hit Object.prototype. */
export function getOwn<T>(records: Record<string, T>, id: string): T | undefined {
  return Object.hasOwn(records, id) ? records[id] : undefined
}

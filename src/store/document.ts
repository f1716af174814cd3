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

export type ModelKind = 'chat' | 'embedding'

export interface ModelRecord {
  id: string
  provider_id: string
  /** Model id sent upstream; null means the same as `id`. */
  upstream_model: string | null
  /** What the model serves: chat (chat, messages, completions) or embedding. */
  kind: ModelKind
  weight: number
  max_context_tokens: number
  max_output_tokens: number | null
  input_per_1k: number
  output_per_1k: number
  enabled: boolean
  pricing_source: string
  created_at: string
  updated_at: string
}

export interface ApiKeyRecord {
  id: string
  name: string
  /** First characters of the key, safe to show (e.g. "th-a1B2c3D4"). */
  key_prefix: string
  /** SHA-256 of the full key, hex. The key itself is never stored. */
  key_hash: string
  scopes: ApiKeyScope[]
  allowed_models: string[] | null
  allowed_providers: string[] | null
  project: string | null
  expires_at: string | null
  monthly_budget_usd: number
  rate_limit_rpm: number
  rate_limit_tpm: number
  rotation_days: number
  enabled: boolean
  created_at: string
  updated_at: string
  rotated_at: string | null
  revoked_at: string | null
  last_used_at: string | null
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
  }
}

/** Own-property lookup: ids such as "constructor" must not hit Object.prototype. */
export function getOwn<T>(records: Record<string, T>, id: string): T | undefined {
  return Object.hasOwn(records, id) ? records[id] : undefined
}

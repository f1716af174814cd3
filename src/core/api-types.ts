/** Wire shapes of the admin API: returned by the daemon, read by the CLI and TUI. Pure types. */

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export interface InfoDto {
  tokenhub: string
  version: string
  uptime_s: number
  vault_locked: boolean
  vault_initialized: boolean
  providers: number
  models: number
  api_keys: number
}

export interface HealthzDto {
  status: string
  version: string
  uptime_s: number
  vault_locked: boolean
}

export interface ProviderDto {
  id: string
  type: string
  base_url: string
  enabled: boolean
  has_api_key: boolean
  cred_store: string
  model_count: number
  created_at: string
  updated_at: string
}

export interface ModelDto {
  id: string
  provider_id: string
  upstream_model: string | null
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

export interface RoutingConfigDto {
  default_mode: string
  default_max_budget_usd: number
  default_max_latency_ms: number
}

export interface ApiKeyDto {
  id: string
  name: string
  key_prefix: string
  scopes: string[]
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
  status: string
}

export interface ApiKeySecretDto extends ApiKeyDto {
  ok: true
  key: string
  warning: string
}

export interface DiscoveryDto {
  provider_id: string
  models: Array<{id: string; owned_by: string; registered: boolean}>
}

export interface VaultStateDto {
  ok: true
  vault_locked: boolean
  vault_initialized: boolean
  initialized?: boolean
  already_locked?: boolean
}

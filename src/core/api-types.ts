import type {AuditRecord} from './audit.js'
import type {StatsResult, StatsRow} from './metrics/stats.js'
import type {RequestLogRecord} from './request-log.js'
import type {RewardRecord} from './reward.js'
import type {Posterior} from './routing/thompson.js'

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
  /** What the model serves: chat (chat, messages, completions) or embedding. */
  kind: 'chat' | 'embedding'
  weight: number
  max_context_tokens: number
  max_output_tokens: number | null
  input_per_1k: number
  output_per_1k: number
  /** USD per 1k prompt tokens read from the upstream's prompt cache; null: the provider type's default share of input_per_1k. */
  cache_read_per_1k?: number | null
  /** USD per 1k prompt tokens written to the prompt cache (Anthropic); null: the default. */
  cache_write_per_1k?: number | null
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
  /** Spend in the current UTC month, from actual usage. */
  current_spend_usd: number
  status: string
}

export interface ApiKeySecretDto extends ApiKeyDto {
  ok: true
  key: string
  warning: string
  /** Create: allowed_models / allowed_providers entries that name nothing registered. */
  warnings?: string[]
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
  /** After a rotation: the password is also in the daemon's environment, to be changed there. */
  warning?: string
}

export interface AliasDto {
  name: string
  variants: Array<{model_id: string; weight: number}>
  sticky_by: string
  enabled: boolean
  created_at: string
  updated_at: string
}

export interface TargetHealthDto {
  id: string
  state: 'closed' | 'open' | 'half_open'
  requests: number
  errors: number
  error_rate: number
  p50_ms: number | null
  p95_ms: number | null
  consecutive_failures: number
  last_error: string | null
  last_error_at: string | null
  /** Skipped until then: the upstream rate limited it (429, Retry-After). */
  cooldown_until: string | null
  /** While the circuit is open: when a probe request will be let through. */
  open_until: string | null
}

export interface HealthDto {
  providers: TargetHealthDto[]
  models: TargetHealthDto[]
}

export type RequestLogDto = RequestLogRecord

export interface SimulationDto {
  mode: string
  token_count: number
  chosen: string | null
  /** The alias the simulated `model` named, when it named one. */
  alias_from?: string | null
  /** The vault is locked: providers with a key are skipped (vault_locked), as the gateway would. */
  vault_locked: boolean
  candidates: Array<{
    model_id: string
    provider_id: string
    rank: number | null
    score: number | null
    components: {cost: number; latency: number; failure: number; weight: number} | null
    estimated_cost_usd: number
    p95_latency_ms: number | null
    error_rate: number
    weight: number
    skip_reason: string | null
    skip_detail: string | null
    sample?: number
  }>
}

export type AuditDto = AuditRecord

export interface RewardsDto {
  rewards: RewardRecord[]
  total: number
  limit: number
  offset: number
  posteriors: Posterior[]
}

export type StatsRowDto = StatsRow

export type StatsDto = StatsResult

export interface EngineModelsDto {
  models: Array<{
    id: string
    provider_id: string
    adapter: string
    wire: string
    upstream_model: string
    kind: string
    enabled: boolean
    weight: number
    max_context_tokens: number
    input_per_1k: number
    output_per_1k: number
    health: string
    provider_health: string
    requests: number
    error_rate: number
    p50_ms: number | null
    p95_ms: number | null
    cooldown_until: string | null
  }>
  total: number
  adapters: Array<{provider_id: string; type: string; wire: string; base_url: string; enabled: boolean; credential: string}>
}

export interface TsdbResultDto {
  metric: string
  agg: string
  step_ms: number
  start: number
  end: number
  labels: Record<string, string>
  points: Array<{t: number; value: number | null}>
}

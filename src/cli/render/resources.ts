import type {ApiKeyDto, DiscoveryDto, ModelDto, ProviderDto, RoutingConfigDto} from '../../core/api-types.js'
import {paint} from '../style.js'
import {renderFields, renderTable} from '../table.js'
import {usd} from './format.js'

const spent = (value: number) => (value === 0 ? '$0' : usd(value))

const yesNo = (value: boolean) => (value ? 'yes' : 'no')
const price = (value: number) => `$${value}`
const date = (value: string | null) => (value ? value.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null)

const statusColor = (value: string) => {
  const trimmed = value.trim()
  if (trimmed === 'active' || trimmed === 'yes') return paint(value, 'green')
  if (trimmed === 'revoked' || trimmed === 'expired') return paint(value, 'red')
  if (trimmed === 'disabled' || trimmed === 'no') return paint(value, 'yellow')
  return value
}

export function providersTable(rows: ProviderDto[]): string {
  return renderTable(
    rows,
    [
      {header: 'id', get: (p) => p.id},
      {header: 'type', get: (p) => p.type},
      {header: 'base url', get: (p) => p.base_url, narrow: 'shrink'},
      {header: 'enabled', get: (p) => yesNo(p.enabled), color: statusColor},
      {header: 'api key', get: (p) => (p.has_api_key ? 'vault' : 'none'), narrow: 'drop'},
      {header: 'models', get: (p) => p.model_count, narrow: 'drop'},
    ],
    'No providers yet. Add one: tokenhub provider add --id openai --type openai --base-url https://api.openai.com --api-key-stdin',
  )
}

export function modelsTable(rows: ModelDto[]): string {
  return renderTable(
    rows,
    [
      {header: 'id', get: (m) => m.id},
      {header: 'provider', get: (m) => m.provider_id},
      {header: 'kind', get: (m) => m.kind, narrow: 'drop'},
      {header: 'weight', get: (m) => m.weight, narrow: 'drop'},
      {header: 'context', get: (m) => m.max_context_tokens, narrow: 'drop'},
      {header: 'in/1k', get: (m) => price(m.input_per_1k)},
      {header: 'out/1k', get: (m) => price(m.output_per_1k)},
      {header: 'pricing', get: (m) => m.pricing_source, narrow: 'drop'},
      {header: 'enabled', get: (m) => yesNo(m.enabled), color: statusColor},
    ],
    'No models yet. Add one: tokenhub model add --id gpt-4o --provider openai',
  )
}

export function apiKeysTable(rows: ApiKeyDto[]): string {
  return renderTable(
    rows,
    [
      {header: 'id', get: (k) => k.id},
      {header: 'name', get: (k) => k.name, narrow: 'shrink'},
      {header: 'prefix', get: (k) => `${k.key_prefix}...`, narrow: 'drop'},
      {header: 'scopes', get: (k) => k.scopes.join(','), narrow: 'drop'},
      {header: 'status', get: (k) => k.status, color: statusColor},
      // What an operator checks: this month's spend against the budget.
      {header: 'spent/budget', get: (k) => `${spent(k.current_spend_usd)} / ${k.monthly_budget_usd > 0 ? `$${k.monthly_budget_usd}` : 'unlimited'}`},
      {header: 'expires', get: (k) => date(k.expires_at) ?? 'never', narrow: 'drop'},
      {header: 'last used', get: (k) => date(k.last_used_at) ?? 'never', narrow: 'drop'},
      {header: 'created', get: (k) => date(k.created_at), narrow: 'drop'},
    ],
    'No API keys yet. Create one: tokenhub apikey create --name my-app',
  )
}

export function providerFields(p: ProviderDto): string {
  return renderFields([
    ['id', p.id],
    ['type', p.type],
    ['base_url', p.base_url],
    ['enabled', yesNo(p.enabled)],
    ['api key', p.has_api_key ? 'stored in the vault' : 'none'],
    ['models', p.model_count],
    ['updated', date(p.updated_at)],
  ])
}

export function modelFields(m: ModelDto): string {
  return renderFields([
    ['id', m.id],
    ['provider', m.provider_id],
    ['upstream model', m.upstream_model ?? m.id],
    ['kind', m.kind],
    ['weight', m.weight],
    ['max context', m.max_context_tokens],
    ['max output', m.max_output_tokens],
    ['input per 1k', price(m.input_per_1k)],
    ['output per 1k', price(m.output_per_1k)],
    ['cache read per 1k', m.cache_read_per_1k == null ? 'provider default' : price(m.cache_read_per_1k)],
    ['cache write per 1k', m.cache_write_per_1k == null ? 'provider default' : price(m.cache_write_per_1k)],
    ['pricing source', m.pricing_source],
    ['enabled', yesNo(m.enabled)],
  ])
}

export function apiKeyFields(k: ApiKeyDto): string {
  return renderFields([
    ['id', k.id],
    ['name', k.name],
    ['prefix', `${k.key_prefix}...`],
    ['status', k.status],
    ['scopes', k.scopes.join(', ')],
    ['allowed models', k.allowed_models?.join(', ') ?? 'all'],
    ['allowed providers', k.allowed_providers?.join(', ') ?? 'all'],
    ['project', k.project],
    ['monthly budget', k.monthly_budget_usd > 0 ? `$${k.monthly_budget_usd}` : 'unlimited'],
    ['spent this month', spent(k.current_spend_usd)],
    ['rate limit', k.rate_limit_rpm > 0 ? `${k.rate_limit_rpm} req/min` : 'none'],
    ['token limit', k.rate_limit_tpm > 0 ? `${k.rate_limit_tpm} tokens/min` : 'none'],
    ['expires', date(k.expires_at) ?? 'never'],
    ['last used', date(k.last_used_at) ?? 'never'],
    ['created', date(k.created_at)],
    ['rotated', date(k.rotated_at)],
    ['revoked', date(k.revoked_at)],
  ])
}

export function routingFields(r: RoutingConfigDto): string {
  return renderFields([
    ['default_mode', r.default_mode],
    ['default_max_budget_usd', r.default_max_budget_usd === 0 ? '0 (unlimited)' : r.default_max_budget_usd],
    ['default_max_latency_ms', r.default_max_latency_ms === 0 ? '0 (unlimited)' : r.default_max_latency_ms],
  ])
}

export function discoveryTable(result: DiscoveryDto): string {
  return renderTable(
    result.models,
    [
      {header: 'model', get: (m) => m.id},
      {header: 'owned by', get: (m) => m.owned_by, narrow: 'drop'},
      {header: 'registered', get: (m) => yesNo(m.registered), color: statusColor},
    ],
    `Provider ${result.provider_id} reports no models.`,
  )
}

/** The first line of `provider add` / `model add`: what the create-or-update POST did. */
export function upsertOutcome(what: 'Provider' | 'Model', id: string, result: {created: boolean; changed?: string[]}): string {
  if (result.created) return `${what} ${id} created.`
  const changed = result.changed ?? []
  return changed.length > 0 ? `${what} ${id} existed and was updated (changed: ${changed.join(', ')}).` : `${what} ${id} exists with these settings; nothing changed.`
}

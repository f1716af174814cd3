import type {AliasDto, HealthDto, RequestLogDto, SimulationDto, TargetHealthDto} from '../../core/api-types.js'
import {paint} from '../style.js'
import {ms, pct, usd} from './format.js'
import {renderFields, renderTable} from '../table.js'


const stateColor = (value: string) => {
  const state = value.trim()
  if (state === 'closed') return paint(value, 'green')
  if (state === 'open') return paint(value, 'red')
  if (state === 'half_open') return paint(value, 'yellow')
  return value
}

const statusColor = (value: string) => {
  const code = Number(value.trim())
  if (code >= 500) return paint(value, 'red')
  if (code >= 400) return paint(value, 'yellow')
  return paint(value, 'green')
}

export function aliasesTable(rows: AliasDto[]): string {
  return renderTable(
    rows,
    [
      {header: 'name', get: (a) => a.name},
      {header: 'variants', get: (a) => a.variants.map((v) => `${v.model_id}=${v.weight}`).join(', '), narrow: 'shrink'},
      {header: 'sticky by', get: (a) => a.sticky_by, narrow: 'drop'},
      {header: 'enabled', get: (a) => (a.enabled ? 'yes' : 'no')},
    ],
    'No aliases yet. Create one: tokenhub alias set gpt-4 --model <registered model id>',
  )
}

const timeOfDay = (iso: string) => iso.replace(/^.*T/, '').replace(/\.\d+Z$/, 'Z')

/** Why the router passes over a target now, and until when: a 429 cooldown, an open circuit's wait for its probe. */
function retryAt(t: TargetHealthDto): string | null {
  const parts = [t.open_until && `probe at ${timeOfDay(t.open_until)}`, t.cooldown_until && `cooling down until ${timeOfDay(t.cooldown_until)}`].filter(Boolean)
  return parts.length > 0 ? parts.join('; ') : null
}

function healthTable(title: string, rows: TargetHealthDto[]): string {
  return `${title}\n${renderTable(
    rows,
    [
      {header: 'id', get: (t) => t.id},
      {header: 'circuit', get: (t) => t.state, color: stateColor},
      {header: 'requests', get: (t) => t.requests},
      {header: 'errors', get: (t) => pct(t.error_rate)},
      {header: 'p50', get: (t) => ms(t.p50_ms)},
      {header: 'p95', get: (t) => ms(t.p95_ms)},
      {header: 'retry', get: retryAt},
      {header: 'last error', get: (t) => (t.last_error ? `${t.last_error} (${t.last_error_at})` : null), narrow: 'shrink'},
    ],
    '  (none registered)',
  )}`
}

export function healthTables(health: HealthDto): string {
  return `${healthTable('PROVIDERS', health.providers)}\n\n${healthTable('MODELS', health.models)}`
}

export function logsTable(rows: RequestLogDto[], empty = 'No requests yet.'): string {
  return renderTable(
    rows,
    [
      {header: 'time', get: (l) => l.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z')},
      {header: 'status', get: (l) => l.status_code, color: statusColor},
      {header: 'endpoint', get: (l) => l.endpoint.replace('/v1/', ''), narrow: 'drop'},
      {header: 'key', get: (l) => l.api_key_name, narrow: 'shrink'},
      // A request refused before routing has no model: what it asked for.
      {header: 'model', get: (l) => (l.model_id === null ? l.requested_model : l.alias_from ? `${l.model_id} (${l.alias_from})` : l.model_id), narrow: 'shrink'},
      {header: 'tokens in/out', get: (l) => `${l.input_tokens}/${l.output_tokens}`},
      {header: 'cost', get: (l) => (l.unpriced ? 'unpriced' : usd(l.cost_usd))},
      {header: 'latency', get: (l) => ms(l.latency_ms)},
      {header: 'tries', get: (l) => l.attempts.length, narrow: 'drop'},
      {header: 'error', get: (l) => l.error_class, narrow: 'shrink'},
    ],
    empty,
  )
}

export function simulationTable(result: SimulationDto): string {
  // Only when it changed the answer: a daemon whose providers have no key works the same locked.
  const skippedLocked = result.candidates.some((c) => c.skip_reason === 'vault_locked')
  const locked = skippedLocked ? ' (the vault is locked: providers with an API key are skipped; run `tokenhub vault unlock`)' : ''
  const via = result.alias_from ? ` (alias ${result.alias_from})` : ''
  const head = `mode ${result.mode}, ~${result.token_count} input tokens: ${result.chosen ? `would route to ${result.chosen}${via}` : 'no eligible model'}${locked}`
  return `${head}\n${renderTable(
    result.candidates,
    [
      {header: 'rank', get: (c) => c.rank ?? '-'},
      {header: 'model', get: (c) => c.model_id},
      {header: 'provider', get: (c) => c.provider_id},
      {header: 'score', get: (c) => (c.score === null ? null : c.score.toFixed(4))},
      {header: 'cost', get: (c) => c.components?.cost.toFixed(2), narrow: 'drop'},
      {header: 'latency', get: (c) => c.components?.latency.toFixed(2), narrow: 'drop'},
      {header: 'errors', get: (c) => c.components?.failure.toFixed(2), narrow: 'drop'},
      {header: 'weight', get: (c) => c.weight},
      {header: 'est. cost', get: (c) => usd(c.estimated_cost_usd)},
      {header: 'skipped', get: (c) => (c.skip_reason ? `${c.skip_reason}: ${c.skip_detail}` : null), narrow: 'shrink'},
    ],
    'No models are registered.',
  )}`
}

/** One target's health as fields (`tokenhub provider-status ID`, tokenhubctl's verb). */
export function targetHealthFields(kind: 'provider' | 'model', t: TargetHealthDto): string {
  return renderFields([
    [kind, t.id],
    ['circuit', t.state],
    ['requests', t.requests],
    ['errors', `${t.errors} (${pct(t.error_rate)})`],
    ['consecutive failures', t.consecutive_failures],
    ['p50', ms(t.p50_ms)],
    ['p95', ms(t.p95_ms)],
    ['retry', retryAt(t)],
    ['last error', t.last_error],
    ['last error at', t.last_error_at],
  ])
}

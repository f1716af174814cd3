import type {AuditDto, EngineModelsDto, RewardsDto, StatsDto, StatsRowDto, TsdbResultDto} from '../../core/api-types.js'
import {paint} from '../style.js'
import {ms, pct, usd} from './format.js'
import {renderTable} from '../table.js'


function statsSection(title: string, rows: Record<string, StatsRowDto>): string {
  const entries = Object.entries(rows)
  return `${title}\n${renderTable(
    entries,
    [
      {header: title.toLowerCase().replace('by ', ''), get: ([name]) => name || '(none)'},
      {header: 'requests', get: ([, r]) => r.requests},
      {header: 'errors', get: ([, r]) => `${r.errors} (${pct(r.error_rate)})`},
      {header: 'p50', get: ([, r]) => ms(r.p50_ms), narrow: 'drop'},
      {header: 'p95', get: ([, r]) => ms(r.p95_ms)},
      {header: 'p99', get: ([, r]) => ms(r.p99_ms), narrow: 'drop'},
      {header: 'ttft p50', get: ([, r]) => ms(r.ttft_p50_ms), narrow: 'drop'},
      {header: 'tokens in/out', get: ([, r]) => `${r.tokens_in}/${r.tokens_out}`},
      {header: 'cost', get: ([, r]) => usd(r.cost_usd)},
    ],
    '  (no requests)',
  )}`
}

export function statsView(stats: StatsDto): string {
  const t = stats.total
  const head = `window ${stats.window} (since ${stats.since}): ${t.requests} requests, ${t.errors} errors (${pct(t.error_rate)}), p50 ${ms(t.p50_ms) ?? '-'}, p95 ${ms(t.p95_ms) ?? '-'}, p99 ${ms(t.p99_ms) ?? '-'}, tokens ${t.tokens_in}/${t.tokens_out}, cost ${usd(t.cost_usd)}`
  return [head, statsSection('BY MODEL', stats.by_model), statsSection('BY PROVIDER', stats.by_provider), statsSection('BY KEY', stats.by_key), statsSection('BY MODE', stats.by_mode)].join('\n\n')
}

export function statsSummary(windows: Record<string, StatsDto>): string {
  return renderTable(
    Object.values(windows),
    [
      {header: 'window', get: (s) => s.window},
      {header: 'requests', get: (s) => s.total.requests},
      {header: 'errors', get: (s) => `${s.total.errors} (${pct(s.total.error_rate)})`},
      {header: 'p50', get: (s) => ms(s.total.p50_ms), narrow: 'drop'},
      {header: 'p95', get: (s) => ms(s.total.p95_ms)},
      {header: 'p99', get: (s) => ms(s.total.p99_ms), narrow: 'drop'},
      {header: 'ttft p50', get: (s) => ms(s.total.ttft_p50_ms), narrow: 'drop'},
      {header: 'tokens in/out', get: (s) => `${s.total.tokens_in}/${s.total.tokens_out}`},
      {header: 'cost', get: (s) => usd(s.total.cost_usd)},
    ],
  )
}

export function auditTable(rows: AuditDto[], empty = 'No admin actions recorded yet.'): string {
  return renderTable(
    rows,
    [
      {header: 'time', get: (a) => a.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z')},
      {header: 'actor', get: (a) => a.actor, narrow: 'drop'},
      {header: 'action', get: (a) => a.action},
      {header: 'resource', get: (a) => a.resource_id},
      {header: 'outcome', get: (a) => a.outcome, color: (v) => (v.trim() === 'ok' ? v : paint(v, 'red'))},
      {header: 'request', get: (a) => a.request_id, narrow: 'drop'},
      {header: 'from', get: (a) => a.remote_addr, narrow: 'drop'},
      {header: 'detail', get: (a) => a.detail, narrow: 'shrink'},
    ],
    empty,
  )
}

export function rewardsView(result: RewardsDto): string {
  const posteriors = renderTable(
    result.posteriors,
    [
      {header: 'model', get: (p) => p.model_id},
      {header: 'bucket', get: (p) => p.token_bucket},
      {header: 'alpha', get: (p) => p.alpha.toFixed(2), narrow: 'drop'},
      {header: 'beta', get: (p) => p.beta.toFixed(2), narrow: 'drop'},
      {header: 'mean', get: (p) => p.mean.toFixed(3)},
      {header: 'samples', get: (p) => p.samples},
    ],
    '  (no posteriors yet)',
  )
  const rewards = renderTable(
    result.rewards,
    [
      {header: 'time', get: (r) => r.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z')},
      {header: 'model', get: (r) => r.model_id},
      {header: 'bucket', get: (r) => r.token_bucket, narrow: 'drop'},
      {header: 'mode', get: (r) => r.mode, narrow: 'drop'},
      {header: 'success', get: (r) => (r.success ? 'yes' : 'no')},
      {header: 'latency', get: (r) => ms(r.latency_ms)},
      {header: 'cost', get: (r) => usd(r.cost_usd)},
      {header: 'reward', get: (r) => r.reward.toFixed(3)},
    ],
    '  (no rewards yet)',
  )
  return `POSTERIORS\n${posteriors}\n\nRECENT REWARDS\n${rewards}`
}

export function engineTable(result: EngineModelsDto): string {
  const models = renderTable(
    result.models,
    [
      {header: 'model', get: (m) => m.id},
      {header: 'provider', get: (m) => m.provider_id},
      {header: 'adapter', get: (m) => m.adapter, narrow: 'drop'},
      {header: 'upstream', get: (m) => m.upstream_model, narrow: 'shrink'},
      {header: 'health', get: (m) => m.health},
      {header: 'requests', get: (m) => m.requests},
      {header: 'errors', get: (m) => pct(m.error_rate)},
      {header: 'p95', get: (m) => ms(m.p95_ms)},
      {header: 'enabled', get: (m) => (m.enabled ? 'yes' : 'no')},
    ],
    '  (no models)',
  )
  const adapters = renderTable(
    result.adapters,
    [
      {header: 'provider', get: (a) => a.provider_id},
      {header: 'type', get: (a) => a.type},
      {header: 'wire', get: (a) => a.wire, narrow: 'drop'},
      {header: 'base url', get: (a) => a.base_url, narrow: 'shrink'},
      {header: 'credential', get: (a) => a.credential},
    ],
    '  (no providers)',
  )
  return `MODELS\n${models}\n\nADAPTERS\n${adapters}`
}

export function tsdbSummary(result: TsdbResultDto): string {
  const values = result.points.map((p) => p.value).filter((v): v is number => v !== null)
  const labels = Object.entries(result.labels).map(([k, v]) => `${k}=${v}`).join(' ')
  const from = new Date(result.start).toISOString()
  const to = new Date(result.end).toISOString()
  return `${result.metric} (${result.agg}, step ${result.step_ms / 1000}s${labels ? `, ${labels}` : ''}) ${from} .. ${to}: ${result.points.length} points, ${values.length} with data${values.length ? `, min ${Math.min(...values).toPrecision(4)}, max ${Math.max(...values).toPrecision(4)}` : ''}`
}

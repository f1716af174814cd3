import {getOwn} from '../../src/store/document.js'
import {parseDuration} from '../../src/core/duration.js'
import {TokenHubError, validation} from '../../src/core/errors.js'
import {computeStats, WINDOWS} from '../../src/core/metrics/stats.js'
import {listMetrics, queryTsdb, validateTsdbQuery} from '../../src/core/metrics/tsdb.js'
import {REQUEST_CSV_HEADER, requestCsvRow, type RequestLogRecord} from '../../src/core/request-log.js'
import {parseSince} from '../../src/core/since.js'
import {endpointFor} from '../../src/providers/index.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import type {RequestContext} from '../http/context.js'
import {matchesLogQuery, type LogQuery} from '../gateway/request-log.js'
import type {GatewayRuntime} from '../gateway/runtime.js'
import type {AdminRoute} from './deps.js'
import {PAGE, pageParams} from './pagination.js'

/** The filters of /logs and /logs/export. */
const LOG_FILTERS = ['status', 'since', 'model', 'model_id', 'api_key_id', 'key'] as const

function logFilters(ctx: RequestContext, store: ConfigStore): Omit<LogQuery, 'limit' | 'offset'> {
  const status = ctx.query.get('status')
  if (status !== null && !/^\d{3}$/.test(status)) throw validation(`query parameter status must be an HTTP status code, got "${status}"`)
  const since = ctx.query.get('since')
  const key = ctx.query.get('api_key_id') ?? ctx.query.get('key')
  return {
    model: ctx.query.get('model') ?? ctx.query.get('model_id') ?? undefined,
    // As for the time series: a name several keys share is a 400, not their requests merged.
    apiKeyId: key === null ? undefined : keyIdOf(store, key),
    status: status === null ? undefined : Number(status),
    since: since ? parseSince(since, Date.now()) : undefined,
  }
}

function limitParam(ctx: RequestContext, fallback: number, max: number): {limit: number; offset: number} {
  const {limit, offset} = pageParams(ctx.query)
  return {limit: ctx.query.get('limit') ? Math.min(limit, max) : fallback, offset}
}

/**
 * An API key filter as a key id: an id as is; else the name of exactly one key (`tokenhub apikey
 * list` shows names first); else as given (a deleted key's id still has its history).
 */
function keyIdOf(store: ConfigStore, value: string): string {
  const keys = store.data.api_keys
  if (getOwn(keys, value)) return value
  const named = Object.values(keys).filter((key) => key.name === value)
  if (named.length > 1) throw validation(`${named.length} API keys are named "${value}"; give the id of one (tokenhub apikey list)`, {parameter: 'key'})
  return named[0]?.id ?? value
}

/**
 * A filter that names no registered model, provider or key and no recorded series is a typo, not
 * an empty chart: 404 naming it instead of a flat line of zeros.
 */
function checkTsdbFilters(store: ConfigStore, rollups: GatewayRuntime['rollups'], query: {model?: string; provider?: string; key?: string}): void {
  const data = store.data
  const filters = [
    ['model', query.model, data.models, 'tokenhub models list'],
    ['provider', query.provider, data.providers, 'tokenhub providers list'],
    ['key', query.key, data.api_keys, 'tokenhub apikey list'],
  ] as const
  for (const [label, value, registered, list] of filters) {
    if (value === undefined || getOwn(registered as Record<string, unknown>, value) || rollups.hasSeries({[label]: value})) continue
    const what = label === 'key' ? 'API key (by id or name)' : label
    throw new TokenHubError('NOT_FOUND', `no ${what} "${value}" is registered or has recorded data; see ${list}`, {details: {parameter: label, id: value}})
  }
}

/** Routes over the live gateway: aliases are elsewhere; here health, logs, audit, stats, rewards, engine, TSDB. */
export function observabilityRoutes(deps: {runtime: GatewayRuntime; store: ConfigStore}): AdminRoute[] {
  const {runtime} = deps
  return [
    {
      method: 'get',
      path: '/admin/v1/health',
      handler: () => {
        // Every registered provider and model, with traffic or not; deleted ones keep their breakers in memory, unlisted.
        const data = deps.store.data
        return {body: runtime.health.snapshot({providers: Object.keys(data.providers), models: Object.keys(data.models)})}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/logs',
      query: [...PAGE, ...LOG_FILTERS],
      handler: (ctx) => {
        const {limit, offset} = limitParam(ctx, 100, 1000)
        const {logs, total} = runtime.logs.query({limit, offset, ...logFilters(ctx, deps.store)})
        return {body: {logs, total, limit, offset}}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/logs/export',
      query: [...LOG_FILTERS, 'format'],
      handler: async (ctx) => {
        const filters = logFilters(ctx, deps.store)
        const format = ctx.query.get('format') ?? 'csv'
        if (format !== 'csv' && format !== 'jsonl') throw validation('query parameter format must be csv or jsonl')
        const matches = matchesLogQuery(filters)
        await runtime.journals.requests.flush()
        let out = format === 'csv' ? REQUEST_CSV_HEADER : ''
        for await (const entry of runtime.journals.requests.read(filters.since ? {since: new Date(filters.since)} : undefined)) {
          const record = entry.record as RequestLogRecord & {type?: string}
          if (record?.type !== 'request' || !matches(record)) continue
          const {type: _type, ...clean} = record
          out += format === 'csv' ? requestCsvRow(clean) : `${JSON.stringify(clean)}\n`
        }
        return {body: out, contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson'}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/audit',
      query: [...PAGE, 'since', 'outcome', 'action', 'resource'],
      handler: (ctx) => {
        const {limit, offset} = limitParam(ctx, 100, 1000)
        const since = ctx.query.get('since')
        const outcome = ctx.query.get('outcome')
        if (outcome !== null && outcome !== 'ok' && outcome !== 'denied') throw validation('query parameter outcome must be ok or denied')
        const {logs, total} = runtime.audit.query({
          limit,
          offset,
          action: ctx.query.get('action') ?? undefined,
          resource: ctx.query.get('resource') ?? undefined,
          outcome: outcome ?? undefined,
          since: since ? parseSince(since, Date.now()) : undefined,
        })
        return {body: {logs, total, limit, offset}}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/rewards',
      query: [...PAGE, 'model', 'model_id'],
      handler: (ctx) => {
        const {limit, offset} = limitParam(ctx, 100, 1000)
        const model = ctx.query.get('model') ?? ctx.query.get('model_id')
        const {items, total} = runtime.logs.rewards(model, offset, limit)
        const models = deps.store.data.models
        if (model && total === 0 && !getOwn(models, model)) {
          throw new TokenHubError('NOT_FOUND', `no model "${model}" is registered or has recorded rewards; see tokenhub models list`, {details: {parameter: 'model', id: model}})
        }
        // A request under way when its model was deleted still rewards it: that evidence steers nothing and is not listed.
        const posteriors = runtime.bandit.posteriors().filter((p) => getOwn(models, p.model_id) && (!model || p.model_id === model))
        return {body: {rewards: items, total, limit, offset, posteriors}}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/stats',
      query: ['window'],
      handler: async (ctx) => {
        await runtime.rollupsReady
        const window = ctx.query.get('window')
        const now = Date.now()
        if (window !== null) {
          if (!Object.hasOwn(WINDOWS, window)) throw validation(`query parameter window must be one of ${Object.keys(WINDOWS).join(', ')}`)
          return {body: computeStats(runtime.rollups, now, window as keyof typeof WINDOWS)}
        }
        return {body: {windows: Object.fromEntries(Object.keys(WINDOWS).map((w) => [w, computeStats(runtime.rollups, now, w as keyof typeof WINDOWS)]))}}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/engine/models',
      handler: () => {
        const health = runtime.health.snapshot()
        const byModel = new Map(health.models.map((m) => [m.id, m]))
        const byProvider = new Map(health.providers.map((p) => [p.id, p]))
        const models = runtime.catalog.all().map((m) => {
          const h = byModel.get(m.id)
          return {
            id: m.id,
            provider_id: m.providerId,
            adapter: m.providerType,
            wire: endpointFor(m.providerType).wire,
            upstream_model: m.upstreamModel,
            kind: m.kind,
            enabled: m.enabled && m.providerEnabled,
            weight: m.weight,
            max_context_tokens: m.maxContextTokens,
            input_per_1k: m.inputPer1k,
            output_per_1k: m.outputPer1k,
            health: h?.state ?? 'closed',
            provider_health: byProvider.get(m.providerId)?.state ?? 'closed',
            requests: h?.requests ?? 0,
            error_rate: h?.error_rate ?? 0,
            p50_ms: h?.p50_ms ?? null,
            p95_ms: h?.p95_ms ?? null,
            cooldown_until: h?.cooldown_until ?? null,
          }
        })
        const adapters = Object.values(deps.store.data.providers).map((p) => ({
          provider_id: p.id,
          type: p.type,
          wire: endpointFor(p.type).wire,
          base_url: p.base_url,
          enabled: p.enabled,
          credential: p.api_key_enc === null ? 'none' : runtime.keys.usable(p.id) ? 'ready' : 'vault_locked',
        }))
        return {body: {models, total: models.length, adapters}}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/tsdb/metrics',
      handler: async () => {
        await runtime.rollupsReady
        return {body: {metrics: listMetrics(runtime.rollups), retention_ms: runtime.rollups.retentionMs}}
      },
    },
    {
      method: 'get',
      path: '/admin/v1/tsdb/query',
      query: 'any',
      handler: async (ctx) => {
        const query = validateTsdbQuery(Object.fromEntries(ctx.query), Date.now())
        await runtime.rollupsReady
        if (query.key !== undefined) query.key = keyIdOf(deps.store, query.key)
        checkTsdbFilters(deps.store, runtime.rollups, query)
        return {body: queryTsdb(runtime.rollups, query)}
      },
    },
    {
      method: 'post',
      path: '/admin/v1/tsdb/prune',
      handler: async (ctx) => {
        await ctx.noBody()
        return {body: {ok: true, ...(await runtime.pruneTsdb())}}
      },
    },
    {
      method: 'put',
      path: '/admin/v1/tsdb/retention',
      handler: async (ctx) => {
        const body = (await ctx.json()) as Record<string, unknown>
        const ms = retentionFrom(body)
        await runtime.setTsdbRetention(ms)
        runtime.audit.record({resource: 'tsdb', action: 'retention', id: 'tsdb', detail: `${ms} ms`})
        return {body: {ok: true, retention_ms: ms, retention_days: ms / 86_400_000, ...(await runtime.pruneTsdb())}}
      },
    },
  ]
}

/** {"retention_days": 14} | {"retention_ms": ...} | {"retention": "14d"}; between 1 hour and 400 days. */
function retentionFrom(body: Record<string, unknown>): number {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw validation('the body must be a JSON object such as {"retention_days": 14}')
  const unknown = Object.keys(body).filter((k) => !['retention_days', 'retention_ms', 'retention'].includes(k))
  if (unknown.length) throw validation(`unknown field "${unknown[0]}"; use retention_days, retention_ms or retention ("14d")`)
  if (Object.keys(body).length > 1) throw validation('give one of retention_days, retention_ms or retention, not several')
  let ms: number
  if (typeof body.retention_days === 'number') ms = body.retention_days * 86_400_000
  else if (typeof body.retention_ms === 'number') ms = body.retention_ms
  else if (typeof body.retention === 'string') ms = parseDuration(body.retention)
  else throw validation('give retention_days (number), retention_ms (number) or retention ("14d")')
  if (!Number.isFinite(ms) || ms < 3_600_000 || ms > 400 * 86_400_000) throw validation('retention must be between 1 hour and 400 days')
  return ms
}

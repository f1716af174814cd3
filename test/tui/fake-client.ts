import type {FollowOptions, StreamEvent} from '../../src/client/event-stream.js'
import {ClientError} from '../../src/client/errors.js'
import type {ApiKeyDto, EngineModelsDto, HealthDto, InfoDto, RequestLogDto, SimulationDto, StatsDto, StatsRowDto, TsdbResultDto} from '../../src/core/api-types.js'
import type {DashboardClient, EventFollower} from '../../src/tui/data/controller.js'

/** Fixed data for the dashboard tests: a gateway with two providers, three models, two keys. */
export const NOW = Date.parse('2026-03-01T12:00:30.000Z')
const MIN = 60_000

export const INFO: InfoDto = {tokenhub: 'ok', version: '9.9.9', uptime_s: 3723, vault_locked: false, vault_initialized: true, providers: 2, models: 3, api_keys: 2}

export const HEALTH: HealthDto = {
  providers: [
    {id: 'oa', state: 'closed', requests: 120, errors: 6, error_rate: 0.05, p50_ms: 80, p95_ms: 420, consecutive_failures: 0, last_error: null, last_error_at: null, cooldown_until: null, open_until: null},
    {id: 'an', state: 'open', requests: 40, errors: 30, error_rate: 0.75, p50_ms: 900, p95_ms: 2500, consecutive_failures: 5, last_error: 'HTTP 529', last_error_at: null, cooldown_until: null, open_until: null},
  ],
  models: [],
}

const model = (id: string, provider: string, weight: number, input: number, output: number, health: string, p95: number | null, errorRate: number, requests: number) => ({
  id,
  provider_id: provider,
  adapter: provider === 'an' ? 'anthropic' : 'openai',
  wire: 'openai',
  upstream_model: id,
  kind: 'chat',
  enabled: true,
  weight,
  max_context_tokens: 128_000,
  input_per_1k: input,
  output_per_1k: output,
  health,
  provider_health: provider === 'an' ? 'open' : 'closed',
  requests,
  error_rate: errorRate,
  p50_ms: p95 === null ? null : p95 / 2,
  p95_ms: p95,
  cooldown_until: null,
})

export const ENGINE: EngineModelsDto = {
  models: [model('cheap-gpt', 'oa', 2, 0.00015, 0.0006, 'closed', 310, 0.02, 90), model('strong-gpt', 'oa', 9, 0.005, 0.015, 'closed', 640, 0.1, 30), model('claude', 'an', 8, 0.003, 0.015, 'open', 2500, 0.75, 40)],
  total: 3,
  adapters: [
    {provider_id: 'oa', type: 'openai', wire: 'openai', base_url: 'http://oa', enabled: true, credential: 'ready'},
    {provider_id: 'an', type: 'anthropic', wire: 'anthropic', base_url: 'http://an', enabled: true, credential: 'ready'},
  ],
}

export const apiKey = (id: string, name: string, budget: number, spend: number, status = 'active', lastUsed: string | null = null): ApiKeyDto => ({
  id,
  name,
  key_prefix: `th-${id}`,
  scopes: ['chat'],
  allowed_models: null,
  allowed_providers: null,
  project: null,
  expires_at: null,
  monthly_budget_usd: budget,
  rate_limit_rpm: 0,
  rate_limit_tpm: 0,
  rotation_days: 0,
  enabled: true,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  rotated_at: null,
  revoked_at: null,
  last_used_at: lastUsed,
  current_spend_usd: spend,
  status,
})

export const KEYS: ApiKeyDto[] = [apiKey('k1', 'web-frontend', 50, 12.5, 'active', '2026-03-01T11:55:30.000Z'), apiKey('k2', 'batch\u001b[31mjob', 0, 3.2)]

export const log = (i: number, status: number, modelId: string, error: string | null = null): RequestLogDto =>
  ({
    request_id: `req-${i}`,
    timestamp: new Date(NOW - i * 1000).toISOString(),
    api_key_id: 'k1',
    api_key_name: 'web-frontend',
    endpoint: '/v1/chat/completions',
    mode: 'normal',
    requested_model: modelId,
    alias_from: null,
    model_id: modelId,
    provider_id: modelId === 'claude' ? 'an' : 'oa',
    stream: false,
    status_code: status,
    error_class: error,
    error_message: null,
    attempts: [],
    input_tokens: 100,
    output_tokens: 20,
    total_tokens: 120,
    cost_usd: 0.0012,
    unpriced: false,
    usage_source: 'upstream',
    latency_ms: 250 + i,
    ttft_ms: null,
  }) as unknown as RequestLogDto

export const LOGS: RequestLogDto[] = [log(1, 200, 'cheap-gpt'), log(2, 429, 'strong-gpt', 'rate_limited'), log(3, 502, 'claude', 'upstream_error'), ...Array.from({length: 40}, (_, i) => log(i + 4, 200, 'cheap-gpt'))]

const row = (requests: number, cost: number): StatsRowDto => ({requests, errors: 3, error_rate: 3 / requests, p50_ms: 100, p95_ms: 480, p99_ms: 900, ttft_p50_ms: null, tokens_in: 5000, tokens_out: 1000, cost_usd: cost, errors_by_class: {}})
const stats = (window: string, requests: number, cost: number): StatsDto => ({window, since: '', total: row(requests, cost), by_model: {}, by_provider: {}, by_key: {}, by_mode: {}})
export const STATS = {windows: {'1m': stats('1m', 5, 0.01), '5m': stats('5m', 20, 0.05), '1h': stats('1h', 321, 1.23), '24h': stats('24h', 4567, 17.5)}}

function series(metric: string, value: (i: number) => number | null): TsdbResultDto {
  const start = Math.floor(NOW / MIN) * MIN - 60 * MIN
  return {metric, agg: 'sum', step_ms: MIN, start, end: NOW, labels: {}, points: Array.from({length: 61}, (_, i) => ({t: start + i * MIN, value: value(i)}))}
}

export const SIMULATION: SimulationDto = {
  mode: 'cheap',
  token_count: 5000,
  chosen: 'cheap-gpt',
  vault_locked: false,
  candidates: [
    {model_id: 'strong-gpt', provider_id: 'oa', rank: 2, score: 0.61, components: {cost: 0.9, latency: 0.4, failure: 0.1, weight: 0.9}, estimated_cost_usd: 0.04, p95_latency_ms: 640, error_rate: 0.1, weight: 9, skip_reason: null, skip_detail: null},
    {model_id: 'cheap-gpt', provider_id: 'oa', rank: 1, score: 0.12, components: {cost: 0.1, latency: 0.2, failure: 0.02, weight: 0.2}, estimated_cost_usd: 0.001, p95_latency_ms: 310, error_rate: 0.02, weight: 2, skip_reason: null, skip_detail: null},
    {model_id: 'claude', provider_id: 'an', rank: null, score: null, components: null, estimated_cost_usd: 0.02, p95_latency_ms: 2500, error_rate: 0.75, weight: 8, skip_reason: 'unhealthy', skip_detail: 'circuit open'},
  ],
}

export interface FakeClient extends DashboardClient {
  calls: Array<{method: string; args: unknown[]}>
  /** Makes every call fail as if the daemon were gone (or back with `false`). */
  setDown(down: boolean): void
}

export function fakeClient(overrides: {info?: Partial<InfoDto>; keys?: ApiKeyDto[]; logs?: RequestLogDto[]} = {}): FakeClient {
  const calls: FakeClient['calls'] = []
  let down = false
  let keys = (overrides.keys ?? KEYS).map((k) => ({...k}))
  const answer = <T>(method: string, args: unknown[], value: () => T): Promise<T> => {
    calls.push({method, args})
    if (down) return Promise.reject(new ClientError('UNREACHABLE', 'cannot reach the TokenHub daemon at http://gw:8080: ECONNREFUSED'))
    return Promise.resolve(structuredClone(value()))
  }
  const client: FakeClient = {
    calls,
    setDown: (value) => void (down = value),
    info: () => answer('info', [], () => ({...INFO, ...overrides.info})),
    health: () => answer('health', [], () => HEALTH),
    engineModels: () => answer('engineModels', [], () => ENGINE),
    apiKeysPage: (limit: number, offset = 0) => answer('apiKeysPage', [limit, offset], () => ({keys: keys.slice(offset, offset + limit), total: keys.length, limit, offset})),
    revokeApiKey: (id: string) =>
      answer('revokeApiKey', [id], () => {
        keys = keys.map((k) => (k.id === id ? {...k, status: 'revoked', revoked_at: new Date(NOW).toISOString()} : k))
        return {ok: true as const, api_key: keys.find((k) => k.id === id)!}
      }),
    logs: (query) => answer('logs', [query], () => ({logs: overrides.logs ?? LOGS, total: (overrides.logs ?? LOGS).length, limit: 200, offset: 0})),
    stats: (window?: string) => answer('stats', [window], () => STATS),
    tsdbQuery: (query) =>
      answer('tsdbQuery', [query], () =>
        query.metric === 'requests' ? series('requests', (i) => (i % 10) * 6) : query.metric === 'latency' ? series('latency', (i) => (i % 10 === 0 ? null : 200 + i * 5)) : series('cost', (i) => (i % 10) * 0.001),
      ),
    simulate: (body) => answer('simulate', [body], () => ({...SIMULATION, mode: String(body.mode), token_count: Number(body.token_count)})),
  }
  return client
}

/** An event stream the test drives: push events, change the connection state. */
export interface FakeStream {
  follow: EventFollower
  options: () => FollowOptions | undefined
  connect(detail?: string): void
  disconnect(detail: string): void
  push(...events: StreamEvent[]): void
}

export function fakeStream(): FakeStream {
  let current: FollowOptions | undefined
  return {
    follow: (options) => {
      current = options
      return new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), {once: true}))
    },
    options: () => current,
    connect: (detail = 'http://gw:8080') => {
      current?.onState?.('connected', detail)
      current?.onEvent({type: 'connected', last_event_id: 0, replayed: 0, daemon_restarted: false})
    },
    disconnect: (detail) => current?.onState?.('disconnected', detail),
    push: (...events) => {
      for (const event of events) current?.onEvent(event)
    },
  }
}

export const routeEvent = (id: number, modelId: string, type = 'route_success', extra: Record<string, unknown> = {}): StreamEvent => ({
  type,
  id,
  ts: new Date(NOW + id).toISOString(),
  request_id: `req-live-${id}`,
  model_id: modelId,
  provider_id: modelId === 'claude' ? 'an' : 'oa',
  status: type === 'route_success' ? 200 : 502,
  latency_ms: 300,
  cost_usd: 0.002,
  ...extra,
})

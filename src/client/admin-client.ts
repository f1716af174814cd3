import type {
  AliasDto,
  AuditDto,
  EngineModelsDto,
  RewardsDto,
  StatsDto,
  TsdbResultDto,
  ApiKeyDto,
  ApiKeySecretDto,
  DiscoveryDto,
  HealthDto,
  HealthzDto,
  InfoDto,
  ModelDto,
  ProviderDto,
  RequestLogDto,
  RoutingConfigDto,
  SimulationDto,
  VaultStateDto,
} from '../core/api-types.js'
import {ClientError} from './errors.js'

export interface AdminClientOptions {
  /** Daemon base URL, e.g. http://127.0.0.1:8080 */
  url: string
  token?: string
  /** Why there is no token, when that is known (the local token file's path and problem): said in the "no admin token" error. */
  noTokenReason?: string
  timeoutMs?: number
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

const enc = encodeURIComponent

export type LogsQuery = {
  limit?: number
  offset?: number
  model?: string
  api_key_id?: string
  status?: number
  since?: string
}

function params(query: Record<string, string | number | undefined>): URLSearchParams {
  const out = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) out.set(name, String(value))
  return out
}

/** A fetch to the daemon that failed before any answer (exit 3): why, in a user's words. */
export function unreachable(url: string, error: unknown): ClientError {
  const timedOut = (error as Error).name === 'TimeoutError'
  return new ClientError('UNREACHABLE', `cannot reach the TokenHub daemon at ${url}: ${timedOut ? 'timed out' : describeFetchFailure(error)}`, {
    suggestion: 'Is `tokenhub daemon` running? Set the address with --url, TOKENHUB_URL or `tokenhub config set url <url>`.',
  })
}

/**
 * An answer without the request id every answer of the daemon carries: whatever answered is not
 * TokenHub (another server at that address, a proxy's own error page), and its words, which may
 * quote the token it was sent, are not shown as the daemon's.
 */
export function notTokenHub(url: string, status: number): ClientError {
  return new ClientError('UNEXPECTED_RESPONSE', `${url} answered HTTP ${status} without X-TokenHub-Request-Id: not a TokenHub daemon (another server at that address, or a proxy's own error)`, {
    status,
    suggestion: 'Check the address (--url, TOKENHUB_URL or `tokenhub config get url`).',
  })
}

/** Why a fetch to the daemon failed, in a user's words (the error code, or what is special about the port). */
function describeFetchFailure(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  // Node's fetch refuses the WHATWG "bad ports" (6000, 6665-6669, 10080, ...) without connecting.
  if (cause?.message === 'bad port') return 'Node\'s fetch refuses to connect to this port (it is on the WHATWG blocked-port list); run the daemon on another port'
  return cause?.code ?? cause?.message ?? (error as Error).message
}

/** The answer of a create-or-update POST: `changed` (the fields an update changed) only when it updated. */
export interface UpsertDto {
  ok: true
  created: boolean
  changed?: string[]
}

/** What deleting models did to the aliases that named them. */
export interface AliasPruneDto {
  updated_aliases: string[]
  deleted_aliases: string[]
}

/** Typed client for /admin/v1 (used by the CLI and the TUI; works against a remote daemon). */
export class AdminClient {
  readonly url: string

  constructor(private readonly options: AdminClientOptions) {
    this.url = options.url.replace(/\/+$/, '')
  }

  /** Uses another admin token from now on (the dashboard's, after the token was rotated). */
  setToken(token: string): void {
    this.options.token = token
  }

  async request<T>(method: Method, path: string, body?: unknown, options: {auth?: boolean; text?: boolean} = {}): Promise<T> {
    const headers: Record<string, string> = {accept: options.text ? '*/*' : 'application/json'}
    if (options.auth !== false) {
      if (!this.options.token) {
        // A local configuration problem, found before the daemon is asked: a usage error (exit 2).
        const reason = this.options.noTokenReason
        const remote = `no admin token: set TOKENHUB_ADMIN_TOKEN or pass --token (the local .admin-token is used only for a daemon on this machine, and ${this.url} is not one)`
        throw new ClientError('USAGE', reason ? `no admin token: TOKENHUB_ADMIN_TOKEN is not set, --token is not given, and ${reason}` : remote, {
          suggestion: reason
            ? 'Set TOKENHUB_DATA_DIR to the daemon\'s data dir (a daemon started with --data-dir does not set it for the CLI), or set TOKENHUB_ADMIN_TOKEN or pass --token (`tokenhub admin-token` on the daemon host prints it).'
            : 'On the daemon host, `tokenhub admin-token` prints it.',
        })
      }
      headers.authorization = `Bearer ${this.options.token}`
    }
    if (body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      })
    } catch (error) {
      throw unreachable(this.url, error)
    }
    const text = await response.text()
    if (response.headers.get('x-tokenhub-request-id') === null) throw notTokenHub(this.url, response.status)
    if (options.text && response.ok) return text as T
    let payload: unknown
    try {
      payload = text === '' ? undefined : JSON.parse(text)
    } catch {
      payload = undefined
    }
    if (!response.ok) {
      const error = (payload as {error?: {code?: string; message?: string; suggestion?: string} & Record<string, unknown>} | undefined)?.error
      if (!error?.code) {
        throw new ClientError('UNEXPECTED_RESPONSE', `${this.url} answered HTTP ${response.status} without a TokenHub error body; is it a TokenHub daemon?`, {status: response.status})
      }
      const {code, message, suggestion, ...details} = error
      throw new ClientError(code, message ?? `HTTP ${response.status}`, {status: response.status, suggestion, details})
    }
    if (payload === undefined) throw new ClientError('UNEXPECTED_RESPONSE', `${this.url}${path} answered without a JSON body`, {status: response.status})
    return payload as T
  }

  healthz = () => this.request<HealthzDto>('GET', '/healthz', undefined, {auth: false})
  info = () => this.request<InfoDto>('GET', '/admin/v1/info')
  rotateAdminToken = (token?: string) => this.request<{ok: true; token: string; warning?: string}>('POST', '/admin/v1/admin-token/rotate', token ? {token} : {})

  vaultUnlock = (password: string) => this.request<VaultStateDto>('POST', '/admin/v1/vault/unlock', {password})
  vaultLock = () => this.request<VaultStateDto>('POST', '/admin/v1/vault/lock')
  vaultRotate = (oldPassword: string, newPassword: string) =>
    this.request<VaultStateDto>('POST', '/admin/v1/vault/rotate', {old_password: oldPassword, new_password: newPassword})

  /** Follows limit/offset paging until every record is read. */
  private async listAll<T>(path: string, field: 'items' | 'keys'): Promise<T[]> {
    const all: T[] = []
    for (;;) {
      const page = await this.request<Record<string, unknown> & {total: number}>('GET', `${path}?limit=5000&offset=${all.length}`)
      const items = page[field] as T[]
      all.push(...items)
      if (items.length === 0 || all.length >= page.total) return all
    }
  }

  listProviders = () => this.listAll<ProviderDto>('/admin/v1/providers', 'items')
  getProvider = (id: string) => this.request<ProviderDto>('GET', `/admin/v1/providers/${enc(id)}`)
  /** Creates, or updates the provider with that id (TokenHub's upsert) unless `createOnly` (then 409 CONFLICT). */
  addProvider = (body: Record<string, unknown>, options: {createOnly?: boolean} = {}) =>
    this.request<UpsertDto & {provider: ProviderDto; cred_store: string}>('POST', `/admin/v1/providers${options.createOnly ? '?create_only=true' : ''}`, body)
  editProvider = (id: string, body: Record<string, unknown>) => this.request<{ok: true; provider: ProviderDto}>('PATCH', `/admin/v1/providers/${enc(id)}`, body)
  deleteProvider = (id: string, cascade: boolean) =>
    this.request<{ok: true; id: string; deleted_models: string[]} & AliasPruneDto>('DELETE', `/admin/v1/providers/${enc(id)}${cascade ? '?cascade=true' : ''}`)
  discoverProvider = (id: string) => this.request<DiscoveryDto>('GET', `/admin/v1/providers/${enc(id)}/discover`)

  listModels = () => this.listAll<ModelDto>('/admin/v1/models', 'items')
  getModel = (id: string) => this.request<ModelDto>('GET', `/admin/v1/models/${enc(id)}`)
  /** Creates, or updates the model with that id (TokenHub's upsert) unless `createOnly` (then 409 CONFLICT). */
  addModel = (body: Record<string, unknown>, options: {createOnly?: boolean} = {}) =>
    this.request<UpsertDto & {model: ModelDto; warnings: string[]}>('POST', `/admin/v1/models${options.createOnly ? '?create_only=true' : ''}`, body)
  editModel = (id: string, body: Record<string, unknown>) => this.request<{ok: true; model: ModelDto}>('PATCH', `/admin/v1/models/${enc(id)}`, body)
  deleteModel = (id: string) => this.request<{ok: true; id: string} & AliasPruneDto>('DELETE', `/admin/v1/models/${enc(id)}`)

  getRoutingConfig = () => this.request<RoutingConfigDto>('GET', '/admin/v1/routing-config')
  setRoutingConfig = (body: Record<string, unknown>) => this.request<RoutingConfigDto & {ok: true}>('PUT', '/admin/v1/routing-config', body)

  listAliases = () => this.listAll<AliasDto>('/admin/v1/aliases', 'items')
  getAlias = (name: string) => this.request<AliasDto>('GET', `/admin/v1/aliases/${enc(name)}`)
  setAlias = (name: string, body: Record<string, unknown>) => this.request<{ok: true; alias: AliasDto}>('PUT', `/admin/v1/aliases/${enc(name)}`, body)
  deleteAlias = (name: string) => this.request<{ok: true; name: string}>('DELETE', `/admin/v1/aliases/${enc(name)}`)

  health = () => this.request<HealthDto>('GET', '/admin/v1/health')
  logs = (query: LogsQuery) => this.request<{logs: RequestLogDto[]; total: number; limit: number; offset: number}>('GET', `/admin/v1/logs?${params(query)}`)
  /** Every matching record still in the journal, as CSV text. */
  logsCsv = (query: Omit<LogsQuery, 'limit' | 'offset'>) => this.request<string>('GET', `/admin/v1/logs/export?${params({...query, format: 'csv'})}`, undefined, {text: true})
  audit = (query: {limit?: number; offset?: number; action?: string; resource?: string; outcome?: string; since?: string}) =>
    this.request<{logs: AuditDto[]; total: number; limit: number; offset: number}>('GET', `/admin/v1/audit?${params(query)}`)
  rewards = (query: {limit?: number; model?: string}) => this.request<RewardsDto>('GET', `/admin/v1/rewards?${params(query)}`)
  stats = (window?: string) => this.request<StatsDto | {windows: Record<string, StatsDto>}>('GET', `/admin/v1/stats${window ? `?window=${enc(window)}` : ''}`)
  engineModels = () => this.request<EngineModelsDto>('GET', '/admin/v1/engine/models')
  tsdbMetrics = () => this.request<{metrics: Array<{name: string; unit: string; default_agg: string; series: number}>; retention_ms: number}>('GET', '/admin/v1/tsdb/metrics')
  tsdbQuery = (query: Record<string, string | number | undefined>) => this.request<TsdbResultDto>('GET', `/admin/v1/tsdb/query?${params(query)}`)
  tsdbPrune = () => this.request<{ok: true; removed_minutes: number; removed_segments: number}>('POST', '/admin/v1/tsdb/prune')
  tsdbRetention = (body: Record<string, unknown>) => this.request<{ok: true; retention_ms: number; retention_days: number}>('PUT', '/admin/v1/tsdb/retention', body)
  simulate = (body: Record<string, unknown>) => this.request<SimulationDto>('POST', '/admin/v1/routing/simulate', body)

  listApiKeys = () => this.listAll<ApiKeyDto>('/admin/v1/apikeys', 'keys')
  /** One page of keys in store order, and how many there are. */
  apiKeysPage = (limit: number, offset = 0) => this.request<{keys: ApiKeyDto[]; total: number; limit: number; offset: number}>('GET', `/admin/v1/apikeys?limit=${limit}&offset=${offset}`)
  getApiKey = (id: string) => this.request<ApiKeyDto>('GET', `/admin/v1/apikeys/${enc(id)}`)
  createApiKey = (body: Record<string, unknown>) => this.request<ApiKeySecretDto>('POST', '/admin/v1/apikeys', body)
  editApiKey = (id: string, body: Record<string, unknown>) => this.request<{ok: true; api_key: ApiKeyDto; warnings?: string[]}>('PATCH', `/admin/v1/apikeys/${enc(id)}`, body)
  rotateApiKey = (id: string) => this.request<ApiKeySecretDto>('POST', `/admin/v1/apikeys/${enc(id)}/rotate`)
  revokeApiKey = (id: string) => this.request<{ok: true; api_key: ApiKeyDto}>('DELETE', `/admin/v1/apikeys/${enc(id)}`)
}

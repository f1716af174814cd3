import {TokenHubError} from '../core/errors.js'
import {redactSecrets} from '../core/redact.js'
import {endpointFor} from '../providers/index.js'
import type {ProviderRecord, StoreDocument} from '../store/document.js'

export interface DiscoveredModel {
  id: string
  owned_by: string
  registered: boolean
}

export interface DiscoveryResult {
  provider_id: string
  models: DiscoveredModel[]
}


const UNDICI = 'undici'
/**
 * undici's index, loaded on the first discovery or health probe. A specifier in a variable keeps
 * the daemon's bundle from taking it in: its ~0.6 MB (fetch, WebSocket, caches, mocks) cost ~60 ms
 * of the daemon's time to listening, parsed at every start for a call that is rare.
 */
const undiciApi = () => import(UNDICI) as Promise<typeof import('undici')>

function describeNetworkError(error: unknown): string {
  const err = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException}
  const code = err.code ?? err.cause?.code
  return code ? `${code}: ${err.message}` : String(err.message ?? err)
}

/**
 * Lists the models an upstream offers (GET {base_url}/v1/models with the provider's key) and marks
 * those already registered. Redirects are not followed; upstream text is scrubbed of credentials.
 */
export async function discoverModels(options: {
  provider: ProviderRecord
  apiKey: string | null
  doc: StoreDocument
  timeoutMs: number
}): Promise<DiscoveryResult> {
  const {provider, apiKey} = options
  const endpoint = endpointFor(provider.type)
  const url = `${provider.base_url}${endpoint.paths.models}`
  let status: number
  let text: string
  try {
    const {request} = await undiciApi()
    const response = await request(url, {
      method: 'GET',
      headers: {accept: 'application/json', ...endpoint.authHeaders(apiKey)},
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
    })
    status = response.statusCode
    text = await response.body.text()
    if (status >= 300 && status < 400) {
      throw new TokenHubError('UPSTREAM_ERROR', `provider "${provider.id}" answered ${url} with a redirect (${status}); redirects are not followed. Check base_url.`, {
        details: {provider_id: provider.id, upstream_status: status},
      })
    }
  } catch (error) {
    if (error instanceof TokenHubError) throw error
    const timedOut = (error as Error).name === 'TimeoutError' || /timeout/i.test((error as Error).name ?? '')
    throw new TokenHubError(timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNREACHABLE', `cannot reach provider "${provider.id}" at ${url}: ${redactSecrets(describeNetworkError(error), [apiKey])}`, {
      details: {provider_id: provider.id, url},
    })
  }
  if (status < 200 || status >= 300) {
    throw new TokenHubError('UPSTREAM_ERROR', `provider "${provider.id}" answered ${url} with HTTP ${status}: ${redactSecrets(text.slice(0, 500), [apiKey])}`, {
      details: {provider_id: provider.id, upstream_status: status},
    })
  }
  let payload: {data?: Array<{id?: unknown; owned_by?: unknown}>}
  try {
    payload = JSON.parse(text)
  } catch {
    throw new TokenHubError('UPSTREAM_ERROR', `provider "${provider.id}" returned a model list that is not JSON`, {details: {provider_id: provider.id}})
  }
  if (!Array.isArray(payload.data)) {
    throw new TokenHubError('UPSTREAM_ERROR', `provider "${provider.id}" returned no "data" array from /v1/models`, {details: {provider_id: provider.id}})
  }
  const registered = new Set(
    Object.values(options.doc.models)
      .filter((m) => m.provider_id === provider.id)
      .flatMap((m) => [m.id, m.upstream_model ?? m.id]),
  )
  const models = payload.data
    .filter((m): m is {id: string; owned_by?: unknown} => typeof m?.id === 'string')
    .map((m) => ({
      id: m.id,
      owned_by: typeof m.owned_by === 'string' ? m.owned_by : endpoint.wire === 'anthropic' ? 'anthropic' : provider.id,
      registered: registered.has(m.id),
    }))
  return {provider_id: provider.id, models}
}

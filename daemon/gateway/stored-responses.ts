/**
 * What OpenAI stored of a Responses request (`store` defaults to true there): GET
 * /v1/responses/{id}, GET /v1/responses/{id}/input_items, DELETE /v1/responses/{id} and POST
 * /v1/responses/{id}/cancel, relayed to the OpenAI providers the key may use. A response id does
 * not say which provider made it, so each is asked in turn until one does not answer 404 (with one
 * OpenAI provider, the usual setup, that is one call). Responses answered by other providers
 * (translated from Chat Completions or Messages) are stored nowhere: 404.
 *
 * Not routed, billed or logged as requests: reading or deleting a stored response costs nothing
 * upstream. Each call counts as a request against the key's requests-per-minute limit. Any key with the `chat` scope and access to the provider may read a response by id,
 * as any key of the same OpenAI project can.
 */
import {TokenHubError} from '../../src/core/errors.js'
import {overLimitError} from '../../src/core/limits/rate-limiter.js'
import {redactSecrets} from '../../src/core/redact.js'
import {endpointFor} from '../../src/providers/index.js'
import {translateErrorBody} from '../../src/providers/errors.js'
import type {ApiKeyRecord} from '../../src/store/document.js'
import type {GatewayDeps} from './gateway.js'

export type StoredResponseDeps = Pick<GatewayDeps, 'store' | 'catalog' | 'keys' | 'upstream' | 'auth' | 'limiter' | 'logger' | 'firstByteTimeoutMs' | 'idleTimeoutMs'>

export interface StoredResponseRequest {
  method: 'GET' | 'DELETE' | 'POST'
  /** The path after /v1/responses/: "{id}", "{id}/input_items" or "{id}/cancel". */
  rest: string
  /** The raw query string (without "?"), passed on as sent (input_items pagination, include[]). */
  query: string
  key: ApiKeyRecord
}

export interface StoredResponseAnswer {
  status: number
  body: string
  providerId: string | null
}

/** OpenAI response ids: resp_ and letters, digits, dashes or underscores. */
const RESPONSE_ID = /^[A-Za-z0-9_-]{1,256}$/

/** Which calls exist on a stored response, by method. */
const ACTIONS: Record<StoredResponseRequest['method'], ReadonlySet<string>> = {
  GET: new Set(['', '/input_items']),
  DELETE: new Set(['']),
  POST: new Set(['/cancel']),
}

/** Largest stored response relayed (a long conversation's input items can be large, not unbounded). */
const MAX_BODY_BYTES = 32 * 1024 * 1024

export class StoredResponses {
  constructor(private readonly deps: StoredResponseDeps) {}

  async relay(request: StoredResponseRequest): Promise<StoredResponseAnswer> {
    const {deps} = this
    deps.auth.requireScope(request.key, 'chat')
    const slash = request.rest.indexOf('/')
    const id = slash === -1 ? request.rest : request.rest.slice(0, slash)
    const action = slash === -1 ? '' : request.rest.slice(slash)
    if (!ACTIONS[request.method].has(action) || !RESPONSE_ID.test(id)) {
      throw new TokenHubError('NOT_FOUND', `no such endpoint: ${request.method} /v1/responses/${request.rest}`)
    }
    if (new URLSearchParams(request.query).get('stream') === 'true') {
      throw new TokenHubError('VALIDATION', 'stream: replaying a stored response as a stream is not supported; read it without stream', {details: {param: 'stream'}})
    }
    const admitted = deps.limiter.admit(request.key.id, {requestsPerMinute: request.key.rate_limit_rpm, tokensPerMinute: 0}, 0, Date.now())
    if (!admitted.ok) {
      throw overLimitError(request.key.key_prefix, admitted)
    }
    const providers = this.providersFor(request.key)
    if (providers.length === 0) {
      throw new TokenHubError('NOT_FOUND', `response "${id}" not found: no OpenAI provider this API key may use stores responses`, {details: {param: 'response_id'}})
    }
    const usable = providers.filter((p) => deps.keys.usable(p))
    if (usable.length === 0) throw new TokenHubError('VAULT_LOCKED', 'the vault is locked: the OpenAI provider\'s key cannot be read; unlock it with tokenhub vault unlock')

    let last: StoredResponseAnswer | null = null
    let unreachable: string | null = null
    for (const providerId of usable) {
      let answer: StoredResponseAnswer
      try {
        answer = await this.ask(providerId, request, `/v1/responses/${id}${action}`)
      } catch (error) {
        unreachable = error instanceof Error ? error.message : String(error)
        deps.logger.debug({err: error, provider_id: providerId}, 'stored response: provider did not answer')
        continue
      }
      if (answer.status !== 404) return answer
      last = answer
    }
    if (last) return last
    throw new TokenHubError('UPSTREAM_ERROR', `no OpenAI provider answered for response "${id}" (${redactSecrets(unreachable ?? 'no answer', deps.keys.known())})`)
  }

  /** Enabled OpenAI providers the key may use (by allowed_providers, or by a model of its allowed_models living there). */
  private providersFor(key: ApiKeyRecord): string[] {
    const {store, catalog} = this.deps
    const viaModels = key.allowed_models ? new Set(key.allowed_models.map((m) => catalog.get(m)?.providerId).filter((p): p is string => p !== undefined)) : null
    return Object.values(store.data.providers)
      .filter((p) => p.type === 'openai' && p.enabled)
      .filter((p) => (!key.allowed_providers || key.allowed_providers.includes(p.id)) && (!viaModels || viaModels.has(p.id)))
      .map((p) => p.id)
      .sort()
  }

  private async ask(providerId: string, request: StoredResponseRequest, path: string): Promise<StoredResponseAnswer> {
    const {deps} = this
    const apiKey = await deps.keys.get(providerId)
    const call = deps.upstream.send({
      baseUrl: deps.store.data.providers[providerId].base_url,
      path: request.query ? `${path}?${request.query}` : path,
      method: request.method,
      headers: {...endpointFor('openai').authHeaders(apiKey, undefined), ...(request.method === 'POST' ? {'content-type': 'application/json'} : {})},
      body: request.method === 'POST' ? '{}' : undefined,
      firstByteTimeoutMs: deps.firstByteTimeoutMs,
      idleTimeoutMs: deps.idleTimeoutMs,
    })
    await call.ready
    const parts: Buffer[] = []
    let bytes = 0
    for await (const chunk of call) {
      bytes += chunk.length
      if (bytes > MAX_BODY_BYTES) {
        call.abort()
        throw new Error(`the stored response is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`)
      }
      parts.push(chunk)
    }
    const text = Buffer.concat(parts).toString('utf8')
    const status = call.statusCode
    if (status >= 200 && status < 300) return {status, body: text, providerId}
    // Errors as the gateway words any upstream error: secrets, account ids and internal hosts taken out.
    return {status: status >= 300 && status < 400 ? 502 : status, body: translateErrorBody(redactSecrets(text, deps.keys.known()), status, 'openai'), providerId}
  }
}

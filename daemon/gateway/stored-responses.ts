/**
 * What OpenAI stored of a Responses request (`store` defaults to true there): GET
 * /v1/responses/{id}, GET /v1/responses/{id}/input_items, DELETE /v1/responses/{id} and POST
 * /v1/responses/{id}/cancel, relayed to the OpenAI providers the key may use. A response id does
 * not say which provider made it, so each is asked in turn until one does not answer 404 (with one
 * OpenAI provider, the usual setup, that is one call). Responses answered by other providers
 * (translated from Chat Completions or Messages) are stored nowhere: 404.
 *
 * Not routed, billed or logged as requests: reading or deleting a stored response costs nothing
 * upstream. Each call counts as a request against the key's requests-per-minute limit.
 *
 * Who may: a response made through this daemon is remembered with the key (and project) that
 * made it and the provider that stored it, in memory and in the `responses` journal (read back
 * at start, kept 30 days: as long as OpenAI keeps a stored response); only that key, or a key of
 * the same project, reaches it (others get the 404 an unknown id gets), and only that provider is
 * asked. An id the daemon does not know (not made through TokenHub, or more than 30 days ago) is
 * reachable by any key with the `chat` scope and access to an OpenAI provider, as any key of the
 * same OpenAI project can.
 */
import {TokenHubError} from '../../src/core/errors.js'
import {redactSecrets} from '../../src/core/redact.js'
import {endpointFor} from '../../src/providers/index.js'
import {translateErrorBody} from '../../src/providers/errors.js'
import {admitCall} from './call-admission.js'
import {dialectErrorBody} from './dialect-errors.js'
import type {ApiKeyRecord} from '../../src/store/document.js'
import type {GatewayDeps} from './gateway.js'
import type {Journal} from '../../src/store/journal.js'

export type StoredResponseDeps = Pick<GatewayDeps, 'store' | 'catalog' | 'keys' | 'upstream' | 'auth' | 'limiter' | 'records' | 'logger' | 'firstByteTimeoutMs' | 'idleTimeoutMs'>

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
  /** An upstream 429's Retry-After, passed on. */
  retryAfter?: string
}

/** OpenAI response ids: resp_ and letters, digits, dashes or underscores. */
const RESPONSE_ID = /^[A-Za-z0-9_-]{1,256}$/

/** Which calls exist on a stored response, by method. */
const ACTIONS: Record<StoredResponseRequest['method'], ReadonlySet<string>> = {
  GET: new Set(['', '/input_items']),
  DELETE: new Set(['']),
  POST: new Set(['/cancel']),
}

/** Query parameters of the stored-response calls (pagination, include); others are not passed on. */
const QUERY_PARAMS = new Set(['limit', 'order', 'after', 'before', 'include', 'include[]', 'include_obfuscation', 'starting_after'])

/** Largest stored response relayed (a long conversation's input items can be large, not unbounded). */
const MAX_BODY_BYTES = 32 * 1024 * 1024

/** Who made a stored response, and where it is. */
interface Owner {
  keyId: string
  project: string | null
  providerId: string
}

/** Response ids remembered (the oldest forgotten first): ~100 bytes each, ~10 MB at most. */
const MAX_OWNERS = 100_000

/** How long OpenAI keeps a stored response, and so how long its owner is worth remembering. */
export const STORED_RESPONSE_RETENTION_MS = 30 * 86_400_000

/** A `stored_response` record of the responses journal. */
interface OwnerRecord {
  id: string
  key_id: string
  project: string | null
  provider_id: string
}

export class StoredResponses {
  private owners = new Map<string, Owner>()
  /** Settles once the journal's owners are back (a relay call waits for it; requests do not). */
  private loaded: Promise<void> = Promise.resolve()

  constructor(
    private readonly deps: StoredResponseDeps,
    private readonly journal?: Pick<Journal, 'append' | 'readLatest'>,
  ) {}

  /** A Responses answer from an OpenAI upstream that stores it: remembered for the relay's checks. */
  remember(responseId: string, key: Pick<ApiKeyRecord, 'id' | 'project'>, providerId: string): void {
    if (!RESPONSE_ID.test(responseId)) return
    const owner: Owner = {keyId: key.id, project: key.project ?? null, providerId}
    this.add(responseId, owner)
    const record: OwnerRecord = {id: responseId, key_id: owner.keyId, project: owner.project, provider_id: providerId}
    try {
      this.journal?.append(record, 'stored_response')
    } catch (error) {
      // Only a closed journal (a request ending at shutdown): the owner stays known for this run.
      this.deps.logger.warn({err: error, response_id: responseId}, 'the owner of a stored response could not be journaled')
    }
  }

  /**
   * The owners of the last 30 days' stored responses, from the journal, in the background: the
   * daemon serves meanwhile, and a relay call waits for them. Owners remembered meanwhile stay
   * the newest. A journal that cannot be read is logged; its ids are then unknown ones.
   */
  restore(): Promise<void> {
    const {journal} = this
    if (!journal) return this.loaded
    const since = new Date(Date.now() - STORED_RESPONSE_RETENTION_MS)
    this.loaded = journal.readLatest(MAX_OWNERS, {since}).then(
      (entries) => {
        const meanwhile = this.owners
        this.owners = new Map()
        for (const {record} of entries) {
          const r = record as Partial<OwnerRecord> & {type?: string}
          if (r?.type !== 'stored_response' || typeof r.id !== 'string' || typeof r.key_id !== 'string' || typeof r.provider_id !== 'string') continue
          this.add(r.id, {keyId: r.key_id, project: typeof r.project === 'string' ? r.project : null, providerId: r.provider_id})
        }
        for (const [id, owner] of meanwhile) this.add(id, owner)
      },
      (error: unknown) => this.deps.logger.error({err: error}, 'could not read the owners of stored responses from the journal; ids made before this start are reachable by any key with access to the provider'),
    )
    return this.loaded
  }

  private add(responseId: string, owner: Owner): void {
    // Re-set at the end: the order of the map is the order of forgetting.
    this.owners.delete(responseId)
    if (this.owners.size >= MAX_OWNERS) this.owners.delete(this.owners.keys().next().value!)
    this.owners.set(responseId, owner)
  }

  async relay(request: StoredResponseRequest): Promise<StoredResponseAnswer> {
    const {deps} = this
    deps.auth.requireScope(request.key, 'chat')
    await this.loaded
    const slash = request.rest.indexOf('/')
    const id = slash === -1 ? request.rest : request.rest.slice(0, slash)
    const action = slash === -1 ? '' : request.rest.slice(slash)
    if (!ACTIONS[request.method].has(action) || !RESPONSE_ID.test(id)) {
      throw new TokenHubError('NOT_FOUND', `no such endpoint: ${request.method} /v1/responses/${request.rest}`)
    }
    const sent = new URLSearchParams(request.query)
    // Any spelling of a stream request (stream=1, True, a second stream=true): refused, not relayed as JSON.
    if (sent.getAll('stream').some((value) => value.toLowerCase() !== 'false')) {
      throw new TokenHubError('VALIDATION', 'stream: replaying a stored response as a stream is not supported; read it without stream', {details: {param: 'stream'}})
    }
    // Only what these calls take goes upstream, re-encoded (no raw bytes, nothing else).
    const forwarded = new URLSearchParams()
    for (const [name, value] of sent) if (QUERY_PARAMS.has(name)) forwarded.append(name, value)
    const query = forwarded.toString()
    admitCall(deps, request.key, Date.now())
    const owner = this.owners.get(id)
    const mayUse = this.providersFor(request.key)
    if (owner && !(owner.keyId === request.key.id || (owner.project !== null && owner.project === request.key.project))) {
      // Another key's (or project's) response: as if it did not exist.
      throw new TokenHubError('NOT_FOUND', `response "${id}" not found`, {details: {param: 'response_id'}})
    }
    const providers = owner ? mayUse.filter((p) => p === owner.providerId) : mayUse
    if (providers.length === 0) {
      throw new TokenHubError('NOT_FOUND', `response "${id}" not found: no OpenAI provider this API key may use stores responses`, {details: {param: 'response_id'}})
    }
    const usable = providers.filter((p) => deps.keys.usable(p))
    if (usable.length === 0) throw new TokenHubError('VAULT_LOCKED', 'the vault is locked: the OpenAI provider\'s key cannot be read; unlock it with tokenhub vault unlock')

    // The first answer that settles it (2xx, or the request's own 4xx) wins; a 404 or a failing
    // provider (its key refused, 429, 5xx, unreachable) hands over to the next one.
    let notFound: StoredResponseAnswer | null = null
    let failed: StoredResponseAnswer | null = null
    let unreachable: string | null = null
    for (const providerId of usable) {
      let answer: StoredResponseAnswer
      try {
        answer = await this.ask(providerId, {...request, query}, `/v1/responses/${id}${action}`)
      } catch (error) {
        // The address stays in the log: the client learns which provider, not where it lives.
        unreachable = providerId
        deps.logger.warn({err: error, provider_id: providerId}, 'stored response: provider did not answer')
        continue
      }
      if (answer.status === 404) notFound ??= answer
      else if (request.method === 'DELETE' && answer.status < 300) {
        this.owners.delete(id)
        return answer
      } else if (answer.status === 401 || answer.status === 403 || answer.status === 429 || answer.status >= 500) failed ??= answer
      else return answer
    }
    if (notFound) return notFound
    if (failed) return failed
    throw new TokenHubError('UPSTREAM_UNREACHABLE', `no OpenAI provider answered for response "${id}" (provider ${unreachable ?? '-'} could not be reached; see the daemon log)`)
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
    const text = await call.text(MAX_BODY_BYTES)
    const status = call.statusCode
    if (status >= 200 && status < 300) return {status, body: text, providerId}
    // The operator's key refused upstream is not the client's key refused: a 502 naming the provider.
    if (status === 401 || status === 403) {
      const error = new TokenHubError('UPSTREAM_ERROR', `provider ${providerId} refused the gateway's credentials (HTTP ${status}); see tokenhub provider edit`)
      return {status: 502, body: JSON.stringify(dialectErrorBody('openai', error)), providerId}
    }
    // Errors as the gateway words any upstream error (secrets redacted); a redirect is not followed.
    const retryAfter = status === 429 ? call.header('retry-after') : undefined
    return {status: status >= 300 && status < 400 ? 502 : status, body: translateErrorBody(redactSecrets(text, deps.keys.known()), status, 'openai'), providerId, ...(retryAfter && {retryAfter})}
  }
}

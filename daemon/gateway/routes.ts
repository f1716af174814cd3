import type HyperExpress from 'hyper-express'
import type {Request, Response} from 'hyper-express'
import {TokenHubError, isTokenHubError} from '../../src/core/errors.js'
import {batchInputProblem, estimateChatTokens, estimateInputTokens, estimateResponsesTokens, estimateWithin, tokenizerReady} from '../../src/core/tokens.js'
import {readRequestText, requiredJson} from '../http/context.js'
import {HyperExpressSink, untilAbort, watchAbort, type AbortWatch} from '../http/response-sink.js'
import {loopTurns as turns} from '../http/turns.js'
import type {RouteEnv} from '../http/json-route.js'
import {presentedKey, type ApiKeyAuth} from './api-key-auth.js'
import type {ModelCatalog} from './catalog.js'
import {dialectErrorBody} from './dialect-errors.js'
import {checkRequestHead} from '../http/limits.js'
import {newRequestId} from '../http/request-id.js'
import type {Gateway, GatewayCall} from './gateway.js'
import type {Dialect, Endpoint} from '../../src/providers/plan.js'
import {keyAllows} from '../../src/core/routing/select.js'
import type {RoutableModel} from '../../src/core/routing/types.js'
import type {ApiKeyRecord} from '../../src/store/document.js'
import {getAndHead} from '../http/head.js'

export interface V1Deps {
  gateway: Gateway
  auth: ApiKeyAuth
  catalog: ModelCatalog
}

type Check = (body: Record<string, unknown>) => void

const requireArray = (field: string): Check => (body) => {
  if (!Array.isArray(body[field]) || (body[field] as unknown[]).length === 0) {
    throw new TokenHubError('VALIDATION', `${field}: must be a non-empty array`, {details: {param: field}})
  }
  ;(body[field] as unknown[]).forEach((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new TokenHubError('VALIDATION', `${field}[${index}]: must be an object`, {details: {param: `${field}[${index}]`}})
    }
  })
}

const requirePresent = (field: string): Check => (body) => {
  if (body[field] === undefined || body[field] === null) throw new TokenHubError('VALIDATION', `${field}: is required`, {details: {param: field}})
}

/** Fields that, when given, must be whole numbers from 1 (to `max`). */
const wholeNumbers =
  (max: number, ...fields: string[]): Check =>
  (body) => {
    for (const field of fields) {
      const value = body[field]
      if (value === undefined || value === null) continue
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
        const range = max === Number.POSITIVE_INFINITY ? 'of at least 1' : `from 1 to ${max}`
        throw new TokenHubError('VALIDATION', `${field}: must be a whole number ${range}`, {details: {param: field}})
      }
    }
  }

/** Output limits, when given, are whole numbers of at least 1 (a translation would otherwise replace a bad one silently). */
const outputLimits = (...fields: string[]): Check => wholeNumbers(Number.POSITIVE_INFINITY, ...fields)

/** How many answers, when given: a whole number 1-128 (a numeric string would be coerced by some upstreams and billed as one answer). */
const choiceCounts = (...fields: string[]): Check => wholeNumbers(128, ...fields)

/** Completions `prompt` / embeddings `input`: required, in one of OpenAI's shapes (see batchInputProblem). */
const batchInput =
  (field: string): Check =>
  (body) => {
    const problem = batchInputProblem(body[field], field)
    if (problem) throw new TokenHubError('VALIDATION', `${problem.path}: ${problem.message}`, {details: {param: problem.path}})
  }

/** A field that, when given, must be one of `values`. */
const oneOf =
  (field: string, ...values: string[]): Check =>
  (body) => {
    const value = body[field]
    if (value === undefined || value === null || values.includes(value as string)) return
    throw new TokenHubError('VALIDATION', `${field}: must be ${values.map((v) => `"${v}"`).join(' or ')}`, {details: {param: field}})
  }

const all =
  (...checks: Check[]): Check =>
  (body) => {
    for (const check of checks) check(body)
  }

/** Chat Completions (and the /v1/chat envelope's parameters): the output limits and answer counts bound billing. */
const chatBody = all(requireArray('messages'), outputLimits('max_tokens', 'max_completion_tokens'), choiceCounts('n', 'best_of'))

/** Anthropic Messages: max_tokens is required, as Anthropic's own API requires it. */
const messagesBody = all(requireArray('messages'), requirePresent('max_tokens'), outputLimits('max_tokens'))

/**
 * Responses API: `input` is a string or an array of item objects. `background: true` is refused
 * for every upstream: its answer (and its usage) arrives later, through GET /v1/responses/{id},
 * which is relayed but not accounted, so the job would run unbilled and outside the key's budget.
 */
const responsesInput: Check = (body) => {
  if (body.background === true) {
    throw new TokenHubError('VALIDATION', 'background is not supported: a background response\'s usage arrives after the request, so TokenHub could not bill it or hold it to the key\'s budget', {
      suggestion: 'Send the request without background, streamed if it runs long',
      details: {param: 'background'},
    })
  }
  if (typeof body.input === 'string') return
  if (!Array.isArray(body.input)) throw new TokenHubError('VALIDATION', 'input: must be a string or a non-empty array of items', {details: {param: 'input'}})
  requireArray('input')(body)
}

interface EndpointSpec {
  path: string
  dialect: Dialect
  endpoint: Endpoint
  check: Check
  estimate: (body: Record<string, unknown>, scope: string) => number
}

/** An estimate that tokenizes at most a megabyte of one request (see estimateWithin). */
const bounded =
  (estimate: (body: Record<string, unknown>, scope: string) => number) =>
  (body: Record<string, unknown>, scope: string): number =>
    estimateWithin(estimate, body, scope)

const chatEstimate = bounded(estimateChatTokens)

const ENDPOINTS: EndpointSpec[] = [
  {path: '/v1/chat/completions', dialect: 'openai', endpoint: 'chat', check: chatBody, estimate: chatEstimate},
  {path: '/v1/messages', dialect: 'anthropic', endpoint: 'chat', check: messagesBody, estimate: chatEstimate},
  {path: '/v1/completions', dialect: 'openai', endpoint: 'completions', check: all(batchInput('prompt'), outputLimits('max_tokens'), choiceCounts('n', 'best_of')), estimate: bounded((b, scope) => estimateInputTokens(b.prompt, scope))},
  {path: '/v1/embeddings', dialect: 'openai', endpoint: 'embeddings', check: all(batchInput('input'), wholeNumbers(Number.POSITIVE_INFINITY, 'dimensions'), oneOf('encoding_format', 'float', 'base64')), estimate: bounded((b, scope) => estimateInputTokens(b.input, scope))},
  {path: '/v1/responses', dialect: 'openai', endpoint: 'responses', check: all(responsesInput, outputLimits('max_output_tokens')), estimate: bounded(estimateResponsesTokens)},
]

/**
 * Headers that are forwarded to Anthropic upstreams must be valid header values: one undici
 * refuses is otherwise a "network" failure counted against the provider's circuit, so any key
 * holder could open it for everyone with a few requests.
 */
const FORWARDED_HEADERS = ['anthropic-version', 'anthropic-beta']

function checkForwardedHeaders(req: Request): void {
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name]
    if (value !== undefined && !/^[\x20-\x7e]*$/.test(value)) {
      throw new TokenHubError('VALIDATION', `the ${name} header may only hold visible ASCII characters`, {details: {param: name}})
    }
  }
}

function sendDialectError(res: Response, dialect: Dialect, error: TokenHubError, requestId: string): void {
  if (res.completed) return
  res.atomic(() => {
    res.status(error.status).header('content-type', 'application/json').header('x-tokenhub-request-id', requestId)
    if (typeof error.details?.retry_after_s === 'number') res.header('retry-after', String(error.details.retry_after_s))
    res.send(JSON.stringify(dialectErrorBody(dialect, error)))
  })
}

/**
 * The body, read in full, and the API key checked before the body is parsed: a client without a
 * valid key gets 401 whatever it sent, and no schema feedback (key null: the gateway answers the
 * 401 and records it). With a key: the JSON object, then the tokenizer, if a request beats its
 * load after start, then this request's turn, if a burst of requests has used up the loop's slice.
 */
async function readAuthenticated(
  req: Request,
  res: Response,
  client: AbortWatch,
  env: RouteEnv,
  auth: ApiKeyAuth,
  check?: (body: Record<string, unknown>) => void,
  progress: ReadProgress = {key: null, body: {}},
): Promise<{body: Record<string, unknown>; key: ApiKeyRecord | null}> {
  const key = auth.check(presentedKey(req.headers.authorization, req.headers['x-api-key']), Date.now())
  progress.key = key
  if (!key && unauthenticatedBodyTooBig(req, env.maxBodyBytes)) {
    // Not buffered for a caller without a key: 32 MiB per connection would let anyone pin
    // gigabytes. The 401 goes out at once and uWS discards the rest of the body unread.
    res.header('connection', 'close')
    return {body: {}, key: null}
  }
  const text = await untilAbort(client, readRequestText(req, env.maxBodyBytes))
  if (!key) return {body: {}, key: null}
  const body = requiredJson(text)
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TokenHubError('VALIDATION', 'the request body must be a JSON object')
  progress.body = body as Record<string, unknown>
  check?.(body as Record<string, unknown>)
  const tokenizer = tokenizerReady()
  if (tokenizer) await tokenizer
  const turn = turns.take()
  if (turn) await turn
  return {body: body as Record<string, unknown>, key}
}

/** How far readAuthenticated got (the key presented, when valid; the body, once parsed): what a refusal is recorded with. */
interface ReadProgress {
  key: ApiKeyRecord | null
  body: Record<string, unknown>
}

/** Largest body read (and dropped) for a caller without a valid key, to keep its connection usable. */
const UNAUTHENTICATED_BODY_BYTES = 64 * 1024

/** A body a caller without a key may not make the gateway buffer: chunked, or declared past 64 KiB (past the limit it is still a 413). */
function unauthenticatedBodyTooBig(req: Request, maxBodyBytes: number): boolean {
  const length = req.headers['content-length']
  if (length === undefined) return req.headers['transfer-encoding'] !== undefined
  const declared = Number(length)
  return Number.isSafeInteger(declared) && declared > UNAUTHENTICATED_BODY_BYTES && declared <= maxBodyBytes
}

/** The TokenHub (Go) /v1/chat envelope: {request:{messages, model_hint, parameters, stream}, policy}. */
function fromEnvelope(envelope: Record<string, unknown>): {body: Record<string, unknown>; policy: unknown; hint?: string} {
  const request = envelope.request as Record<string, unknown> | undefined
  if (!request || typeof request !== 'object') throw new TokenHubError('VALIDATION', 'request: is required (TokenHub envelope: {"request":{"messages":[...]}, "policy":{...}})')
  const parameters = (request.parameters && typeof request.parameters === 'object' ? request.parameters : {}) as Record<string, unknown>
  const hint = typeof request.model_hint === 'string' && request.model_hint !== '*' ? request.model_hint : undefined
  const body: Record<string, unknown> = {...parameters, messages: request.messages, stream: request.stream === true}
  chatBody(body)
  return {body, policy: envelope.policy, hint}
}

export function registerV1Routes(server: HyperExpress.Server, env: RouteEnv, deps: V1Deps): void {
  const wrap = (dialectOf: Dialect | ((req: Request) => Dialect), handle: (req: Request, res: Response, requestId: string) => Promise<void>) => async (req: Request, res: Response) => {
    const requestId = newRequestId()
    const dialect = typeof dialectOf === 'function' ? dialectOf(req) : dialectOf
    if (env.isShuttingDown()) {
      res.header('connection', 'close')
      sendDialectError(res, dialect, new TokenHubError('SHUTTING_DOWN', 'the gateway is shutting down; retry'), requestId)
      return
    }
    env.inflight.begin()
    try {
      checkRequestHead(req, res, env.limits)
      checkForwardedHeaders(req)
      await handle(req, res, requestId)
    } catch (error) {
      const failure = isTokenHubError(error) ? error : new TokenHubError('INTERNAL', 'internal error; see the daemon log for details', {cause: error})
      if (failure.code === 'INTERNAL') env.logger.error({err: error, request_id: requestId}, 'v1 request failed')
      sendDialectError(res, dialect, failure, requestId)
    } finally {
      env.inflight.end()
    }
  }

  const header = (req: Request) => (name: string) => req.headers[name]

  for (const spec of ENDPOINTS) {
    server.post(
      spec.path,
      wrap(spec.dialect, async (req, res, requestId) => {
        const started = performance.now()
        const sink = new HyperExpressSink(res)
        const progress: ReadProgress = {key: null, body: {}}
        const callOf = ({body, key}: ReadProgress): GatewayCall => ({requestId, dialect: spec.dialect, endpoint: spec.endpoint, path: spec.path, body, header: header(req), estimateTokens: spec.estimate, key: key ?? undefined})
        let read: ReadProgress
        try {
          read = await readAuthenticated(req, res, sink, env, deps.auth, spec.check, progress)
        } catch (error) {
          deps.gateway.refuse(callOf(progress), error, sink, started)
          return
        }
        await deps.gateway.handle(callOf(read), sink)
      }),
    )
  }

  server.post(
    '/v1/chat',
    wrap('openai', async (req, res, requestId) => {
      const started = performance.now()
      const sink = new HyperExpressSink(res)
      const progress: ReadProgress = {key: null, body: {}}
      const call = (body: Record<string, unknown>, envelope?: GatewayCall['envelope']): GatewayCall => ({
        requestId,
        dialect: 'openai',
        endpoint: 'chat',
        path: '/v1/chat',
        body,
        key: progress.key ?? undefined,
        header: header(req),
        estimateTokens: chatEstimate,
        envelope,
      })
      let unwrapped: ReturnType<typeof fromEnvelope>
      try {
        const read = await readAuthenticated(req, res, sink, env, deps.auth, undefined, progress)
        unwrapped = read.key ? fromEnvelope(read.body) : {body: {}, policy: undefined, hint: undefined}
      } catch (error) {
        deps.gateway.refuse(call({}), error, sink, started)
        return
      }
      const {body, policy, hint} = unwrapped
      await deps.gateway.handle(
        call(body, {
          policy,
          hint,
          wrap: (response, meta) => ({negotiated_model: meta.model, estimated_cost_usd: meta.costUsd, routing_reason: meta.reason, response}),
        }),
        sink,
      )
    }),
  )

  server.post(
    '/v1/messages/count_tokens',
    wrap('anthropic', async (req, res, requestId) => {
      const {body} = await readAuthenticated(req, res, watchAbort(res), env, deps.auth, requireArray('messages'))
      const counted = await deps.gateway.countTokens(body, header(req), (scope) => chatEstimate(body, scope))
      res.header('x-tokenhub-request-id', requestId).json(counted)
    }),
  )

  // What OpenAI stored of a Responses request: read, list its input items, delete, cancel.
  const stored = (method: 'GET' | 'DELETE' | 'POST') =>
    wrap('openai', async (req, res, requestId) => {
      const key = deps.auth.authenticate(presentedKey(req.headers.authorization, req.headers['x-api-key']), Date.now())
      const rest = pathTail(req, '/v1/responses/', 'response id')
      const answer = await deps.gateway.storedResponses.relay({method, rest, query: req.path_query ?? '', key})
      res.atomic(() => {
        res.status(answer.status).header('content-type', 'application/json').header('x-tokenhub-request-id', requestId)
        if (answer.providerId) res.header('x-tokenhub-provider', answer.providerId)
        if (answer.retryAfter) res.header('retry-after', answer.retryAfter)
        res.send(answer.body)
      })
    })
  server.get('/v1/responses/*', stored('GET'))
  server.delete('/v1/responses/*', stored('DELETE'))
  server.post('/v1/responses/*', stored('POST'))

  // Anthropic's SDK lists models with an anthropic-version header and expects its own shapes.
  const modelsDialect = (req: Request): Dialect => (req.headers['anthropic-version'] ? 'anthropic' : 'openai')
  const created = 1_700_000_000
  const listed = (req: Request) => visibleModels(deps.catalog, deps.auth.authenticate(presentedKey(req.headers.authorization, req.headers['x-api-key']), Date.now()))
  const shape = (req: Request, entry: ListedModel) =>
    modelsDialect(req) === 'anthropic'
      ? {type: 'model', id: entry.id, display_name: entry.id, created_at: new Date(created * 1000).toISOString()}
      : {id: entry.id, object: 'model', created, owned_by: entry.ownedBy}

  getAndHead(
    server,
    '/v1/models',
    wrap(modelsDialect, async (req, res, requestId) => {
      const data = listed(req).map((entry) => shape(req, entry))
      res.header('x-tokenhub-request-id', requestId)
      if (modelsDialect(req) === 'anthropic') res.json(anthropicPage(data as Array<{id: string}>, new URLSearchParams(req.path_query ?? '')))
      else res.json({object: 'list', data})
    }),
  )

  // Model ids may hold slashes (meta-llama/Llama-3.3-70B): the rest of the path is the id.
  getAndHead(
    server,
    '/v1/models/*',
    wrap(modelsDialect, async (req, res, requestId) => {
      const id = pathTail(req, '/v1/models/', 'model id')
      const entry = listed(req).find((m) => m.id === id)
      if (!entry) throw new TokenHubError('NOT_FOUND', `model "${id}" is not registered, or this API key may not use it`, {details: {requested_model: id}})
      res.header('x-tokenhub-request-id', requestId).json(shape(req, entry))
    }),
  )
}

/**
 * Anthropic's model list is paged: `limit` (1-1000), `after_id`, `before_id`, as its SDK's
 * auto-pagination sends them. Without `limit` every model comes in one page.
 */
function anthropicPage<T extends {id: string}>(all: T[], query: URLSearchParams): {data: T[]; has_more: boolean; first_id: string | null; last_id: string | null} {
  const limitText = query.get('limit')
  const limit = limitText === null ? all.length : Number(limitText)
  if (limitText !== null && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    throw new TokenHubError('VALIDATION', 'limit: must be a whole number from 1 to 1000', {details: {param: 'limit'}})
  }
  const after = query.get('after_id')
  const before = query.get('before_id')
  const position = (id: string, param: string) => {
    const index = all.findIndex((m) => m.id === id)
    if (index === -1) throw new TokenHubError('VALIDATION', `${param}: "${id}" is not a model this API key may list`, {details: {param}})
    return index
  }
  let data: T[]
  let more: boolean
  if (before !== null) {
    const end = position(before, 'before_id')
    data = all.slice(Math.max(0, end - limit), end)
    more = end - limit > 0
  } else {
    const start = after !== null ? position(after, 'after_id') + 1 : 0
    data = all.slice(start, start + limit)
    more = start + limit < all.length
  }
  return {data, has_more: more, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null}
}

/** The rest of the path after `prefix`, percent-decoded (ids may hold slashes); malformed encoding is a 400. */
function pathTail(req: Request, prefix: string, what: string): string {
  try {
    return decodeURIComponent(req.path.slice(prefix.length))
  } catch {
    throw new TokenHubError('VALIDATION', `the ${what} in the path is not valid percent-encoding`)
  }
}

interface ListedModel {
  id: string
  ownedBy: string
}

/**
 * What /v1/models shows a key: enabled models it may use (its allow-lists, and its scopes: an
 * embeddings-only key sees embedding models), and aliases with at least one of those among their variants.
 */
function visibleModels(catalog: ModelCatalog, key: ApiKeyRecord): ListedModel[] {
  const usable = (m: RoutableModel) =>
    m.enabled && m.providerEnabled && key.scopes.includes(m.kind === 'embedding' ? 'embeddings' : 'chat') && keyAllows(key, m)
  const models = catalog.all().filter(usable)
  const aliases = catalog.aliases().filter((a) => a.enabled && !a.name.includes('*') && a.variants.some((v) => {
    const model = catalog.get(v.model_id)
    return model !== undefined && usable(model)
  }))
  return [...models.map((m) => ({id: m.id, ownedBy: m.providerId})), ...aliases.map((a) => ({id: a.name, ownedBy: 'tokenhub-alias'}))]
}

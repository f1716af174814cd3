import {billableUsage, costUsd, holdUsd, interruptedStreamUsage, maxCostUsd, maxOutputTokens, outputCeiling, roundUsd, usageCostUsd, type BilledTokens, type OutputRequest} from '../../src/core/cost.js'
import {TokenHubError, isTokenHubError} from '../../src/core/errors.js'
import {backoffMs, blameFor, nextStep, type AttemptFailure} from '../../src/core/failover.js'
import type {AttemptRecord, RequestLogRecord} from '../../src/core/request-log.js'
import {failedBeforeAnswer, rewardOf, tokenBucket, type ThompsonBandit} from '../../src/core/routing/thompson.js'
import type {Capability, RoutableModel, RoutingPolicy} from '../../src/core/routing/types.js'
import type {ApiKeyScope} from '../../src/core/schemas/apikey.js'
import {overLimitError, type RateLimiter} from '../../src/core/limits/rate-limiter.js'
import type {Logger} from '../../src/logging/logger.js'
import {translateErrorBody, upstreamErrorMessage} from '../../src/providers/errors.js'
import type {TokenUsage} from '../../src/providers/stream.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import type {ApiKeyRecord, RoutingConfig} from '../../src/store/document.js'
import type {UsageLedger} from '../../src/store/usage-ledger.js'
import type {ResponseSink} from '../http/response-sink.js'
import {presentedKey, type ApiKeyAuth} from './api-key-auth.js'
import {runAttempt} from './attempt.js'
import type {ModelCatalog} from './catalog.js'
import {findAlias} from '../../src/core/routing/alias.js'
import {keyAllows} from '../../src/core/routing/select.js'
import {endpointFor} from '../../src/providers/index.js'
import {estimateWithin, inputShape} from '../../src/core/tokens.js'
import {dialectErrorBody} from './dialect-errors.js'
import {AuthFailureSample, RECORDED_PER_SECOND} from './auth-failure-sample.js'
import {StoredResponses} from './stored-responses.js'
import type {BusEvent} from '../../src/events/bus.js'
import type {Journal} from '../../src/store/journal.js'
import {admitCall} from './call-admission.js'
import type {HealthRegistry} from './health-registry.js'
import {attemptTimeouts, planRequest, type Dialect, type Endpoint} from '../../src/providers/plan.js'
import {policyFrom} from './policy.js'
import type {ProviderKeys} from './provider-keys.js'
import type {RecordQueue} from './record-queue.js'
import {AUTO_MODELS, resolveTargets, retryAfterSec, unknownModelError, type ResolvedTargets} from './targets.js'
import type {UpstreamClient} from './upstream-client.js'

export interface GatewayDeps {
  store: ConfigStore
  catalog: ModelCatalog
  health: HealthRegistry
  keys: ProviderKeys
  upstream: UpstreamClient
  auth: ApiKeyAuth
  ledger: UsageLedger
  /** Where finished requests' records and route events go (log ring, journal, rollups, Prometheus, bus), a batch per loop turn. */
  records: RecordQueue
  limiter: RateLimiter
  bandit: ThompsonBandit
  logger: Logger
  routingConfig: () => RoutingConfig
  firstByteTimeoutMs: number
  idleTimeoutMs: number
  /** Longest time from admission to the first byte of an answer, across retries and failover. */
  deadlineMs: number
  allowUnpriced: boolean
  /** Where the owners of stored responses are kept across restarts (see StoredResponses). */
  responsesJournal?: Pick<Journal, 'append' | 'readLatest'>
  random?: () => number
  now?: () => number
}

/** A parsed /v1 request, as the endpoint handlers hand it over. */
export interface GatewayCall {
  requestId: string
  dialect: Dialect
  endpoint: Endpoint
  /** The path, for logs ("/v1/chat/completions"). */
  path: string
  body: Record<string, unknown>
  header: (name: string) => string | undefined
  /** The API key the route already authenticated (before it parsed the body); else the gateway does. */
  key?: ApiKeyRecord
  /** Input token estimate for routing, limits and cost estimates; `scope` is the API key id (see countText). Batches (embeddings, completions) are counted through inputShape instead. */
  estimateTokens: (body: Record<string, unknown>, scope: string) => number
  /** TokenHub's /v1/chat: policy and hint from the envelope, and the reply wrapped in it. */
  envelope?: {policy: unknown; hint?: string; wrap: (response: unknown, meta: {model: string; costUsd: number; reason: string}) => unknown}
}

/**
 * Final outcomes that say nothing about the model that gave them, so the bandit does not score it:
 * the request itself was at fault (a 4xx returned as is, a prompt too long for every model), or
 * the gateway ran out of connections. Models that failed before it still earn their 0.
 */
const NOT_THE_MODELS_DOING = new Set(['client_error', 'context_overflow', 'request_not_found', 'gateway_resources'])
const CLIENT_LEFT = 'the client closed the connection'
const SCOPE: Record<Endpoint, ApiKeyScope> = {chat: 'chat', completions: 'chat', embeddings: 'embeddings', responses: 'chat'}
const CAPABILITY: Record<Endpoint, Capability> = {chat: 'chat', completions: 'completions', embeddings: 'embeddings', responses: 'responses'}

/**
 * Reported usage as billed (see billableUsage); besides, no input at all for a prompt that has
 * some is not believed: billed the input estimate, flagged.
 */
function billedUsage(model: RoutableModel, usage: TokenUsage, state: {estimate: number; output: OutputRequest}): BilledTokens & {flagged: boolean} {
  const billed = billableUsage(usage, model, state.output)
  return billed.input === 0 && state.estimate > 0 ? {input: state.estimate, output: billed.output, flagged: true} : billed
}

/** What an answer with this reported usage is billed: held to what the request could produce, prompt-cache tokens at their prices. */
function billedCost(model: RoutableModel, usage: TokenUsage, state: {estimate: number; output: OutputRequest}): number {
  return usageCostUsd(model, billedUsage(model, usage, state))
}

/** A stream that ended early (client left, upstream broke off): what was relayed, when the upstream's report does not cover it (see interruptedStreamUsage). */

/** Seconds a refused client should wait when the budget is only held by requests in flight. */
const IN_FLIGHT_RETRY_S = 2

/**
 * 429 BUDGET_EXCEEDED when the month's spend plus what requests in flight may still cost has
 * reached the key's budget. Compared as shown (rounded), so a budget set to the displayed spend
 * stops the next request. Retry-After: the next UTC month when the budget is spent, a moment when
 * requests in flight hold it (OpenAI clients get rate_limit_error then, not insufficient_quota).
 */
function budgetCheck(deps: GatewayDeps, key: ApiKeyRecord, nowMs: number): void {
  const spent = deps.ledger.spend(key.id)
  const held = deps.ledger.reservedFor(key.id)
  if (roundUsd(spent + held) < key.monthly_budget_usd) return
  const spentOut = roundUsd(spent) >= key.monthly_budget_usd
  const [year, month] = deps.ledger.month.split('-').map(Number)
  const retryAfter = spentOut ? Math.max(1, Math.ceil((Date.UTC(year, month, 1) - nowMs) / 1000)) : IN_FLIGHT_RETRY_S
  deps.records.publish({type: 'budget_exceeded', api_key_id: key.id, api_key_name: key.name, monthly_budget_usd: key.monthly_budget_usd, spend_usd: roundUsd(spent), reserved_usd: roundUsd(held)})
  const why = spentOut ? 'is spent' : 'is taken by requests in flight'
  throw new TokenHubError('BUDGET_EXCEEDED', `monthly budget of $${key.monthly_budget_usd} for API key ${key.key_prefix}... ${why} ($${spent.toFixed(6)} spent, $${held.toFixed(6)} reserved, ${deps.ledger.month})`, {
    details: {monthly_budget_usd: key.monthly_budget_usd, spend_usd: roundUsd(spent), reserved_usd: roundUsd(held), month: deps.ledger.month, reason: spentOut ? 'spent' : 'in_flight', retry_after_s: retryAfter},
  })
}
function relayedUsage(state: CallState, model: RoutableModel, reported: TokenUsage | null, relayedEvents = 1): {input: number; output: number} | null {
  return interruptedStreamUsage(reported ? billableUsage(reported, model, state.output) : null, relayedEvents, state.estimate, outputCeiling(model, state.output))
}

/** How many answers the request asks for: OpenAI `n` (chat, completions) and `best_of` (completions; each is generated and billed). */
function choicesOf(body: Record<string, unknown>): number {
  let choices = 1
  for (const field of ['n', 'best_of']) {
    const value = body[field]
    if (typeof value === 'number' && Number.isInteger(value) && value > choices) choices = Math.min(value, 128)
  }
  return choices
}

/** A Responses request that needs what OpenAI stored (see RouteRequest.storedState). */
function leansOnStoredState(body: Record<string, unknown>): boolean {
  const present = (value: unknown) => value !== undefined && value !== null && value !== ''
  return present(body.previous_response_id) || present(body.conversation) || present(body.prompt)
}

function requestedOutput(body: Record<string, unknown>): number | null {
  for (const field of ['max_completion_tokens', 'max_tokens', 'max_output_tokens']) {
    const value = body[field]
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value)
  }
  return null
}

/**
 * What a translation left out (fields, hosted tools), for the client to see: `x-tokenhub-dropped`.
 * Names can come from the client's own keys, so only printable ASCII goes into the header.
 */
function addDroppedHeader(headers: Record<string, string>, dropped: string[]): Record<string, string> {
  if (dropped.length === 0) return headers
  const value = dropped.join(', ').replace(/[^\x20-\x7e]/g, '?')
  headers['x-tokenhub-dropped'] = value.length > 1024 ? `${value.slice(0, 1021)}...` : value
  return headers
}

interface CallState {
  call: GatewayCall
  started: number
  key: ApiKeyRecord | null
  policy: RoutingPolicy | null
  routed: ResolvedTargets | null
  attempts: AttemptRecord[]
  estimate: number
  stream: boolean
  /** The request's maximum cost, held against the key's budget until it settles. */
  reservation: number
  /** max_tokens and the number of answers asked for: what bounds an answer's output and cost. */
  output: OutputRequest
  /** Tokens counted against the key's per-minute limit at admission (corrected by the real usage). */
  rateCounted: number
  /** When rateCounted was counted (epoch ms): unused tokens are taken back from that second. */
  rateCountedAt: number
  /** The alias the requested id matched, when routing failed before targets were resolved. */
  aliasFrom?: string
}

function newCallState(call: GatewayCall): CallState {
  return {call, started: performance.now(), key: null, policy: null, routed: null, attempts: [], estimate: 0, stream: call.body.stream === true, reservation: 0, output: {requested: null, choices: 1}, rateCounted: 0, rateCountedAt: 0}
}

/**
 * The /v1 request path: authenticate, check budget and rate limits, route, call upstreams with
 * failover, deliver, and account (logs, spend, health, bandit, events). Nothing here waits on disk.
 */
export class Gateway {
  private readonly turns = new Map<string, number>()

  /** Round-robin positions per alias, read-only (simulate shows the pick the next request gets). */
  get aliasTurns(): ReadonlyMap<string, number> {
    return this.turns
  }
  private readonly random: () => number
  private readonly now: () => number
  private readonly authFailures = new AuthFailureSample()
  /** GET/DELETE /v1/responses/{id} and friends: what OpenAI upstreams stored. */
  readonly storedResponses: StoredResponses

  constructor(private readonly deps: GatewayDeps) {
    this.random = deps.random ?? Math.random
    this.now = deps.now ?? Date.now
    this.storedResponses = new StoredResponses(deps, deps.responsesJournal)
  }

  /**
   * POST /v1/messages/count_tokens: asked of the Anthropic upstream when the model lives there
   * (its count is exact), else answered with the local tokenizer estimate.
   */
  async countTokens(body: Record<string, unknown>, header: (name: string) => string | undefined, estimateFor: (scope: string) => number): Promise<{input_tokens: number}> {
    const {deps} = this
    const key = deps.auth.authenticate(presentedKey(header('authorization'), header('x-api-key')), this.now())
    deps.auth.requireScope(key, 'chat')
    // A count is free, but it is a call (often upstream): it counts against the key's requests per minute.
    admitCall(deps, key, this.now())
    // Only after authentication: tokenizing a large body is work an unknown caller must not cause.
    const estimate = () => ({input_tokens: estimateFor(key.id)})
    const requested = typeof body.model === 'string' ? body.model.trim() : ''
    // As Anthropic's own endpoint (and /v1/messages) answers a body without one.
    if (requested === '') throw new TokenHubError('VALIDATION', 'model: is required', {details: {param: 'model'}})
    const model = this.countingModel(requested, key)
    if (!model || model.providerType !== 'anthropic' || !model.enabled || !model.providerEnabled || !deps.keys.usable(model.providerId)) return estimate()
    try {
      const apiKey = await deps.keys.get(model.providerId)
      const response = deps.upstream.send({
        baseUrl: deps.store.data.providers[model.providerId].base_url,
        path: '/v1/messages/count_tokens',
        headers: {'content-type': 'application/json', ...endpointFor('anthropic').authHeaders(apiKey, header('anthropic-version')), ...(header('anthropic-beta') ? {'anthropic-beta': header('anthropic-beta')!} : {})},
        body: JSON.stringify({...body, model: model.upstreamModel}),
        firstByteTimeoutMs: deps.firstByteTimeoutMs,
        idleTimeoutMs: deps.idleTimeoutMs,
      })
      // A count is small: the whole exchange gets the first-byte allowance, not just its first byte.
      const timer = setTimeout(() => response.abort(new Error('upstream did not answer in time')), deps.firstByteTimeoutMs)
      let answer: {input_tokens?: unknown}
      try {
        await response.ready
        answer = JSON.parse(await response.text()) as {input_tokens?: unknown}
      } finally {
        clearTimeout(timer)
      }
      if (response.statusCode === 200 && typeof answer.input_tokens === 'number') return {input_tokens: answer.input_tokens}
    } catch (error) {
      deps.logger.debug({err: error, model_id: model.id}, 'count_tokens upstream failed; answering with the estimate')
    }
    return estimate()
  }

  /**
   * The model a count is asked of: the named one or the first variant of the alias the key may
   * use; undefined for auto. Unknown names are a 404 and models the key may not use a 403, as
   * /v1/messages would answer.
   */
  private countingModel(requested: string, key: ApiKeyRecord): RoutableModel | undefined {
    const {catalog} = this.deps
    if (AUTO_MODELS.has(requested)) return undefined
    const explicit = catalog.get(requested)
    const alias = explicit ? undefined : findAlias(catalog.aliases(), requested)
    if (!explicit && !alias) throw unknownModelError(catalog, requested)
    if (explicit?.kind === 'embedding') {
      throw new TokenHubError('VALIDATION', `model "${requested}" is an embedding model; count_tokens counts a Messages request for a chat model`, {details: {param: 'model'}})
    }
    const candidates = explicit ? [explicit] : alias!.variants.map((v) => catalog.get(v.model_id)).filter((m): m is RoutableModel => m !== undefined)
    const allowed = candidates.filter((m) => keyAllows(key, m))
    if (candidates.length > 0 && allowed.length === 0) {
      throw new TokenHubError('FORBIDDEN', `this API key may not use model "${requested}"`, {details: {requested_model: requested}})
    }
    return allowed[0]
  }

  async handle(call: GatewayCall, sink: ResponseSink): Promise<void> {
    const state = newCallState(call)
    try {
      await this.admitAndRoute(state, sink)
    } catch (error) {
      this.refuseState(state, error, sink)
    }
  }

  /**
   * A request refused before it could be handled (its body unreadable, not JSON, of the wrong
   * shape or too large; `call.key` is the key it presented, when valid): answered and recorded
   * like any refusal, so a client sending broken requests shows in logs, events, stats and /metrics.
   */
  refuse(call: GatewayCall, error: unknown, sink: ResponseSink, started: number): void {
    const state = newCallState(call)
    state.started = started
    state.key = call.key ?? null
    this.refuseState(state, error, sink)
  }

  private refuseState(state: CallState, error: unknown, sink: ResponseSink): void {
    const failure = isTokenHubError(error) ? error : new TokenHubError('INTERNAL', 'internal error; see the daemon log for details', {cause: error})
    if (failure.code === 'INTERNAL') this.deps.logger.error({err: failure.cause ?? failure, request_id: state.call.requestId}, 'gateway request failed')
    this.sendError(state, sink, failure)
    if (typeof failure.details?.alias === 'string') state.aliasFrom = failure.details.alias
    // A client that left while sending its body is recorded as any client that left.
    const errorClass = failure.code === 'CLIENT_CLOSED' ? 'client_aborted' : failure.code
    this.account(state, {status: failure.status, errorClass, errorMessage: failure.message, model: null, usage: null, ttftMs: null, fallback: 'none'})
  }

  private async admitAndRoute(state: CallState, sink: ResponseSink): Promise<void> {
    const {call, deps} = {call: state.call, deps: this.deps}
    const nowMs = this.now()
    const key = call.key ?? deps.auth.authenticate(presentedKey(call.header('authorization'), call.header('x-api-key')), nowMs)
    state.key = key
    deps.auth.requireScope(key, SCOPE[call.endpoint])
    deps.ledger.touch(key.id, nowMs)

    // Read first, so a refusal below is recorded under the mode the request asked for.
    const policyField = call.envelope ? call.envelope.policy : call.body.tokenhub
    delete call.body.tokenhub
    state.policy = policyFrom(policyField, call.header, deps.routingConfig())

    // Spend plus what requests in flight may still cost: parallel requests cannot all slip in.
    if (key.monthly_budget_usd > 0) budgetCheck(deps, key, nowMs)

    // A batch (embeddings inputs, completion prompts): each input within the context on its own; each
    // prompt answered. Its shape counts every input once, so its total is the estimate.
    const batch = call.endpoint === 'embeddings' ? estimateWithin(inputShape, call.body.input, key.id) : call.endpoint === 'completions' ? estimateWithin(inputShape, call.body.prompt, key.id) : null
    state.estimate = batch ? batch.total : call.estimateTokens(call.body, key.id)
    const outputTokens = requestedOutput(call.body)
    const inputs = batch?.count ?? 1
    // Embeddings produce no output tokens: nothing to reserve or bill for them, whatever max_tokens says.
    const requested = call.endpoint === 'embeddings' ? 0 : outputTokens
    state.output = {requested, choices: choicesOf(call.body) * (call.endpoint === 'completions' ? inputs : 1), inputs}

    state.routed = resolveTargets({
      requested: call.body.model,
      catalog: deps.catalog,
      health: deps.health,
      bandit: deps.bandit,
      policy: state.policy,
      request: {
        capability: CAPABILITY[call.endpoint],
        estimatedInputTokens: state.estimate,
        contextInputTokens: batch && batch.count > 1 ? batch.largest : undefined,
        requestedOutputTokens: outputTokens,
        storedState: call.endpoint === 'responses' && leansOnStoredState(call.body),
        choices: call.dialect === 'openai' && call.endpoint === 'chat' ? choicesOf(call.body) : 1,
        stream: state.stream,
        allowedModels: key.allowed_models,
        allowedProviders: key.allowed_providers,
      },
      apiKeyId: key.id,
      turns: this.turns,
      random: this.random,
      now: this.now(),
      hint: call.envelope?.hint,
      allowUnpriced: deps.allowUnpriced,
    })
    // Counted with the output the first candidate is sent (max_tokens clamped to its cap: Claude
    // Code asks 32000 of any model), so a TPM limit judges what the request can really use.
    const first = state.routed.targets[0]
    state.rateCounted = state.estimate + Math.min(outputTokens ?? 0, first?.maxOutputTokens ?? Number.POSITIVE_INFINITY)
    state.rateCountedAt = this.now()
    const admitted = deps.limiter.admit(key.id, {requestsPerMinute: key.rate_limit_rpm, tokensPerMinute: key.rate_limit_tpm}, state.rateCounted, state.rateCountedAt)
    if (!admitted.ok && admitted.retryAfterSec === null) {
      deps.records.publish({type: 'rate_limited', api_key_id: key.id, limit: admitted.limit, retry_after_s: null})
      throw new TokenHubError(
        'RATE_LIMITED',
        `this request needs ~${admitted.requestTokens} tokens (input estimate plus max_tokens, as sent), more than API key ${key.key_prefix}...'s limit of ${admitted.limitValue} tokens per minute`,
        {
          suggestion: 'Lower max_tokens or shorten the prompt, or raise the key\'s rate_limit_tpm (tokenhub apikey edit <id> --rate-limit-tpm N).',
          details: {limit: admitted.limit, limit_per_minute: admitted.limitValue, request_tokens: admitted.requestTokens},
        },
      )
    }
    if (!admitted.ok) {
      deps.records.publish({type: 'rate_limited', api_key_id: key.id, limit: admitted.limit, retry_after_s: admitted.retryAfterSec})
      throw overLimitError(key.key_prefix, admitted)
    }

    // The hold is what the first candidate could cost; failing over to a dearer one raises it.
    state.reservation = first ? holdUsd(first, state.estimate, state.output) : 0
    deps.ledger.reserve(key.id, state.reservation)
    await this.attemptAll(state, sink)
  }

  private async attemptAll(state: CallState, sink: ResponseSink): Promise<void> {
    const {deps} = this
    const call = state.call
    let remaining = [...state.routed!.targets]
    let lastFailure: {failure: AttemptFailure; model: RoutableModel; errorBody: string | null; upstreamDialect: Dialect} | null = null
    let vaultLocked = false
    let deadlineHit = false
    /** The first candidate's refusal to take the request as it is, returned when no other candidate answers. */
    let untranslatable: TokenHubError | null = null

    const deadline = state.started + deps.deadlineMs
    while (remaining.length > 0) {
      if (performance.now() >= deadline) {
        deadlineHit = true
        break
      }
      const model = remaining.shift()!
      if (!deps.health.tryAcquire(model.id, model.providerId)) {
        state.attempts.push({model_id: model.id, provider_id: model.providerId, status: null, error_class: 'unhealthy', latency_ms: 0})
        continue
      }
      const hold = holdUsd(model, state.estimate, state.output)
      if (state.key && hold > state.reservation) {
        // A dearer candidate must fit the budget too, or parallel requests admitted on a cheap
        // first choice could all fail over into spending many times the budget.
        const {key} = state
        if (key.monthly_budget_usd > 0 && roundUsd(deps.ledger.spend(key.id) + deps.ledger.reservedFor(key.id) + hold - state.reservation) > key.monthly_budget_usd) {
          deps.health.release(model.id, model.providerId)
          state.attempts.push({model_id: model.id, provider_id: model.providerId, status: null, error_class: 'over_budget', latency_ms: 0})
          continue
        }
        deps.ledger.reserve(key.id, hold - state.reservation)
        state.reservation = hold
      }
      // In memory after the first request: no promise, no await on the common path.
      let apiKey = deps.keys.peek(model.providerId)
      if (apiKey === undefined) {
        try {
          apiKey = await deps.keys.get(model.providerId)
        } catch (error) {
          deps.health.release(model.id, model.providerId)
          if (isTokenHubError(error) && error.code === 'VAULT_LOCKED') {
            vaultLocked = true
            state.attempts.push({model_id: model.id, provider_id: model.providerId, status: null, error_class: 'vault_locked', latency_ms: 0})
            continue
          }
          throw error
        }
      }
      let plan: ReturnType<typeof planRequest>
      try {
        plan = planRequest(
          {
            dialect: call.dialect,
            endpoint: call.endpoint,
            body: call.body,
            stream: state.stream,
            anthropicVersion: call.header('anthropic-version'),
            anthropicBeta: call.header('anthropic-beta'),
            requestId: call.requestId,
            inputEstimate: state.estimate,
          },
          model,
          apiKey,
        )
      } catch (error) {
        // The request cannot be put to this model (a translation refuses it): no verdict on the
        // upstream, and a half-open circuit's one probe slot, taken above, is given back (kept, the
        // circuit would stay half open with a probe "in flight" until a restart). The next
        // candidate may take it as it is (an alias of a Claude and a GPT model).
        deps.health.release(model.id, model.providerId)
        if (!isTokenHubError(error) || error.code !== 'VALIDATION') throw error
        state.attempts.push({model_id: model.id, provider_id: model.providerId, status: error.status, error_class: 'untranslatable', latency_ms: 0})
        untranslatable ??= error
        continue
      }
      if (plan.dropped.length > 0) deps.logger.debug({request_id: call.requestId, model_id: model.id, dropped: plan.dropped}, 'fields the upstream cannot take were dropped')
      const provider = Object.hasOwn(deps.store.data.providers, model.providerId) ? deps.store.data.providers[model.providerId] : undefined
      if (!provider) {
        // Deleted by an admin while this request was routed.
        deps.health.release(model.id, model.providerId)
        state.attempts.push({model_id: model.id, provider_id: model.providerId, status: null, error_class: 'provider_removed', latency_ms: 0})
        continue
      }

      const timeouts = attemptTimeouts(model, {firstByteMs: deps.firstByteTimeoutMs, idleMs: deps.idleTimeoutMs, deadlineMs: deps.deadlineMs})
      for (let retry = 0; ; retry++) {
        const outcome = await runAttempt({
          plan,
          model,
          baseUrl: provider.base_url,
          stream: state.stream,
          clientDialect: call.dialect,
          endpoint: call.endpoint,
          sink,
          upstream: deps.upstream,
          firstByteTimeoutMs: Math.max(1, Math.min(timeouts.firstByteMs, deadline - performance.now())),
          idleTimeoutMs: timeouts.idleMs,
          // A whole answer's cost is what it is billed: its usage, else the model's maximum (see account).
          responseHeaders: (usage, whole) =>
            addDroppedHeader(this.responseHeaders(state, model, usage ? billedCost(model, usage, state) : whole ? maxCostUsd(model, state.estimate, state.output) : null), plan.dropped),
          wrapBody: call.envelope
            ? (body, usage) =>
                call.envelope!.wrap(body, {model: model.id, costUsd: usage ? billedCost(model, usage, state) : maxCostUsd(model, state.estimate, state.output), reason: state.routed!.reason})
            : undefined,
          secrets: deps.keys.known(),
          now: () => performance.now(),
        })
        if (outcome.kind === 'success') {
          // A stream the daemon itself cut at shutdown says nothing about the upstream.
          const cut = outcome.streamError !== null && deps.upstream.cut
          state.attempts.push({model_id: model.id, provider_id: model.providerId, status: outcome.status, error_class: cut ? 'shutdown' : outcome.streamError ? 'stream_interrupted' : null, latency_ms: Math.round(outcome.latencyMs)})
          if (cut) deps.health.release(model.id, model.providerId)
          else if (outcome.streamError) deps.health.recordFailure(model.id, model.providerId, outcome.latencyMs, outcome.streamError, 'model')
          else deps.health.recordSuccess(model.id, model.providerId, outcome.latencyMs)
          // The upstream broke its stream: billed what was relayed, as for a client that left, not the model's maximum.
          const relayed = outcome.streamError ? relayedUsage(state, model, outcome.usage, outcome.relayedEvents) : null
          this.account(state, {
            status: outcome.status,
            errorClass: cut ? 'shutdown' : outcome.streamError ? 'stream_interrupted' : null,
            errorMessage: outcome.streamError,
            model,
            usage: relayed ? null : outcome.usage,
            estimatedUsage: relayed,
            ttftMs: outcome.ttftMs,
            fallback: 'reservation',
          })
          // What OpenAI stored of it is the key's own: the relay lets only it (or its project) reach it.
          if (outcome.responseId && model.providerType === 'openai' && state.key && call.body.store !== false) this.storedResponses.remember(outcome.responseId, state.key, model.providerId)
          return
        }
        if (outcome.kind === 'aborted') {
          deps.health.release(model.id, model.providerId)
          state.attempts.push({model_id: model.id, provider_id: model.providerId, status: null, error_class: 'client_aborted', latency_ms: Math.round(outcome.latencyMs)})
          // Part of an answer went out: bill what was relayed when the upstream's report does not cover it yet.
          const relayed = outcome.started ? relayedUsage(state, model, outcome.usage, outcome.relayedEvents) : null
          this.account(state, {
            status: 499,
            errorClass: 'client_aborted',
            errorMessage: CLIENT_LEFT,
            model,
            usage: relayed ? null : outcome.usage,
            estimatedUsage: relayed,
            ttftMs: outcome.ttftMs ?? null,
            fallback: outcome.started ? 'reservation' : 'input_estimate',
          })
          return
        }
        const {failure} = outcome
        if (deps.upstream.cut) {
          // Cut by the daemon past its drain deadline: no failover, no verdict on the upstream, no bandit lesson.
          deps.health.release(model.id, model.providerId)
          state.attempts.push({model_id: model.id, provider_id: model.providerId, status: null, error_class: 'shutdown', latency_ms: Math.round(outcome.latencyMs)})
          const error = new TokenHubError('SHUTTING_DOWN', 'the daemon is shutting down; its drain deadline passed before the upstream answered')
          this.sendError(state, sink, error)
          this.account(state, {status: error.status, errorClass: 'shutdown', errorMessage: error.message, model, usage: null, ttftMs: null, fallback: 'none'})
          return
        }
        state.attempts.push({model_id: model.id, provider_id: model.providerId, status: failure.status, error_class: failure.errorClass, latency_ms: Math.round(outcome.latencyMs)})
        deps.health.recordFailure(model.id, model.providerId, outcome.latencyMs, failure.message, blameFor(failure.errorClass), failure.errorClass === 'timeout')
        lastFailure = {failure, model, errorBody: outcome.errorBody, upstreamDialect: outcome.upstreamDialect}
        const step = nextStep(failure, retry)
        if (step === 'retry_same') {
          const pause = backoffMs(retry, this.random)
          if (performance.now() + pause >= deadline) {
            deadlineHit = true
            break
          }
          await new Promise((resolve) => setTimeout(resolve, pause))
          if (sink.aborted) {
            // Nothing was answered: nothing to bill, but the request is recorded and its hold on the budget released.
            this.account(state, {status: 499, errorClass: 'client_aborted', errorMessage: CLIENT_LEFT, model, usage: null, ttftMs: null, fallback: 'none'})
            return
          }
          if (!deps.health.tryAcquire(model.id, model.providerId)) break
          continue
        }
        if (step === 'return_to_client') {
          if (failure.errorClass === 'gateway_resources') {
            deps.logger.error({request_id: call.requestId, model_id: model.id, reason: failure.message}, 'out of resources opening an upstream connection')
            this.sendError(state, sink, new TokenHubError('GATEWAY_RESOURCES', failure.message))
          } else this.sendUpstreamError(state, sink, model, failure, outcome.errorBody)
          this.account(state, {status: failure.status ?? 502, errorClass: failure.errorClass, errorMessage: failure.message, model, usage: null, ttftMs: null, fallback: 'none'})
          return
        }
        if (failure.errorClass === 'rate_limited') deps.health.coolDown(model.id, this.now() + (failure.retryAfterMs ?? 30_000))
        if (step === 'next_larger_context') remaining = remaining.filter((m) => m.maxContextTokens > model.maxContextTokens)
        // "Not here" from a provider holds for its other models too: only other providers may have the id.
        if (failure.errorClass === 'request_not_found') remaining = remaining.filter((m) => m.providerId !== model.providerId)
        if (remaining.length > 0) {
          deps.records.publish({type: 'failover', request_id: call.requestId, from_model: model.id, error_class: failure.errorClass, status: failure.status, to_model: remaining[0].id})
        }
        break
      }
      if (deadlineHit) break
    }

    if (deadlineHit) {
      const error = new TokenHubError('UPSTREAM_TIMEOUT', `no answer within the request deadline of ${Math.round(deps.deadlineMs / 1000)}s (TOKENHUB_REQUEST_DEADLINE_SECS) after ${state.attempts.length} attempt(s)`, {
        details: {attempts: state.attempts},
      })
      this.sendError(state, sink, error)
      this.account(state, {status: error.status, errorClass: 'deadline', errorMessage: error.message, model: lastFailure?.model ?? null, usage: null, ttftMs: null, fallback: 'none'})
      return
    }
    if (!lastFailure && vaultLocked) {
      throw new TokenHubError('VAULT_LOCKED', 'the vault is locked, so no provider key can be used', {suggestion: 'Run `tokenhub vault unlock`.'})
    }
    if (!lastFailure && state.key && state.attempts.some((a) => a.error_class === 'over_budget')) {
      const {key} = state
      throw new TokenHubError('BUDGET_EXCEEDED', `the models that could take this request cost more than is left of API key ${key.key_prefix}...'s monthly budget of $${key.monthly_budget_usd} while other requests are in flight`, {
        details: {monthly_budget_usd: key.monthly_budget_usd, spend_usd: roundUsd(deps.ledger.spend(key.id)), reserved_usd: roundUsd(deps.ledger.reservedFor(key.id)), reason: 'in_flight', retry_after_s: IN_FLIGHT_RETRY_S, attempts: state.attempts},
      })
    }
    // After the locked vault and the budget, which say the request itself is fine.
    if (!lastFailure && untranslatable) throw untranslatable
    if (!lastFailure) {
      const retryAfter = retryAfterSec(deps.health, state.routed!.targets)
      throw new TokenHubError('NO_ELIGIBLE_MODEL', 'every eligible model is unavailable right now (circuits open)', {details: {attempts: state.attempts, retry_after_s: retryAfter}})
    }
    const {failure, model, errorBody} = lastFailure
    if (failure.errorClass === 'context_overflow' || failure.errorClass === 'request_not_found') {
      // No model left that could hold the prompt (or no provider holds the id the request named): the
      // request's fault, so the upstream's own 400 (404) in
      // the client's dialect (Claude Code compacts on "prompt is too long", Codex on
      // context_length_exceeded), not a 502 that SDKs retry with the same prompt.
      this.sendUpstreamError(state, sink, model, failure, errorBody)
      this.account(state, {status: failure.status ?? 400, errorClass: failure.errorClass, errorMessage: failure.message, model, usage: null, ttftMs: null, fallback: 'none'})
      return
    }
    const code = failure.errorClass === 'timeout' ? 'UPSTREAM_TIMEOUT' : failure.errorClass === 'network' ? 'UPSTREAM_UNREACHABLE' : 'UPSTREAM_ERROR'
    // Rate limited upstream: 429 (the SDKs back off). Overloaded (Anthropic's 529): 529 to Anthropic
    // clients, whose SDKs and agents know it, 503 to the others.
    const status = failure.errorClass === 'rate_limited' ? 429 : failure.status === 529 ? (call.dialect === 'anthropic' ? 529 : 503) : undefined
    // The client may come back when the first candidate's cooldown ends.
    const retryAfter = status === 429 ? retryAfterSec(deps.health, state.routed!.targets) : null
    // What the upstream said helps the client only when it is about load (429, 5xx, overload);
    // a rejected key or a wrong upstream model id is the operator's business (request log and events have it).
    const said = failure.errorClass === 'rate_limited' || failure.errorClass === 'transient' ? upstreamErrorMessage(errorBody, failure.status ?? 0) : null
    // A dearer fallback skipped for the key's budget: said, or the client retries a 502 in vain.
    const overBudget = [...new Set(state.attempts.filter((a) => a.error_class === 'over_budget').map((a) => a.model_id))]
    const budgetNote = overBudget.length > 0 ? `; skipped for API key ${state.key?.key_prefix}...'s monthly budget: ${overBudget.join(', ')}` : ''
    const error = new TokenHubError(code, `all ${state.attempts.length} attempt(s) failed; last: ${model.id} via ${model.providerId}: ${failure.message}${said ? ` (${said})` : ''}${budgetNote}`, {
      details: retryAfter === null ? {attempts: state.attempts} : {attempts: state.attempts, retry_after_s: retryAfter},
    })
    this.sendError(state, sink, error, status)
    this.account(state, {status: status ?? error.status, errorClass: failure.errorClass, errorMessage: error.message, model, usage: null, ttftMs: null, fallback: 'none'})
  }

  private responseHeaders(state: CallState, model: RoutableModel | null, cost: number | null): Record<string, string> {
    const headers: Record<string, string> = {'x-tokenhub-request-id': state.call.requestId}
    if (model) {
      headers['x-tokenhub-model'] = model.id
      headers['x-tokenhub-provider'] = model.providerId
      if (state.call.envelope) headers['x-negotiated-model'] = model.id
    }
    if (state.routed) {
      // After a failover the reason ranked the model tried first: say which one answered instead.
      const first = state.attempts[0]
      headers['x-tokenhub-routing-reason'] =
        model && first && first.model_id !== model.id ? `${state.routed.reason}; failover from ${first.model_id} (${first.error_class ?? 'failed'})`.replace(/[^\x20-\x7e]/g, '?') : state.routed.reason
    }
    if (cost !== null) headers['x-tokenhub-cost-usd'] = cost.toFixed(8)
    return headers
  }

  private sendError(state: CallState, sink: ResponseSink, error: TokenHubError, status = error.status): void {
    if (sink.started || sink.aborted) return
    const headers: Record<string, string> = {'content-type': 'application/json', ...this.responseHeaders(state, null, null)}
    if (typeof error.details?.retry_after_s === 'number') headers['retry-after'] = String(error.details.retry_after_s)
    sink.send(status, JSON.stringify(dialectErrorBody(state.call.dialect, error, status)), headers)
  }

  /** A client error from the upstream (a 4xx that is the request's fault) goes back as is, in the client's dialect. */
  private sendUpstreamError(state: CallState, sink: ResponseSink, model: RoutableModel, failure: AttemptFailure, body: string | null): void {
    if (sink.started || sink.aborted) return
    const status = failure.status ?? 502
    sink.send(status, translateErrorBody(body ?? failure.message, status, state.call.dialect), {'content-type': 'application/json', ...this.responseHeaders(state, model, null)})
  }

  private account(
    state: CallState,
    outcome: {
      status: number
      errorClass: string | null
      errorMessage: string | null
      model: RoutableModel | null
      usage: TokenUsage | null
      ttftMs: number | null
      /** What to bill when the upstream reported no usage. */
      fallback: 'reservation' | 'input_estimate' | 'none'
      /** Usage the gateway worked out itself (an interrupted stream): billed as an estimate. */
      estimatedUsage?: {input: number; output: number} | null
    },
  ): void {
    const {deps} = this
    const {call, key, routed} = state
    const model = outcome.model
    const latencyMs = performance.now() - state.started
    if (key) deps.ledger.release(key.id, state.reservation)
    let usage: BilledTokens = {input: 0, output: 0}
    let cost = 0
    let usageSource: RequestLogRecord['usage_source'] = 'none'
    let flagged = false
    if (model && outcome.usage) {
      const {flagged: suspicious, ...clean} = billedUsage(model, outcome.usage, state)
      usage = clean
      flagged = suspicious
      cost = usageCostUsd(model, usage)
      usageSource = 'upstream'
    } else if (model && outcome.estimatedUsage) {
      usage = outcome.estimatedUsage
      cost = costUsd(model, usage.input, usage.output)
      usageSource = 'estimate'
    } else if (model && outcome.fallback === 'reservation') {
      // The answering model's own worst case, not the hold taken for another candidate; the
      // output billed is recorded, so tokens times prices still make the cost.
      usage = {input: state.estimate, output: maxOutputTokens(model, state.output)}
      cost = costUsd(model, usage.input, usage.output)
      usageSource = 'reservation'
    } else if (model && outcome.fallback === 'input_estimate') {
      usage = {input: state.estimate, output: 0}
      cost = costUsd(model, state.estimate, 0)
      usageSource = 'estimate'
    }
    const success = outcome.status < 400 && !outcome.errorClass
    // The bandit learns from every answered request (not from a client that left).
    // A client that left or a daemon that stopped teaches nothing about any model.
    const learnable = model !== null && state.policy !== null && outcome.errorClass !== 'client_aborted' && outcome.errorClass !== 'shutdown'
    const observed = learnable && !NOT_THE_MODELS_DOING.has(outcome.errorClass ?? '')
    const bucket = tokenBucket(state.estimate)
    // The answering model is rewarded for its own attempt's latency, not for the failed ones before it;
    // those models earn 0 each (failedBeforeAnswer), or a model rescued by failover would never be learnt.
    const answerLatencyMs = state.attempts.at(-1)?.latency_ms ?? latencyMs
    const reward = observed ? rewardOf({success, latencyMs: answerLatencyMs, costUsd: cost, latencyBudgetMs: state.policy!.maxLatencyMs, costBudgetUsd: state.policy!.maxBudgetUsd}) : null
    if (observed) deps.bandit.update(model.id, bucket, reward!)
    if (learnable) for (const failed of failedBeforeAnswer(state.attempts, model.id)) deps.bandit.update(failed, bucket, 0)
    const record: RequestLogRecord = {
      request_id: call.requestId,
      timestamp: new Date().toISOString(),
      api_key_id: key?.id ?? null,
      api_key_name: key?.name ?? null,
      endpoint: call.path,
      mode: state.policy?.mode ?? deps.routingConfig().default_mode,
      requested_model: routed?.requestedModel ?? (typeof call.body.model === 'string' ? clipped(call.body.model) : 'auto'),
      alias_from: routed?.aliasFrom ?? state.aliasFrom ?? null,
      model_id: model?.id ?? null,
      provider_id: model?.providerId ?? null,
      stream: state.stream,
      status_code: outcome.status,
      error_class: outcome.errorClass,
      error_message: outcome.errorMessage,
      attempts: state.attempts,
      input_tokens: usage.input,
      output_tokens: usage.output,
      total_tokens: usage.input + usage.output,
      cache_read_tokens: usage.cacheRead ?? 0,
      cache_write_tokens: usage.cacheWrite ?? 0,
      cost_usd: cost,
      unpriced: model?.pricingSource === 'unpriced',
      usage_source: usageSource,
      usage_flagged: flagged,
      latency_ms: Math.round(latencyMs),
      ttft_ms: outcome.ttftMs === null ? null : Math.round(outcome.ttftMs),
      token_bucket: observed ? bucket : null,
      reward,
    }
    if (key && cost > 0) deps.ledger.addSpend(key.id, cost)
    if (key && key.rate_limit_tpm > 0 && usageSource === 'upstream') {
      deps.limiter.settleTokens(key.id, usage.input + usage.output - state.rateCounted, state.rateCountedAt, this.now())
    }
    if (!key && !this.authFailures.admit(this.now())) {
      // Past the sample of requests without a valid key: counted, not recorded one by one.
      deps.records.count(record)
      const left = this.authFailures.report(this.now())
      if (left !== null) deps.logger.warn({not_recorded: left, per_second: RECORDED_PER_SECOND}, 'many requests without a valid API key: past 10 a second they are counted in /metrics but not recorded one by one')
      return
    }
    const event: BusEvent = {
      type: success ? 'route_success' : 'route_error',
      request_id: call.requestId,
      endpoint: call.path,
      api_key_id: key?.id ?? null,
      model_id: record.model_id,
      provider_id: record.provider_id,
      mode: record.mode,
      status: outcome.status,
      error_class: outcome.errorClass,
      latency_ms: record.latency_ms,
      ttft_ms: record.ttft_ms,
      input_tokens: record.input_tokens,
      output_tokens: record.output_tokens,
      cost_usd: cost,
      attempts: state.attempts.length,
    }
    // A refusal before routing has no model_id: what was asked for says which request it was.
    if (!success) {
      event.requested_model = record.requested_model
      event.alias_from = record.alias_from
    }
    deps.records.push(record, event)
  }
}

/** A client's model name as recorded: at most 200 characters (the body may be megabytes). */
function clipped(model: string): string {
  return model.length <= 200 ? model : `${model.slice(0, 199)}…`
}


import {costUsd, ESTIMATE_HEADROOM, expectedOutputTokens} from '../cost.js'
import {MODE_WEIGHTS} from './modes.js'
import type {Candidate, ModelSignals, RoutableModel, RouteDecision, RouteRequest, RoutingPolicy, SkipReason} from './types.js'

/** Latency limits apply only once a model has this many samples. */
export const MIN_LATENCY_SAMPLES = 5

const NO_SIGNALS: ModelSignals = {p95LatencyMs: null, latencySamples: 0, errorRate: 0, available: true, cooldownUntil: 0}

export interface SelectInput {
  models: RoutableModel[]
  signals: (modelId: string) => ModelSignals | undefined
  policy: RoutingPolicy
  request: RouteRequest
  now: number
  /** Thompson mode: a reward estimate per model sampled from its posterior (higher is better). */
  sample?: (modelId: string) => number
  /** Route to models that have no price (their requests would look free). Off by default. */
  allowUnpriced?: boolean
}

/**
 * OpenAI models served only by the Responses API: Chat Completions (and legacy completions) answer
 * 404 "only supported in v1/responses" for them. TokenHub sends Chat Completions and Anthropic
 * Messages requests for them to /v1/responses, translated (src/providers/responses/from-chat-request.ts);
 * legacy completions are not translated, and a Responses request returns one answer (no `n` > 1).
 */
const RESPONSES_ONLY_MODEL = /^(o\d+(-mini)?-(pro|deep-research)|codex-mini|gpt-5(\.\d+)?-(pro|codex)|computer-use-preview)/

export const responsesOnly = (model: RoutableModel): boolean => model.providerType === 'openai' && RESPONSES_ONLY_MODEL.test(model.upstreamModel)

/**
 * Responses-only models no translated request can use: deep research needs a hosted data source
 * (web search, file search, MCP) and computer use its computer tool, which only a Responses
 * client can give them (translated requests carry function tools).
 */
const HOSTED_TOOLS_MODEL = /^(o\d+(-mini)?-deep-research|computer-use-preview)/
/** OpenAI models that answer whole, never as a stream ("stream unsupported", a 400 no failover gets past). */
const NO_STREAM_MODEL = /^o\d+(-mini)?-pro/

/** The key's allow-lists (null: no restriction) let it use this model. */
export function keyAllows(key: {allowed_models: readonly string[] | null; allowed_providers: readonly string[] | null}, model: Pick<RoutableModel, 'id' | 'providerId'>): boolean {
  return (!key.allowed_models || key.allowed_models.includes(model.id)) && (!key.allowed_providers || key.allowed_providers.includes(model.providerId))
}

function supports(model: RoutableModel, capability: RouteRequest['capability']): boolean {
  if ((capability === 'embeddings') !== (model.kind === 'embedding')) return false
  return model.providerType !== 'anthropic' || capability === 'chat' || capability === 'responses'
}

function skipOf(model: RoutableModel, signals: ModelSignals, input: SelectInput, cost: number): [SkipReason, string] | null {
  const {policy, request, now} = input
  if (!model.enabled) return ['disabled', 'model is disabled']
  if (!model.providerEnabled) return ['provider_disabled', `provider ${model.providerId} is disabled`]
  if (request.allowedModels && !request.allowedModels.includes(model.id)) return ['not_allowed', 'the API key may not use this model']
  if (request.allowedProviders && !request.allowedProviders.includes(model.providerId)) return ['not_allowed', 'the API key may not use this provider']
  if (model.pricingSource === 'unpriced' && !input.allowUnpriced) {
    return ['unpriced', 'the model has no price, so its cost would be recorded as $0; set input_per_1k/output_per_1k (0 for a free model) or TOKENHUB_ALLOW_UNPRICED=1']
  }
  if (!supports(model, request.capability)) {
    if (model.kind !== 'embedding') return ['unsupported_endpoint', `${model.kind} models on ${model.providerType} upstreams do not serve ${request.capability}`]
    return ['unsupported_endpoint', request.capability === 'embeddings' ? `its provider is ${model.providerType}, which has no embeddings API` : 'an embedding model']
  }
  if (request.capability !== 'responses' && model.providerType === 'openai' && HOSTED_TOOLS_MODEL.test(model.upstreamModel)) {
    return ['unsupported_endpoint', `${model.upstreamModel} needs OpenAI's hosted tools (web search, file search, computer use), which only a /v1/responses client can give it`]
  }
  if (request.stream && model.providerType === 'openai' && NO_STREAM_MODEL.test(model.upstreamModel)) {
    return ['unsupported_endpoint', `${model.upstreamModel} does not stream: send the request with stream false, or route streaming clients to another model`]
  }
  if (request.capability === 'completions' && responsesOnly(model)) {
    return ['unsupported_endpoint', `${model.upstreamModel} is served only by OpenAI's Responses API, and legacy completions are not translated into it: send /v1/chat/completions, /v1/messages or /v1/responses`]
  }
  if (request.storedState && model.providerType !== 'openai') {
    return ['unsupported_endpoint', `previous_response_id, conversation and stored prompts need an upstream with the Responses API (type openai), not ${model.providerType}`]
  }
  if ((request.choices ?? 1) > 1 && model.providerType === 'anthropic') {
    return ['unsupported_endpoint', `n=${request.choices} needs an upstream that returns several answers per request; Anthropic models return one`]
  }
  if ((request.choices ?? 1) > 1 && responsesOnly(model)) {
    return ['unsupported_endpoint', `n=${request.choices} needs an upstream that returns several answers per request; ${model.upstreamModel} is served only by OpenAI's Responses API, which returns one`]
  }
  if (policy.minWeight > 0 && model.weight < policy.minWeight) return ['weight_below_minimum', `weight ${model.weight} < ${policy.minWeight}`]
  // max_tokens above the model's output limit is clamped when the request is sent, so it counts clamped.
  const output = request.requestedOutputTokens === null ? 0 : model.maxOutputTokens ? Math.min(request.requestedOutputTokens, model.maxOutputTokens) : request.requestedOutputTokens
  const needed = Math.ceil((request.contextInputTokens ?? request.estimatedInputTokens) * ESTIMATE_HEADROOM) + output
  if (model.maxContextTokens > 0 && needed > model.maxContextTokens) {
    return ['context_overflow', `needs ~${needed} tokens, context is ${model.maxContextTokens}`]
  }
  if (!signals.available) return ['unhealthy', 'circuit open']
  if (signals.cooldownUntil > now) return ['cooling_down', `rate limited upstream; retry after ${Math.ceil((signals.cooldownUntil - now) / 1000)}s`]
  if (policy.maxBudgetUsd > 0 && cost > policy.maxBudgetUsd) return ['over_budget', `estimated $${cost.toFixed(6)} > $${policy.maxBudgetUsd}`]
  if (policy.maxLatencyMs > 0 && signals.p95LatencyMs !== null && signals.latencySamples >= MIN_LATENCY_SAMPLES && signals.p95LatencyMs > policy.maxLatencyMs) {
    return ['too_slow', `p95 ${Math.round(signals.p95LatencyMs)} ms > ${policy.maxLatencyMs} ms`]
  }
  return null
}

const normalize = (value: number, max: number) => (max > 0 ? value / max : 0)

/**
 * Filters the candidates (recording why each skipped one was skipped) and ranks the rest:
 * score = Wc·cost + Wl·p95 + Wf·errors − Ww·weight, each normalised by the largest among the
 * eligible; lower is better. Thompson mode ranks by a posterior sample instead.
 */
export function selectModels(input: SelectInput): RouteDecision {
  const ranked: Candidate[] = []
  const skipped: Candidate[] = []
  for (const model of input.models) {
    const signals = input.signals(model.id) ?? NO_SIGNALS
    const cost = costUsd(model, input.request.estimatedInputTokens, expectedOutputTokens(input.request.requestedOutputTokens, model.maxOutputTokens))
    const skip = skipOf(model, signals, input, cost)
    const candidate: Candidate = {
      modelId: model.id,
      providerId: model.providerId,
      estimatedCostUsd: cost,
      p95LatencyMs: signals.p95LatencyMs,
      errorRate: signals.errorRate,
      weight: model.weight,
      score: null,
      components: null,
      skipReason: skip?.[0] ?? null,
      skipDetail: skip?.[1] ?? null,
    }
    ;(skip ? skipped : ranked).push(candidate)
  }

  if (input.policy.mode === 'thompson' && input.sample) {
    for (const candidate of ranked) {
      candidate.sample = input.sample(candidate.modelId)
      candidate.score = 1 - candidate.sample
    }
  } else {
    const weights = MODE_WEIGHTS[input.policy.mode === 'thompson' ? 'normal' : input.policy.mode]
    const known = ranked.map((c) => c.p95LatencyMs).filter((v): v is number => v !== null)
    // A model without latency data yet is scored as average, neither favoured nor punished.
    const assumedLatency = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0
    const latencyOf = (c: Candidate) => c.p95LatencyMs ?? assumedLatency
    const max = {
      cost: Math.max(0, ...ranked.map((c) => c.estimatedCostUsd)),
      latency: Math.max(0, ...ranked.map(latencyOf)),
      failure: Math.max(0, ...ranked.map((c) => c.errorRate)),
      weight: Math.max(0, ...ranked.map((c) => c.weight)),
    }
    for (const candidate of ranked) {
      const components = {
        cost: normalize(candidate.estimatedCostUsd, max.cost),
        latency: normalize(latencyOf(candidate), max.latency),
        failure: normalize(candidate.errorRate, max.failure),
        weight: normalize(candidate.weight, max.weight),
      }
      candidate.components = components
      candidate.score = weights.cost * components.cost + weights.latency * components.latency + weights.failure * components.failure - weights.weight * components.weight
    }
  }
  // Ties go to the higher weight, then the id, so the order is stable.
  ranked.sort((a, b) => a.score! - b.score! || b.weight - a.weight || a.modelId.localeCompare(b.modelId))
  return {mode: input.policy.mode, ranked, skipped}
}

import {TokenHubError} from '../../src/core/errors.js'
import {findAlias, orderVariants} from '../../src/core/routing/alias.js'
import {selectModels} from '../../src/core/routing/select.js'
import {tokenBucket, type ThompsonBandit} from '../../src/core/routing/thompson.js'
import type {Candidate, RoutableModel, RouteDecision, RouteRequest, RoutingPolicy} from '../../src/core/routing/types.js'
import type {ModelCatalog} from './catalog.js'
import type {HealthRegistry} from './health-registry.js'

export const AUTO_MODELS = new Set(['', 'auto', '*'])

export interface ResolvedTargets {
  /** Models to try, in order. */
  targets: RoutableModel[]
  decision: RouteDecision
  requestedModel: string
  aliasFrom: string | null
  /** Short explanation for X-TokenHub-Routing-Reason. */
  reason: string
}

export interface ResolveInput {
  requested: unknown
  catalog: ModelCatalog
  health: HealthRegistry
  bandit: ThompsonBandit
  policy: RoutingPolicy
  request: RouteRequest
  apiKeyId: string | null
  /** Round-robin positions per alias, kept by the caller across requests. */
  turns: Map<string, number>
  random: () => number
  now: number
  /** A preferred model tried first when eligible (TokenHub's model_hint). */
  hint?: string
  allowUnpriced: boolean
}

function decide(input: ResolveInput, models: RoutableModel[]): RouteDecision {
  const bucket = tokenBucket(input.request.estimatedInputTokens)
  return selectModels({
    models,
    signals: (id) => {
      const model = input.catalog.get(id)
      return model ? input.health.signals(id, model.providerId) : undefined
    },
    policy: input.policy,
    request: input.request,
    now: input.now,
    sample: (id) => input.bandit.sample(id, bucket),
    allowUnpriced: input.allowUnpriced,
  })
}

/** Why nothing is eligible, as the error the client gets. */
/** Skip reasons that pass by themselves (an upstream's Retry-After, an open circuit). */
const TEMPORARY = new Set(['cooling_down', 'unhealthy'])

/** Seconds until the first temporarily skipped model can be tried again (for Retry-After); null when none is. */
export function retryAfterSec(health: HealthRegistry, models: readonly {id: string; providerId: string}[]): number | null {
  if (models.length === 0) return null
  const ms = Math.min(...models.map((m) => health.waitMs(m.id, m.providerId)))
  return Math.max(1, Math.ceil(ms / 1000))
}

function noTargetError(input: ResolveInput, requested: string, allSkipped: Candidate[], alias?: string): TokenHubError {
  const reasons = [...new Set(allSkipped.map((c) => c.skipReason))]
  const auto = AUTO_MODELS.has(requested)
  // For auto, the models this key may not use are none of its business: not listed (a named
  // model or alias the client sent is, so it learns why).
  const skipped = auto ? allSkipped.filter((c) => c.skipReason !== 'not_allowed') : allSkipped
  const details = {requested_model: requested || 'auto', ...(alias !== undefined && {alias}), skipped: skipped.map((c) => ({model_id: c.modelId, reason: c.skipReason, detail: c.skipDetail}))}
  // An aliased id names the models it stands for: "claude-opus-5-5" (alias claude-* -> claude).
  const target = auto ? undefined : alias !== undefined ? `model "${requested}" (alias ${alias} -> ${skipped.map((c) => c.modelId).join(', ')})` : `model "${requested}"`
  if (allSkipped.length > 0 && reasons.every((r) => r === 'not_allowed')) {
    return new TokenHubError('FORBIDDEN', `this API key may not use ${target ?? 'any eligible model'}`, {details})
  }
  // auto, and nothing that serves this endpoint (embeddings, say) among what the key may use: no retry helps.
  if (auto && allSkipped.length > 0 && reasons.every((r) => r === 'not_allowed' || r === 'unsupported_endpoint')) {
    // Why the models it could use cannot take it (an embedding model for chat, previous_response_id off OpenAI...).
    const first = skipped.find((c) => c.skipReason === 'unsupported_endpoint')
    const why = first ? ` (${first.modelId}: ${first.skipDetail})` : ''
    const embeddings = input.request.capability === 'embeddings'
    return reasons.includes('not_allowed')
      ? new TokenHubError('FORBIDDEN', `this API key may use no model that can take this request${why}`, {details})
      : new TokenHubError('VALIDATION', `no registered model can take this request${why}`, {details, ...(embeddings && {suggestion: 'Register an embedding model (tokenhub model add ... --kind embedding).'})})
  }
  if (skipped.length > 0 && reasons.every((r) => r === 'context_overflow')) {
    return new TokenHubError('VALIDATION', `the request is too long for ${target ?? 'every registered model'}: ${skipped[0].skipDetail}`, {details})
  }
  // A named model that cannot serve this endpoint (a chat model asked for embeddings): the
  // request's fault, so a 400 the SDKs do not retry, not a 503 they retry in vain.
  if (target !== undefined && skipped.length > 0 && reasons.every((r) => r === 'unsupported_endpoint')) {
    return new TokenHubError('VALIDATION', `${target} cannot serve this endpoint: ${skipped[0].skipDetail}`, {details})
  }
  // Every model ruled out by the request's own limits (min weight, max budget): retrying cannot help.
  if (skipped.length > 0 && skipped.every((c) => c.skipReason === 'weight_below_minimum' || c.skipReason === 'over_budget')) {
    return new TokenHubError('VALIDATION', `no model meets this request's own limits (${skipped.map((c) => `${c.modelId}: ${c.skipDetail}`).join('; ')})`, {
      suggestion: 'Raise max_budget_usd or lower min_weight (body tokenhub.* or X-TokenHub-* headers), or ask an admin about the routing defaults.',
      details,
    })
  }
  const summary = skipped.length ? skipped.map((c) => `${c.modelId}: ${c.skipReason}`).join(', ') : allSkipped.length ? 'none this key may use' : 'no models are registered'
  const waiting = skipped.filter((c) => TEMPORARY.has(c.skipReason!)).map((c) => input.catalog.get(c.modelId)).filter((m): m is RoutableModel => m !== undefined)
  const retryAfter = retryAfterSec(input.health, waiting)
  return new TokenHubError('NO_ELIGIBLE_MODEL', `no eligible model for "${requested || 'auto'}" (${summary})`, {details: retryAfter === null ? details : {...details, retry_after_s: retryAfter}})
}

/** The 404 for a `model` that is neither a registered id nor an enabled alias. */
export function unknownModelError(catalog: ModelCatalog, requested: string): TokenHubError {
  if (catalog.aliases().some((a) => !a.enabled && a.name === requested)) {
    return new TokenHubError('NOT_FOUND', `alias "${requested}" is disabled`, {
      details: {requested_model: requested, alias: requested},
      suggestion: `Enable it (tokenhub alias set ${requested} --model <id>=<weight> ..., without --disable) or send another model.`,
    })
  }
  return new TokenHubError('NOT_FOUND', `model "${requested}" is not registered and no alias matches it`, {
    details: {requested_model: requested},
    suggestion: `Register it (tokenhub model add --id ${requested} ...), alias it to a registered model (tokenhub alias set ${requested} --model <id>), or send "auto".`,
  })
}

/**
 * Turns the request's `model` into the ordered list of models to try: a registered id (just that
 * model), an alias (its variants, the weighted pick first), or auto (every eligible model, best
 * score first). Unknown ids are a 404 that says how to alias them.
 */
export function resolveTargets(input: ResolveInput): ResolvedTargets {
  const requested = typeof input.requested === 'string' ? input.requested.trim() : ''
  if (input.requested !== undefined && input.requested !== null && typeof input.requested !== 'string') {
    throw new TokenHubError('VALIDATION', 'model must be a string')
  }

  const explicit = AUTO_MODELS.has(requested) ? undefined : input.catalog.get(requested)
  if (explicit) {
    const decision = decide(input, [explicit])
    if (decision.ranked.length === 0) throw noTargetError(input, requested, decision.skipped)
    return {targets: [explicit], decision, requestedModel: requested, aliasFrom: null, reason: 'explicit'}
  }

  if (!AUTO_MODELS.has(requested)) {
    const alias = findAlias(input.catalog.aliases(), requested)
    if (!alias) throw unknownModelError(input.catalog, requested)
    const turn = input.turns.get(alias.name) ?? 0
    input.turns.set(alias.name, turn + 1)
    const order = orderVariants(alias, {apiKeyId: input.apiKeyId, random: input.random, turn})
    const models = order.map((id) => input.catalog.get(id)).filter((m): m is RoutableModel => m !== undefined)
    const decision = decide(input, models)
    const eligible = new Set(decision.ranked.map((c) => c.modelId))
    const targets = models.filter((m) => eligible.has(m.id))
    if (targets.length === 0) throw noTargetError(input, requested, decision.skipped, alias.name)
    return {targets, decision, requestedModel: requested, aliasFrom: alias.name, reason: `alias ${alias.name} (${alias.sticky_by})`}
  }

  const decision = decide(input, input.catalog.all())
  let targets = decision.ranked.map((c) => input.catalog.get(c.modelId)!)
  const hinted = input.hint ? hintedModel(input, targets, input.hint) : undefined
  if (hinted) targets = [hinted, ...targets.filter((m) => m !== hinted)]
  if (targets.length === 0) throw noTargetError(input, requested, decision.skipped)
  // The reason speaks of the model tried first (the hinted one when there is one).
  const best = decision.ranked.find((c) => c.modelId === targets[0].id)!
  const score =
    input.policy.mode === 'thompson'
      ? `thompson sample=${best.sample?.toFixed(3)} of ${decision.ranked.length}`
      : `mode=${input.policy.mode} score=${best.score?.toFixed(4)} of ${decision.ranked.length}`
  return {targets, decision, requestedModel: requested || 'auto', aliasFrom: null, reason: hinted ? `hint ${input.hint}; ${score}` : score}
}

/** The eligible model a hint names: a model id, or an alias's first eligible variant in its pick order. */
export function hintedModel(input: Pick<ResolveInput, 'catalog' | 'apiKeyId' | 'random' | 'turns'>, eligible: readonly RoutableModel[], hint: string): RoutableModel | undefined {
  const direct = eligible.find((m) => m.id === hint)
  if (direct) return direct
  const alias = findAlias(input.catalog.aliases(), hint)
  if (!alias) return undefined
  const order = orderVariants(alias, {apiKeyId: input.apiKeyId, random: input.random, turn: input.turns.get(alias.name) ?? 0})
  for (const id of order) {
    const found = eligible.find((m) => m.id === id)
    if (found) return found
  }
  return undefined
}

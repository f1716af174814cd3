import type {SimulationDto} from '../../src/core/api-types.js'
import {notFound} from '../../src/core/errors.js'
import {parsePayload} from '../../src/core/schemas/parse.js'
import {simulateSchema} from '../../src/core/schemas/simulate.js'
import {selectModels} from '../../src/core/routing/select.js'
import {tokenBucket, type ThompsonBandit} from '../../src/core/routing/thompson.js'
import type {Candidate} from '../../src/core/routing/types.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import type {RoutingConfig} from '../../src/store/document.js'
import type {ModelCatalog} from './catalog.js'
import {findAlias, orderVariants} from '../../src/core/routing/alias.js'
import {AUTO_MODELS, hintedModel, unknownModelError} from './targets.js'
import type {HealthRegistry} from './health-registry.js'

export type SimulatedCandidate = SimulationDto['candidates'][number]
export type SimulationResult = SimulationDto

function toWire(c: Candidate, rank: number | null): SimulatedCandidate {
  return {
    model_id: c.modelId,
    provider_id: c.providerId,
    rank,
    score: c.score,
    components: c.components,
    estimated_cost_usd: c.estimatedCostUsd,
    p95_latency_ms: c.p95LatencyMs,
    error_rate: c.errorRate,
    weight: c.weight,
    skip_reason: c.skipReason,
    skip_detail: c.skipDetail,
    ...(c.sample !== undefined && {sample: c.sample}),
  }
}

/** POST /admin/v1/routing/simulate: the router's real decision for a hypothetical request; nothing is sent upstream. */
export function simulateRouting(
  body: unknown,
  deps: {
    store: ConfigStore
    catalog: ModelCatalog
    health: HealthRegistry
    bandit: ThompsonBandit
    routingConfig: () => RoutingConfig
    allowUnpriced: boolean
    /** Whether the provider's key can be used now (false while the vault is locked and it has one). */
    keyUsable: (providerId: string) => boolean
    vaultLocked: boolean
    /** The gateway's round-robin positions, so a round-robin alias shows the variant the next request gets. */
    aliasTurns?: ReadonlyMap<string, number>
  },
): SimulationResult {
  const input = parsePayload(simulateSchema, body ?? {}, 'invalid simulation')
  const defaults = deps.routingConfig()
  const key = input.api_key_id === undefined ? null : (Object.hasOwn(deps.store.data.api_keys, input.api_key_id) ? deps.store.data.api_keys[input.api_key_id] : null)
  if (input.api_key_id !== undefined && !key) throw notFound('API key', input.api_key_id)
  const tokens = input.token_count ?? 500
  const mode = input.mode ?? defaults.default_mode
  // A named model is the only candidate, an alias its variants in pick order (as the gateway would
  // try them); an unknown name is the gateway's 404.
  const requested = input.model?.trim() ?? ''
  let models = deps.catalog.all()
  let aliasFrom: string | null = null
  if (!AUTO_MODELS.has(requested)) {
    const explicit = deps.catalog.get(requested)
    const alias = explicit ? undefined : findAlias(deps.catalog.aliases(), requested)
    if (!explicit && !alias) throw unknownModelError(deps.catalog, requested)
    aliasFrom = alias?.name ?? null
    models = explicit ? [explicit] : orderVariants(alias!, {apiKeyId: key?.id ?? null, random: Math.random, turn: deps.aliasTurns?.get(alias!.name) ?? 0}).flatMap((id) => deps.catalog.get(id) ?? [])
  }
  const decision = selectModels({
    models,
    signals: (id) => {
      const model = deps.catalog.get(id)
      return model ? deps.health.signals(id, model.providerId) : undefined
    },
    policy: {
      mode,
      maxBudgetUsd: input.max_budget_usd ?? defaults.default_max_budget_usd,
      maxLatencyMs: input.max_latency_ms ?? defaults.default_max_latency_ms,
      minWeight: input.min_weight ?? 0,
    },
    request: {
      capability: input.capability ?? 'chat',
      estimatedInputTokens: tokens,
      requestedOutputTokens: input.output_tokens ?? null,
      choices: input.n ?? 1,
      stream: input.stream ?? false,
      allowedModels: key?.allowed_models ?? null,
      allowedProviders: key?.allowed_providers ?? null,
    },
    now: Date.now(),
    sample: (id) => deps.bandit.sample(id, tokenBucket(tokens)),
    allowUnpriced: deps.allowUnpriced,
  })
  // A locked vault: the gateway would try these and fail over past them, so they are not chosen.
  let ranked = decision.ranked.filter((c) => deps.keyUsable(c.providerId))
  const locked = decision.ranked
    .filter((c) => !deps.keyUsable(c.providerId))
    .map((c): Candidate => ({...c, score: null, components: null, skipReason: 'vault_locked', skipDetail: 'the vault is locked, so this provider\'s API key cannot be used'}))
  if (aliasFrom) {
    // An alias's variants are tried in its pick order, not by score.
    const order = models.map((m) => m.id)
    ranked = [...ranked].sort((a, b) => order.indexOf(a.modelId) - order.indexOf(b.modelId))
  } else if (input.model_hint && AUTO_MODELS.has(requested)) {
    const eligible = ranked.flatMap((c) => deps.catalog.get(c.modelId) ?? [])
    const hinted = hintedModel({catalog: deps.catalog, apiKeyId: key?.id ?? null, random: Math.random, turns: new Map(deps.aliasTurns)}, eligible, input.model_hint)
    if (hinted) ranked = [...ranked.filter((c) => c.modelId === hinted.id), ...ranked.filter((c) => c.modelId !== hinted.id)]
  }
  return {
    mode,
    token_count: tokens,
    chosen: ranked[0]?.modelId ?? null,
    alias_from: aliasFrom,
    vault_locked: deps.vaultLocked,
    candidates: [...ranked.map((c, i) => toWire(c, i + 1)), ...locked.map((c) => toWire(c, null)), ...decision.skipped.map((c) => toWire(c, null))],
  }
}

import type {ProviderType, RoutingMode} from '../schemas/common.js'

/** What the router knows about a model: its registry entry joined with its provider. */
export interface RoutableModel {
  id: string
  providerId: string
  providerType: ProviderType
  upstreamModel: string
  kind: 'chat' | 'embedding'
  weight: number
  maxContextTokens: number
  maxOutputTokens: number | null
  inputPer1k: number
  outputPer1k: number
  /** Prompt-cache prices (see cachePrices); absent: input_per_1k. */
  cacheReadPer1k?: number
  cacheWritePer1k?: number
  enabled: boolean
  providerEnabled: boolean
  pricingSource: string
}

/** Live observations of a model, from real traffic. */
export interface ModelSignals {
  /** p95 latency over the recent window; null until enough samples exist. */
  p95LatencyMs: number | null
  latencySamples: number
  /** Share of failed attempts in the recent window, 0..1. */
  errorRate: number
  /** False while the model's or its provider's circuit is open. */
  available: boolean
  /** Epoch ms until which the model is cooling down after a 429 (Retry-After); 0 = none. */
  cooldownUntil: number
}

export interface RoutingPolicy {
  mode: RoutingMode
  /** 0 = unlimited. */
  maxBudgetUsd: number
  /** 0 = unlimited. */
  maxLatencyMs: number
  minWeight: number
}

/** What the request asks for: chat (Chat Completions, Anthropic Messages), OpenAI's Responses API, legacy completions, embeddings. */
export type Capability = 'chat' | 'responses' | 'completions' | 'embeddings'

export interface RouteRequest {
  capability: Capability
  estimatedInputTokens: number
  /** What one context must hold when that is less than the whole input (a batch of embeddings inputs: the largest). */
  contextInputTokens?: number
  /** max_tokens the client asked for, if any. */
  requestedOutputTokens: number | null
  /**
   * A Responses request that leans on state OpenAI keeps (previous_response_id, conversation, a
   * stored prompt): only upstreams with the Responses API (type openai) can serve it.
   */
  storedState?: boolean
  /** OpenAI `n` (answers per request) when above 1: Anthropic upstreams give one, so they cannot serve it. */
  choices?: number
  /** A streamed answer was asked for: models that only answer whole are skipped. */
  stream?: boolean
  /** API key restrictions; null = all. */
  allowedModels: string[] | null
  allowedProviders: string[] | null
}

export type SkipReason =
  | 'disabled'
  | 'provider_disabled'
  | 'not_allowed'
  | 'unsupported_endpoint'
  | 'weight_below_minimum'
  | 'unpriced'
  | 'context_overflow'
  | 'unhealthy'
  | 'cooling_down'
  | 'over_budget'
  | 'too_slow'
  /** Set by simulate only: the provider needs a key from the locked vault. */
  | 'vault_locked'

export interface ScoreComponents {
  cost: number
  latency: number
  failure: number
  weight: number
}

export interface Candidate {
  modelId: string
  providerId: string
  estimatedCostUsd: number
  p95LatencyMs: number | null
  errorRate: number
  weight: number
  /** Lower is better. Null for skipped candidates. */
  score: number | null
  /** Normalised inputs of the score (0..1), null when skipped. */
  components: ScoreComponents | null
  skipReason: SkipReason | null
  /** Human detail for a skip ("needs 150000 tokens, has 128000"). */
  skipDetail: string | null
  /** Thompson mode: the sampled reward estimate. */
  sample?: number
}

export interface RouteDecision {
  mode: RoutingMode
  /** Eligible candidates, best first. */
  ranked: Candidate[]
  skipped: Candidate[]
}

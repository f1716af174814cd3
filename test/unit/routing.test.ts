import {describe, expect, it} from 'vitest'
import {findAlias, orderVariants, type AliasDefinition} from '../../src/core/routing/alias.js'
import {selectModels, type SelectInput} from '../../src/core/routing/select.js'
import {failedBeforeAnswer, rewardOf, ThompsonBandit, tokenBucket} from '../../src/core/routing/thompson.js'
import type {ModelSignals, RoutableModel, RoutingPolicy} from '../../src/core/routing/types.js'

function model(id: string, overrides: Partial<RoutableModel> = {}): RoutableModel {
  return {
    id,
    providerId: 'p',
    providerType: 'openai',
    upstreamModel: id,
    kind: 'chat',
    weight: 5,
    maxContextTokens: 128_000,
    maxOutputTokens: null,
    inputPer1k: 0.001,
    outputPer1k: 0.002,
    enabled: true,
    providerEnabled: true,
    pricingSource: 'manual',
    ...overrides,
  }
}

const cheapWeak = model('cheap-weak', {weight: 2, inputPer1k: 0.0001, outputPer1k: 0.0004})
const priceyStrong = model('pricey-strong', {weight: 10, inputPer1k: 0.01, outputPer1k: 0.03})

function input(overrides: Partial<Omit<SelectInput, 'policy'>> & {policy?: Partial<RoutingPolicy>} = {}): SelectInput {
  return {
    models: [cheapWeak, priceyStrong],
    signals: () => undefined,
    now: 1_000_000,
    ...overrides,
    policy: {mode: 'normal', maxBudgetUsd: 0, maxLatencyMs: 0, minWeight: 0, ...overrides.policy},
    request: {capability: 'chat', estimatedInputTokens: 500, requestedOutputTokens: null, allowedModels: null, allowedProviders: null, ...overrides.request},
  }
}

describe('selectModels', () => {
  it('cheap and high_confidence pick different models', () => {
    expect(selectModels(input({policy: {mode: 'cheap'}})).ranked[0].modelId).toBe('cheap-weak')
    expect(selectModels(input({policy: {mode: 'high_confidence'}})).ranked[0].modelId).toBe('pricey-strong')
  })

  it('returns every candidate with its score components', () => {
    const decision = selectModels(input())
    expect(decision.ranked).toHaveLength(2)
    for (const c of decision.ranked) {
      expect(c.score).toEqual(expect.any(Number))
      expect(c.components).toEqual({cost: expect.any(Number), latency: expect.any(Number), failure: expect.any(Number), weight: expect.any(Number)})
    }
  })

  it('serves chat and Responses requests with OpenAI models only the Responses API serves (chat is translated), and skips them for legacy completions and n above 1', () => {
    const request = (capability: 'chat' | 'responses' | 'completions', choices?: number) => ({capability, estimatedInputTokens: 5, requestedOutputTokens: null, choices, allowedModels: null, allowedProviders: null})
    for (const upstream of ['gpt-5-codex', 'gpt-5.1-codex-max', 'gpt-5-pro', 'o3-pro', 'o1-pro', 'codex-mini-latest']) {
      const only = model('m', {upstreamModel: upstream})
      for (const capability of ['chat', 'responses'] as const) expect(selectModels(input({models: [only], request: request(capability)})).ranked, `${upstream} ${capability}`).toHaveLength(1)
      expect(selectModels(input({models: [only], request: request('completions')})).skipped[0], `${upstream} completions`).toMatchObject({
        skipReason: 'unsupported_endpoint',
        skipDetail: expect.stringContaining("only by OpenAI's Responses API, and legacy completions are not translated"),
      })
      expect(selectModels(input({models: [only], request: request('chat', 2)})).skipped[0], `${upstream} n=2`).toMatchObject({
        skipReason: 'unsupported_endpoint',
        skipDetail: expect.stringContaining('n=2 needs an upstream that returns several answers'),
      })
    }
    // Deep research and computer use need hosted tools only a Responses client can give them.
    for (const upstream of ['o3-deep-research', 'o4-mini-deep-research', 'computer-use-preview']) {
      const only = model('m', {upstreamModel: upstream})
      expect(selectModels(input({models: [only], request: request('responses')})).ranked, upstream).toHaveLength(1)
      expect(selectModels(input({models: [only], request: request('chat')})).skipped[0], upstream).toMatchObject({skipReason: 'unsupported_endpoint', skipDetail: expect.stringContaining('hosted tools')})
    }
    // The o-series pro models answer whole: a streamed request skips them (Claude Code always streams).
    for (const upstream of ['o3-pro', 'o1-pro']) {
      for (const capability of ['chat', 'responses'] as const) {
        expect(selectModels(input({models: [model('m', {upstreamModel: upstream})], request: {...request(capability), stream: true}})).skipped[0], `${upstream} ${capability}`).toMatchObject({skipReason: 'unsupported_endpoint', skipDetail: expect.stringContaining('does not stream')})
      }
    }
    expect(selectModels(input({models: [model('m', {upstreamModel: 'gpt-5-codex'})], request: {...request('chat'), stream: true}})).ranked).toHaveLength(1)
    // Other OpenAI models serve legacy completions and n > 1 as before.
    expect(selectModels(input({models: [model('m', {upstreamModel: 'gpt-4o'})], request: request('chat', 2)})).ranked).toHaveLength(1)
    for (const upstream of ['gpt-5', 'gpt-5.1', 'gpt-5-mini', 'o3', 'o4-mini', 'gpt-4o']) expect(selectModels(input({models: [model('m', {upstreamModel: upstream})]})).ranked, upstream).toHaveLength(1)
    // A vLLM server that calls its model gpt-5-codex serves chat completions; Claude models serve Responses clients (translated).
    expect(selectModels(input({models: [model('m', {providerType: 'vllm', upstreamModel: 'gpt-5-codex'})]})).ranked).toHaveLength(1)
    expect(selectModels(input({models: [model('c', {providerType: 'anthropic'})], request: {capability: 'responses', estimatedInputTokens: 5, requestedOutputTokens: null, allowedModels: null, allowedProviders: null}})).ranked).toHaveLength(1)
  })

  it('records a reason for every skipped model', () => {
    const signals = new Map<string, ModelSignals>([
      ['sick', {p95LatencyMs: null, latencySamples: 0, errorRate: 1, available: false, cooldownUntil: 0}],
      ['slow', {p95LatencyMs: 9000, latencySamples: 20, errorRate: 0, available: true, cooldownUntil: 0}],
      ['throttled', {p95LatencyMs: null, latencySamples: 0, errorRate: 0, available: true, cooldownUntil: 2_000_000}],
    ])
    const decision = selectModels(
      input({
        models: [
          model('off', {enabled: false}),
          model('prov-off', {providerEnabled: false}),
          model('light', {weight: 1}),
          model('small', {maxContextTokens: 4000}),
          model('sick'),
          model('slow'),
          model('throttled'),
          model('costly', {inputPer1k: 10}),
          model('claude', {providerType: 'anthropic'}),
          model('ok'),
        ],
        signals: (id) => signals.get(id),
        policy: {minWeight: 2, maxLatencyMs: 5000, maxBudgetUsd: 1},
        request: {capability: 'chat', estimatedInputTokens: 5000, requestedOutputTokens: null, allowedModels: null, allowedProviders: null},
      }),
    )
    const reasons = Object.fromEntries(decision.skipped.map((c) => [c.modelId, c.skipReason]))
    expect(reasons).toEqual({
      off: 'disabled',
      'prov-off': 'provider_disabled',
      light: 'weight_below_minimum',
      small: 'context_overflow',
      sick: 'unhealthy',
      slow: 'too_slow',
      throttled: 'cooling_down',
      costly: 'over_budget',
    })
    expect(decision.ranked.map((c) => c.modelId).sort()).toEqual(['claude', 'ok'])
  })

  it('applies key restrictions and endpoint support', () => {
    const decision = selectModels(
      input({
        models: [cheapWeak, model('embedder', {kind: 'embedding'}), model('other-embedder', {kind: 'embedding'}), model('claude', {providerType: 'anthropic'})],
        request: {capability: 'embeddings', estimatedInputTokens: 10, requestedOutputTokens: null, allowedModels: ['embedder', 'claude', 'cheap-weak'], allowedProviders: null},
      }),
    )
    expect(decision.ranked.map((c) => c.modelId)).toEqual(['embedder'])
    expect(Object.fromEntries(decision.skipped.map((c) => [c.modelId, c.skipReason]))).toEqual({
      'cheap-weak': 'unsupported_endpoint',
      'other-embedder': 'not_allowed',
      claude: 'unsupported_endpoint',
    })
  })

  it('says why an embedding model on an anthropic provider cannot serve embeddings (not "an embedding model")', () => {
    const decision = selectModels(
      input({
        models: [model('emb-1', {kind: 'embedding', providerType: 'anthropic'})],
        request: {capability: 'embeddings', estimatedInputTokens: 10, requestedOutputTokens: null, allowedModels: null, allowedProviders: null},
      }),
    )
    expect(decision.skipped[0]).toMatchObject({skipReason: 'unsupported_endpoint', skipDetail: 'its provider is anthropic, which has no embeddings API'})
    const chat = selectModels(input({models: [model('emb-2', {kind: 'embedding'})]}))
    expect(chat.skipped[0].skipDetail).toBe('an embedding model')
  })

  it('ignores a latency limit until there are enough samples', () => {
    const decision = selectModels(
      input({signals: () => ({p95LatencyMs: 9000, latencySamples: 2, errorRate: 0, available: true, cooldownUntil: 0}), policy: {maxLatencyMs: 100}}),
    )
    expect(decision.skipped).toHaveLength(0)
  })

  it('prefers a model with fewer errors when all else is equal', () => {
    const decision = selectModels(
      input({
        models: [model('a'), model('b')],
        signals: (id) => ({p95LatencyMs: 100, latencySamples: 50, errorRate: id === 'a' ? 0.5 : 0, available: true, cooldownUntil: 0}),
      }),
    )
    expect(decision.ranked[0].modelId).toBe('b')
  })

  it('ranks by the posterior sample in thompson mode', () => {
    const decision = selectModels(input({policy: {mode: 'thompson'}, sample: (id) => (id === 'cheap-weak' ? 0.9 : 0.2)}))
    expect(decision.ranked.map((c) => c.modelId)).toEqual(['cheap-weak', 'pricey-strong'])
    expect(decision.ranked[0].sample).toBe(0.9)
  })
})

function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 0x1_0000_0000
  }
}

describe('failed attempts and the bandit', () => {
  it('every model that failed a request before another answered earns a 0, once; request faults and skips do not count', () => {
    const attempts = [
      {model_id: 'bad', error_class: 'transient'},
      {model_id: 'bad', error_class: 'transient'},
      {model_id: 'limited', error_class: 'rate_limited'},
      {model_id: 'open', error_class: 'unhealthy'},
      {model_id: 'picky', error_class: 'client_error'},
      {model_id: 'good', error_class: null},
    ]
    expect(failedBeforeAnswer(attempts, 'good')).toEqual(['bad', 'limited'])
    // All failed: the last one's own reward (0) is its update; the others get theirs here.
    expect(failedBeforeAnswer([{model_id: 'a', error_class: 'timeout'}, {model_id: 'b', error_class: 'network'}], 'b')).toEqual(['a'])
  })
})

describe('ThompsonBandit', () => {
  it('learns which arm pays and keeps inspectable posteriors', () => {
    let now = 0
    const bandit = new ThompsonBandit({random: seeded(7), now: () => now})
    for (let i = 0; i < 200; i++) {
      now += 1000
      bandit.update('good', 'small', 0.9)
      bandit.update('bad', 'small', 0.1)
    }
    let goodWins = 0
    for (let i = 0; i < 100; i++) if (bandit.sample('good', 'small') > bandit.sample('bad', 'small')) goodWins++
    expect(goodWins).toBeGreaterThan(90)
    const posteriors = bandit.posteriors()
    expect(posteriors.find((p) => p.model_id === 'good')?.mean).toBeGreaterThan(0.8)
    expect(posteriors.find((p) => p.model_id === 'good')?.samples).toBe(200)
  })

  it('forgets a model\'s evidence in every bucket when told (deleted, remade), and dates posteriors in ISO 8601', () => {
    const bandit = new ThompsonBandit({random: seeded(2), now: () => 1_700_000_000_000})
    for (const bucket of ['small', 'large'] as const) bandit.update('m', bucket, 0)
    bandit.update('other', 'small', 1)
    expect(bandit.posteriors().find((p) => p.model_id === 'other')?.updated_at).toBe('2023-11-14T22:13:20.000Z')
    bandit.forget('m')
    expect(bandit.posteriors().map((p) => p.model_id)).toEqual(['other'])
  })

  it('forgets old evidence with the half-life', () => {
    let now = 0
    const bandit = new ThompsonBandit({random: seeded(1), now: () => now, halfLifeMs: 1000})
    for (let i = 0; i < 100; i++) bandit.update('m', 'large', 1)
    now += 20_000
    bandit.sample('m', 'large')
    const posterior = bandit.posteriors()[0]
    expect(posterior.alpha).toBeLessThan(1.01)
  })

  it('buckets by size and rewards success, speed and thrift', () => {
    expect([tokenBucket(10), tokenBucket(5000), tokenBucket(20_000), tokenBucket(100_000)]).toEqual(['small', 'medium', 'large', 'xlarge'])
    expect(rewardOf({success: false, latencyMs: 1, costUsd: 0})).toBe(0)
    expect(rewardOf({success: true, latencyMs: 0, costUsd: 0})).toBe(1)
    expect(rewardOf({success: true, latencyMs: 40_000, costUsd: 1})).toBe(0.5)
  })
})

describe('aliases', () => {
  const aliases: AliasDefinition[] = [
    {name: 'claude-*', variants: [{model_id: 'sonnet', weight: 1}], sticky_by: 'request', enabled: true},
    {name: 'claude-3-*', variants: [{model_id: 'haiku', weight: 1}], sticky_by: 'request', enabled: true},
    {name: 'gpt-4', variants: [{model_id: 'a', weight: 3}, {model_id: 'b', weight: 1}], sticky_by: 'request', enabled: true},
    {name: 'off', variants: [{model_id: 'a', weight: 1}], sticky_by: 'request', enabled: false},
  ]

  it('finds exact names first, then the most specific pattern', () => {
    expect(findAlias(aliases, 'gpt-4')?.name).toBe('gpt-4')
    expect(findAlias(aliases, 'claude-3-5-sonnet-20241022')?.name).toBe('claude-3-*')
    expect(findAlias(aliases, 'claude-opus-4')?.name).toBe('claude-*')
    expect(findAlias(aliases, 'off')).toBeUndefined()
    expect(findAlias(aliases, 'gpt-4o')).toBeUndefined()
  })

  it('a disabled exact name is not passed on to a pattern that also matches it (its requests stop)', () => {
    const withPattern: AliasDefinition[] = [
      {name: 'gpt-*', variants: [{model_id: 'b', weight: 1}], sticky_by: 'request', enabled: true},
      {name: 'gpt-4', variants: [{model_id: 'a', weight: 1}], sticky_by: 'request', enabled: false},
      {name: 'gpt-4*', variants: [{model_id: 'a', weight: 1}], sticky_by: 'request', enabled: false},
    ]
    expect(findAlias(withPattern, 'gpt-4')).toBeUndefined()
    // A disabled pattern is passed over for the next one that matches.
    expect(findAlias(withPattern, 'gpt-4o')?.name).toBe('gpt-*')
  })

  it('splits traffic by weight and keeps the others as failover targets', () => {
    const random = seeded(3)
    const counts = {a: 0, b: 0}
    for (let i = 0; i < 4000; i++) {
      const order = orderVariants(aliases[2], {apiKeyId: null, random, turn: 0})
      counts[order[0] as 'a' | 'b']++
      expect(order).toHaveLength(2)
    }
    expect(counts.a / 4000).toBeGreaterThan(0.7)
    expect(counts.a / 4000).toBeLessThan(0.8)
  })

  it('is sticky per API key and cycles in round robin', () => {
    const perKey = {...aliases[2], sticky_by: 'api_key' as const}
    const first = orderVariants(perKey, {apiKeyId: 'key-1', random: Math.random, turn: 0})[0]
    for (let i = 0; i < 20; i++) expect(orderVariants(perKey, {apiKeyId: 'key-1', random: Math.random, turn: i})[0]).toBe(first)
    const rr = {...aliases[2], sticky_by: 'round_robin' as const}
    expect([0, 1, 2, 3].map((turn) => orderVariants(rr, {apiKeyId: null, random: Math.random, turn})[0])).toEqual(['a', 'a', 'a', 'b'])
  })
})

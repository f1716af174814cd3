import {beforeAll, describe, expect, it} from 'vitest'
import {backoffMs, blameFor, classifyStatus, nextStep, parseRetryAfter} from '../../src/core/failover.js'
import {CircuitBreaker, type CircuitState} from '../../src/core/health/circuit-breaker.js'
import {SampleWindow} from '../../src/core/health/sample-window.js'
import {RateLimiter} from '../../src/core/limits/rate-limiter.js'
import {countText, estimateChatTokens, estimateInputTokens, loadTokenizer, tokenCountCache, tokenizerReady, TOKENS_PER_IMAGE} from '../../src/core/tokens.js'

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, half-opens for one probe, closes on success', () => {
    let now = 0
    const transitions: Array<[CircuitState, CircuitState]> = []
    const breaker = new CircuitBreaker({failureThreshold: 3, openMs: 1000, now: () => now, onTransition: (from, to) => transitions.push([from, to])})
    breaker.recordFailure('500')
    breaker.recordSuccess()
    breaker.recordFailure('500')
    breaker.recordFailure('500')
    expect(breaker.state).toBe('closed')
    breaker.recordFailure('500')
    expect(breaker.state).toBe('open')
    expect(breaker.tryAcquire()).toBe(false)
    now = 400
    expect(breaker.retryInMs).toBe(600) // what a 503's Retry-After is made of
    now = 1000
    expect(breaker.retryInMs).toBe(0)
    expect(breaker.state).toBe('half_open')
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(false)
    breaker.recordSuccess()
    expect(breaker.state).toBe('closed')
    expect(transitions).toEqual([
      ['closed', 'open'],
      ['open', 'half_open'],
      ['half_open', 'closed'],
    ])
  })

  it('a failed probe reopens for longer', () => {
    let now = 0
    const breaker = new CircuitBreaker({failureThreshold: 1, openMs: 1000, now: () => now})
    breaker.recordFailure('x')
    now = 1000
    expect(breaker.tryAcquire()).toBe(true)
    breaker.recordFailure('still down')
    now = 2500
    expect(breaker.state).toBe('open')
    now = 3000
    expect(breaker.state).toBe('half_open')
  })
})

describe('SampleWindow', () => {
  it('computes percentiles of successes and the error rate over the window', () => {
    const window = new SampleWindow(100, 60_000)
    for (let i = 1; i <= 100; i++) window.record(i, true, 0)
    expect(window.percentile(50, 0)).toBe(50)
    expect(window.percentile(95, 0)).toBe(95)
    window.record(5000, false, 0)
    expect(window.errorRate(0)).toBe(0.01)
    expect(window.errorRate(120_000)).toBe(0)
    window.record(10, true, 120_000)
    expect(window.percentile(95, 120_000)).toBe(10)
  })

  it('counts timed-out attempts in the latency percentiles (a model that times out does not look fast), quick failures not', () => {
    const window = new SampleWindow(100, 60_000)
    for (let i = 0; i < 6; i++) window.record(5, true, 0)
    window.record(2, false, 0) // a quick 500
    expect(window.percentile(95, 0)).toBe(5)
    for (let i = 0; i < 4; i++) window.record(3500, false, 0, true) // timeouts
    expect(window.percentile(95, 0)).toBe(3500)
    expect(window.latencySamples(0)).toBe(10)
    expect(window.errorRate(0)).toBeCloseTo(5 / 11)
  })
})

describe('failure blame', () => {
  it('an upstream 404 or redirect (wrong model mapping) counts against the model, so its circuit can open', async () => {
    const {blameFor} = await import('../../src/core/failover.js')
    expect(blameFor('upstream_config')).toBe('model')
    expect(blameFor('timeout')).toBe('model')
    expect(blameFor('upstream_auth')).toBe('provider')
    expect(blameFor('client_error')).toBe('none')
    expect(blameFor('rate_limited')).toBe('none')
  })
})

describe('HealthRegistry.forget', () => {
  it('a deleted or remade target starts closed, with no errors, and leaves the snapshot', async () => {
    const {HealthRegistry} = await import('../../daemon/gateway/health-registry.js')
    const health = new HealthRegistry({failureThreshold: 2, now: () => 1_000_000})
    for (let i = 0; i < 3; i++) health.recordFailure('m', 'p', 10, 'boom', 'provider')
    expect(health.signals('m', 'p').available).toBe(false)
    health.forget('model', 'm')
    expect(health.snapshot().models.map((t) => t.id)).toEqual([])
    // Its provider's verdict stands until the provider is remade too.
    expect(health.signals('m', 'p').available).toBe(false)
    health.forget('provider', 'p')
    expect(health.signals('m', 'p')).toMatchObject({available: true, errorRate: 0})
    expect(health.snapshot().models[0]).toMatchObject({id: 'm', state: 'closed', errors: 0, last_error: null})
  })
})

describe('HealthRegistry.snapshot of the registered targets', () => {
  it('lists each one given, idle ones closed with no requests, without adding them to the registry', async () => {
    const {HealthRegistry} = await import('../../daemon/gateway/health-registry.js')
    const health = new HealthRegistry({failureThreshold: 2, now: () => 1_000_000})
    health.recordFailure('busy', 'p', 10, 'boom', 'model')
    health.signals('deleted', 'p')
    const snapshot = health.snapshot({providers: ['p', 'q'], models: ['idle', 'busy']})
    expect(snapshot.providers.map((t) => t.id)).toEqual(['p', 'q'])
    expect(snapshot.models.map((t) => t.id)).toEqual(['idle', 'busy'])
    expect(snapshot.models[0]).toEqual({
      id: 'idle',
      state: 'closed',
      requests: 0,
      errors: 0,
      error_rate: 0,
      p50_ms: null,
      p95_ms: null,
      consecutive_failures: 0,
      last_error: null,
      last_error_at: null,
      cooldown_until: null,
      open_until: null,
    })
    expect(snapshot.models[1]).toMatchObject({id: 'busy', requests: 1, errors: 1, last_error: 'boom'})
    expect(health.snapshot().models.map((t) => t.id)).toEqual(['busy', 'deleted'])
  })
})

describe('HealthRegistry.snapshot waits', () => {
  it('gives an open circuit\'s probe time and a 429 cooldown\'s end', async () => {
    const {HealthRegistry} = await import('../../daemon/gateway/health-registry.js')
    let now = 1_000_000
    const health = new HealthRegistry({failureThreshold: 1, openMs: 30_000, now: () => now})
    health.recordFailure('m', 'p', 10, 'boom', 'provider')
    health.coolDown('m', now + 20_000)
    now += 5_000
    const snapshot = health.snapshot()
    expect(snapshot.providers[0]).toMatchObject({state: 'open', open_until: new Date(1_030_000).toISOString(), cooldown_until: null})
    expect(snapshot.models[0]).toMatchObject({state: 'open', open_until: new Date(1_030_000).toISOString(), cooldown_until: new Date(1_020_000).toISOString()})
    now += 30_000
    expect(health.snapshot().providers[0]).toMatchObject({state: 'half_open', open_until: null})
  })

  it('leaves an upstream 429 out of the requests, errors and latency percentiles', async () => {
    const {HealthRegistry} = await import('../../daemon/gateway/health-registry.js')
    const health = new HealthRegistry({now: () => 1_000_000})
    health.recordFailure('m', 'p', 4, 'upstream answered HTTP 429', blameFor(classifyStatus(429, false)))
    expect(health.snapshot().models[0]).toMatchObject({requests: 0, errors: 0, p50_ms: null, p95_ms: null, last_error: 'upstream answered HTTP 429'})
  })
})

describe('RateLimiter', () => {
  it('limits requests per minute and says when to retry', () => {
    const limiter = new RateLimiter()
    const limits = {requestsPerMinute: 2, tokensPerMinute: 0}
    expect(limiter.admit('k', limits, 0, 0).ok).toBe(true)
    expect(limiter.admit('k', limits, 0, 10_000).ok).toBe(true)
    const refused = limiter.admit('k', limits, 0, 20_000)
    expect(refused).toEqual({ok: false, limit: 'requests', retryAfterSec: 40, limitValue: 2})
    expect(limiter.admit('other', limits, 0, 20_000).ok).toBe(true)
    expect(limiter.admit('k', limits, 0, 60_500).ok).toBe(true)
  })

  it('limits tokens per minute using estimates corrected by real usage', () => {
    const limiter = new RateLimiter()
    const limits = {requestsPerMinute: 0, tokensPerMinute: 1000}
    expect(limiter.admit('k', limits, 900, 0).ok).toBe(true)
    expect(limiter.admit('k', limits, 200, 1000).ok).toBe(false)
    limiter.settleTokens('k', -800, 0, 1000)
    expect(limiter.admit('k', limits, 200, 2000).ok).toBe(true)
  })

  it('takes unused tokens back from the second they were counted in, so a long stream frees nothing extra', () => {
    const limiter = new RateLimiter()
    const limits = {requestsPerMinute: 0, tokensPerMinute: 10_000}
    expect(limiter.admit('k', limits, 10_000, 0).ok).toBe(true)
    // The stream ends 61 s later having used 100: its count has already left the window, nothing to take back.
    limiter.settleTokens('k', 100 - 10_000, 0, 61_000)
    let admitted = 0
    for (let t = 61_000; t < 65_000; t += 100) if (limiter.admit('k', limits, 1000, t).ok) admitted += 1000
    expect(admitted).toBe(10_000)
    // Used more than counted: the excess counts now.
    const other = new RateLimiter()
    expect(other.admit('k', limits, 1000, 0).ok).toBe(true)
    other.settleTokens('k', 8_500, 0, 5000)
    expect(other.admit('k', limits, 1000, 6000).ok).toBe(false)
    expect(other.admit('k', limits, 500, 6000).ok).toBe(true)
  })

  it('refuses a request that alone needs more tokens than the minute allows, even in an empty window (no wait would help)', () => {
    const limiter = new RateLimiter()
    const limits = {requestsPerMinute: 0, tokensPerMinute: 100}
    expect(limiter.admit('k', limits, 5010, 0)).toEqual({ok: false, limit: 'tokens', retryAfterSec: null, limitValue: 100, requestTokens: 5010})
    expect(limiter.admit('k', limits, 100, 0).ok).toBe(true)
  })
})

describe('failover classification', () => {
  it('maps statuses to classes and next steps', () => {
    expect(classifyStatus(429, false)).toBe('rate_limited')
    expect(classifyStatus(503, false)).toBe('transient')
    expect(classifyStatus(400, true)).toBe('context_overflow')
    expect(classifyStatus(400, false)).toBe('client_error')
    expect(classifyStatus(401, false)).toBe('upstream_auth')
    expect(classifyStatus(404, false)).toBe('upstream_config')
    expect(classifyStatus(404, false, true)).toBe('request_not_found')
    expect(nextStep({errorClass: 'request_not_found', status: 404, retryAfterMs: null, message: ''}, 0)).toBe('next_candidate')
    expect(nextStep({errorClass: 'transient', status: 500, retryAfterMs: null, message: ''}, 0)).toBe('retry_same')
    expect(nextStep({errorClass: 'transient', status: 500, retryAfterMs: null, message: ''}, 1)).toBe('next_candidate')
    expect(nextStep({errorClass: 'rate_limited', status: 429, retryAfterMs: 1000, message: ''}, 0)).toBe('next_candidate')
    expect(nextStep({errorClass: 'client_error', status: 400, retryAfterMs: null, message: ''}, 0)).toBe('return_to_client')
  })

  it('reads Retry-After and backs off with jitter', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000)
    expect(parseRetryAfter('soon', 0)).toBeNull()
    expect(backoffMs(0, () => 0.5)).toBe(100)
    expect(backoffMs(10, () => 1)).toBe(2000)
  })
})

describe('token estimates', () => {
  beforeAll(async () => {
    // Loaded on demand: never an estimate without the real tokenizer.
    expect(() => estimateChatTokens({messages: [{role: 'user', content: 'too early'}]})).toThrow(/tokenizer is not loaded/)
    const pending = tokenizerReady()
    expect(pending).toBeInstanceOf(Promise)
    await loadTokenizer()
    expect(tokenizerReady()).toBeNull()
  })

  it('counts text with a real tokenizer and images flat', () => {
    const text = estimateChatTokens({messages: [{role: 'user', content: 'Hello world'}]})
    expect(text).toBeGreaterThan(4)
    expect(text).toBeLessThan(10)
    const image = estimateChatTokens({messages: [{role: 'user', content: [{type: 'image_url', image_url: {url: `data:image/png;base64,${'A'.repeat(100_000)}`}}]}]})
    expect(image).toBe(TOKENS_PER_IMAGE + 4)
    expect(estimateInputTokens(['a b c', [1, 2, 3]])).toBeGreaterThan(3)
  })

  it('remembers the counts of long texts an agent resends each turn, per API key, with the same answer', () => {
    const system = 'You are a coding agent. Read files, run the tests, and explain each change. '.repeat(200)
    const tools = [{name: 'shell', description: 'Runs a shell command and returns its output. '.repeat(30), input_schema: {type: 'object'}}]
    const before = tokenCountCache()
    const first = estimateChatTokens({system, messages: [{role: 'user', content: 'Fix the failing test.'}], tools}, 'key-a')
    const cached = tokenCountCache()
    // The system prompt and the tools JSON are kept; the short user turn is not.
    expect(cached.entries).toBe(before.entries + 2)
    expect(cached.chars).toBe(before.chars + system.length + JSON.stringify(tools).length)
    expect(cached.misses).toBe(before.misses + 2)
    // A copy of the same text (as a new request parses it) from the same key is a hit: same count.
    const again = estimateChatTokens({system: JSON.parse(JSON.stringify(system)), messages: [{role: 'user', content: 'Fix the failing test.'}], tools: structuredClone(tools)}, 'key-a')
    expect(again).toBe(first)
    expect(tokenCountCache()).toMatchObject({entries: cached.entries, chars: cached.chars, hits: cached.hits + 2, misses: cached.misses})
    // Another key sending the same texts gets them counted afresh (answer times tell it nothing), stored once.
    expect(estimateChatTokens({system, messages: [{role: 'user', content: 'Fix the failing test.'}], tools}, 'key-b')).toBe(first)
    expect(tokenCountCache()).toMatchObject({entries: cached.entries, chars: cached.chars, hits: cached.hits + 2, misses: cached.misses + 2})
    expect(estimateChatTokens({system, messages: [], tools}, 'key-b')).toBe(first - 4 - countText('Fix the failing test.'))
    expect(tokenCountCache().hits).toBe(cached.hits + 4)
  })
})

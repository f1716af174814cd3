import {connect} from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {OPENAI_KEY, startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

let fx: GatewayFixture
let client: OpenAI

// Short timeouts and a quick circuit so failure behaviour is observable within a test.
beforeAll(async () => {
  fx = await startGatewayFixture({env: {TOKENHUB_PROVIDER_TIMEOUT_SECS: '1', TOKENHUB_CIRCUIT_FAILURES: '3', TOKENHUB_CIRCUIT_OPEN_SECS: '1'}})
  client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0, timeout: 20_000})
  await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'dead', type: 'openai', base_url: 'http://127.0.0.1:1'})
  for (const id of ['fails-500', 'fails-429', 'hangs', 'flaky', 'bad-request', 'resets']) {
    await fx.addModel({id, provider_id: 'oa', weight: 10})
  }
  await fx.addModel({id: 'unreachable', provider_id: 'dead', weight: 10})
  for (const id of ['claude-overloaded', 'claude-refuses']) await fx.addModel({id, provider_id: 'an', weight: 10})
  await fx.addModel({id: 'stream-429', provider_id: 'oa', weight: 10})
  await fx.addModel({id: 'only-429', provider_id: 'oa', weight: 1})
  await fx.addModel({id: 'claude-429', provider_id: 'an', weight: 1})
  await fx.addModel({id: 'backup', provider_id: 'oa', weight: 1})
  await fx.addModel({id: 'too-long', provider_id: 'oa', weight: 1})
  await fx.addModel({id: 'claude-too-long', provider_id: 'an', weight: 1})
  await fx.addModel({id: 'claude-529', provider_id: 'an', weight: 1})
  await fx.addModel({id: 'says-429', provider_id: 'oa', weight: 1})
})
afterAll(() => fx?.close())
beforeEach(() => {
  fx.openai.reset()
  fx.anthropic.reset()
})

/** An alias that tries `first` and falls back to `backup`. */
async function via(first: string): Promise<string> {
  const name = `try-${first}`
  await fx.daemon.admin('PUT', `/admin/v1/aliases/${name}`, {variants: [{model_id: first, weight: 1}, {model_id: 'backup', weight: 0}]})
  return name
}

async function lastLog() {
  return (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
}

describe('failover', () => {
  it('moves on from a 500 after one retry', async () => {
    fx.openai.behave('fails-500', {status: 500})
    const {data, response} = await client.chat.completions.create({model: await via('fails-500'), messages: [{role: 'user', content: 'a'}]}).withResponse()
    expect(data.choices[0].message.content).toBe('echo: a')
    expect(response.headers.get('x-tokenhub-model')).toBe('backup')
    const log = await lastLog()
    expect(log.attempts.map((a: {model_id: string; status: number | null}) => [a.model_id, a.status])).toEqual([
      ['fails-500', 500],
      ['fails-500', 500],
      ['backup', 200],
    ])
    expect(log.alias_from).toBe('try-fails-500')
    // The bandit learns the failure too (a 0 for fails-500), not only the rescuer's success.
    const posteriors = (await fx.daemon.admin('GET', '/admin/v1/rewards')).body.posteriors
    expect(posteriors.find((p: {model_id: string}) => p.model_id === 'fails-500')).toMatchObject({samples: expect.any(Number)})
    expect(posteriors.find((p: {model_id: string}) => p.model_id === 'fails-500').mean).toBeLessThan(0.5)
  })

  it('moves on from a 429 at once and cools the model down for Retry-After', async () => {
    fx.openai.behave('fails-429', {status: 429, headers: {'retry-after': '30'}, times: 1})
    const alias = await via('fails-429')
    await client.chat.completions.create({model: alias, messages: [{role: 'user', content: 'b'}]})
    expect((await lastLog()).attempts.map((a: {error_class: string | null}) => a.error_class)).toEqual(['rate_limited', null])
    const simulated = await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {})
    expect(simulated.body.candidates.find((c: {model_id: string}) => c.model_id === 'fails-429')).toMatchObject({skip_reason: 'cooling_down'})
    await client.chat.completions.create({model: alias, messages: [{role: 'user', content: 'c'}]})
    expect((await lastLog()).model_id).toBe('backup')
  })

  it('when every upstream is rate limited, answers 429 rate_limit_error with Retry-After, then 503 with Retry-After while cooling down', async () => {
    fx.openai.behave('only-429', {status: 429, headers: {'retry-after': '20'}})
    const limited = await client.chat.completions.create({model: 'only-429', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.error).toMatchObject({type: 'rate_limit_error', code: 'UPSTREAM_ERROR', retry_after_s: 20})
    expect(limited.headers.get('retry-after')).toBe('20')
    // Cooling down: nothing to try, and the client is told when to come back.
    const cooling = await client.chat.completions.create({model: 'only-429', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(cooling.status).toBe(503)
    expect(cooling.error.code).toBe('NO_ELIGIBLE_MODEL')
    expect(cooling.error.skipped).toEqual([expect.objectContaining({model_id: 'only-429', reason: 'cooling_down'})])
    expect(Number(cooling.headers.get('retry-after'))).toBeGreaterThanOrEqual(19)
    expect(Number(cooling.headers.get('retry-after'))).toBeLessThanOrEqual(20)

    fx.anthropic.behave('claude-429', {status: 429, headers: {'retry-after': '7'}, body: JSON.stringify({type: 'error', error: {type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit'}})})
    const anthropic = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
    const error = await anthropic.messages.create({model: 'claude-429', max_tokens: 5, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error).toBeInstanceOf(Anthropic.RateLimitError)
    expect(error.error).toMatchObject({type: 'error', error: {type: 'rate_limit_error', code: 'UPSTREAM_ERROR'}})
    expect(error.headers.get('retry-after')).toBe('7')
  })

  it('for auto, NO_ELIGIBLE_MODEL lists only the models the key may use', async () => {
    await fx.addModel({id: 'cools-down', provider_id: 'oa', weight: 1})
    fx.openai.behave('cools-down', {status: 429, headers: {'retry-after': '20'}, times: 1})
    await client.chat.completions.create({model: 'cools-down', messages: [{role: 'user', content: 'x'}]}).catch(() => undefined)
    const {key} = await fx.newKey({allowed_models: ['cools-down']})
    const limited = new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const error = await limited.chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error.status).toBe(503)
    expect(error.error.skipped.map((s: {model_id: string}) => s.model_id)).toEqual(['cools-down'])
    expect(error.message).not.toContain('backup')
  })

  it('a disabled alias says so (not "not registered")', async () => {
    await fx.daemon.admin('PUT', '/admin/v1/aliases/off-alias', {variants: [{model_id: 'backup', weight: 1}], enabled: false})
    const error = await client.chat.completions.create({model: 'off-alias', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error.status).toBe(404)
    expect(error.message).toContain('alias "off-alias" is disabled')
    // A pattern that also matches does not take the disabled alias's requests; simulate agrees.
    await fx.daemon.admin('PUT', '/admin/v1/aliases/off-*', {variants: [{model_id: 'backup', weight: 1}]})
    const still = await client.chat.completions.create({model: 'off-alias', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(still.status).toBe(404)
    expect(still.message).toContain('alias "off-alias" is disabled')
    const simulated = await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'off-alias'})
    expect(simulated.status).toBe(404)
    expect(simulated.body.error.message).toContain('alias "off-alias" is disabled')
    expect((await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'off-other'})).body.alias_from).toBe('off-*')
    await fx.daemon.admin('DELETE', '/admin/v1/aliases/off-*')
  })

  it('moves on from an upstream that does not answer in time', async () => {
    fx.openai.behave('hangs', {hang: true})
    const started = Date.now()
    const {response} = await client.chat.completions.create({model: await via('hangs'), messages: [{role: 'user', content: 'd'}]}).withResponse()
    expect(response.headers.get('x-tokenhub-model')).toBe('backup')
    expect(Date.now() - started).toBeLessThan(10_000)
    expect((await lastLog()).attempts[0]).toMatchObject({model_id: 'hangs', error_class: 'timeout'})
  })

  it('moves on from a refused connection', async () => {
    const {response} = await client.chat.completions.create({model: await via('unreachable'), messages: [{role: 'user', content: 'e'}]}).withResponse()
    expect(response.headers.get('x-tokenhub-model')).toBe('backup')
    expect((await lastLog()).attempts[0]).toMatchObject({model_id: 'unreachable', provider_id: 'dead', error_class: 'network'})
  })

  it('returns a client error as is, without failover, in the OpenAI shape', async () => {
    fx.openai.behave('bad-request', {status: 400, body: JSON.stringify({error: {message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature', code: null}})})
    const error = await client.chat.completions.create({model: await via('bad-request'), messages: [{role: 'user', content: 'f'}]}).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect(error.message).toContain("Invalid value for 'temperature'")
    expect((await lastLog()).attempts).toHaveLength(1)
  })

  it('an upstream 404 about an id the request named (previous_response_id) goes back as is unless another provider has it, and hurts no health', async () => {
    await fx.addModel({id: 'keeps-state', provider_id: 'oa', weight: 1})
    const notFound = {error: {message: "Previous response with id 'resp_gone' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found'}}
    fx.openai.behave('keeps-state', {status: 404, body: JSON.stringify(notFound)})
    const alias = await via('keeps-state')
    // More 404s than the circuit's failure threshold (3): none of them is the model's fault.
    for (let i = 0; i < 4; i++) {
      const error = await client.responses.create({model: alias, input: 'again', previous_response_id: 'resp_gone'}).catch((e) => e)
      expect(error).toBeInstanceOf(OpenAI.NotFoundError)
      expect(error.message).toContain("Previous response with id 'resp_gone' not found")
      expect(error.error).toMatchObject({param: 'previous_response_id', code: 'previous_response_not_found'})
    }
    // The alias's other variant lives on the same provider, which already said "not here": not asked.
    const log = await lastLog()
    expect(log.attempts).toEqual([expect.objectContaining({model_id: 'keeps-state', status: 404, error_class: 'request_not_found'})])
    const health = (await fx.daemon.admin('GET', '/admin/v1/health')).body.models.find((m: {id: string}) => m.id === 'keeps-state')
    expect(health?.state ?? 'closed').toBe('closed')

    // With a second OpenAI provider (another account or region), the one that holds the id answers.
    await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'oa-second', type: 'openai', base_url: fx.openai.url, api_key: OPENAI_KEY})
    await fx.addModel({id: 'keeps-state-elsewhere', provider_id: 'oa-second', weight: 1})
    await fx.daemon.admin('PUT', '/admin/v1/aliases/two-accounts', {variants: [{model_id: 'keeps-state', weight: 1}, {model_id: 'keeps-state-elsewhere', weight: 0}]})
    const {data, response} = await client.responses.create({model: 'two-accounts', input: 'again', previous_response_id: 'resp_gone'}).withResponse()
    expect(data.status).toBe('completed')
    expect(response.headers.get('x-tokenhub-provider')).toBe('oa-second')
  })

  it('fails with 502 and every attempt listed when nothing works', async () => {
    await fx.addModel({id: 'all-fail', provider_id: 'oa', weight: 1})
    fx.openai.behave('all-fail', {status: 503})
    const error = await client.chat.completions.create({model: 'all-fail', messages: [{role: 'user', content: 'g'}]}).catch((e) => e)
    expect(error.status).toBe(502)
    expect(error.error).toMatchObject({code: 'UPSTREAM_ERROR', attempts: [{model_id: 'all-fail', status: 503}, {model_id: 'all-fail', status: 503}]})
  })

  it('a prompt no remaining model can hold is the upstream\'s 400 in the client\'s dialect (agents compact on it), not a 502', async () => {
    const overflow = {error: {message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded'}}
    fx.openai.behave('too-long', {status: 400, body: JSON.stringify(overflow)})
    // The backup has no larger context: nothing to fail over to.
    const alias = await via('too-long')
    const openai = await client.chat.completions.create({model: alias, messages: [{role: 'user', content: 'a'}]}).catch((e) => e)
    expect(openai).toBeInstanceOf(OpenAI.BadRequestError)
    expect(openai.error).toMatchObject({code: 'context_length_exceeded', type: 'invalid_request_error'})
    expect(await lastLog()).toMatchObject({status_code: 400, error_class: 'context_overflow'})
    const anthropic = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
    const claude = await anthropic.messages.create({model: alias, max_tokens: 10, messages: [{role: 'user', content: 'a'}]}).catch((e) => e)
    expect(claude).toBeInstanceOf(Anthropic.BadRequestError)
    expect(claude.error.error).toMatchObject({type: 'invalid_request_error', message: 'prompt is too long: 131072 tokens > 128000 maximum'})
    // Same dialect, streaming, the error as a 200 stream's first event: the same 400.
    fx.anthropic.behave('claude-too-long', {streamError: {type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum'}})
    const streamed = await anthropic.messages.create({model: 'claude-too-long', stream: true, max_tokens: 10, messages: [{role: 'user', content: 'a'}]}).catch((e) => e)
    expect(streamed).toBeInstanceOf(Anthropic.BadRequestError)
    expect(streamed.error.error.message).toBe('prompt is too long: 210000 tokens > 200000 maximum')
  })

  it('when every attempt failed, the message quotes what the last upstream said; an overloaded Anthropic upstream is a 529 to Anthropic clients, 503 to OpenAI ones', async () => {
    fx.anthropic.behave('claude-529', {status: 529, body: JSON.stringify({type: 'error', error: {type: 'overloaded_error', message: 'Overloaded'}})})
    const anthropic = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
    const claude = await anthropic.messages.create({model: 'claude-529', max_tokens: 10, messages: [{role: 'user', content: 'a'}]}).catch((e) => e)
    expect(claude.status).toBe(529)
    expect(claude.error.error).toMatchObject({type: 'overloaded_error', code: 'UPSTREAM_ERROR'})
    expect(claude.error.error.message).toContain('upstream answered HTTP 529 (Overloaded)')
    const openai = await client.chat.completions.create({model: 'claude-529', messages: [{role: 'user', content: 'a'}]}).catch((e) => e)
    expect(openai.status).toBe(503)
    fx.openai.behave('says-429', {status: 429, body: JSON.stringify({error: {message: 'Rate limit reached for gpt-4o on tokens per min', type: 'tokens'}})})
    const limited = await client.chat.completions.create({model: 'says-429', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.message).toContain('upstream answered HTTP 429 (Rate limit reached for gpt-4o on tokens per min)')
  })

  it('a stream that breaks mid-way ends with an error event, never [DONE]', async () => {
    fx.openai.behave('resets', {resetAfterChunks: 2, chunkDelayMs: 30})
    const response = await fetch(`${fx.daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'resets', stream: true, messages: [{role: 'user', content: 'one two three four five'}]}),
    })
    const text = await response.text()
    expect(text).toContain('"content":"echo: "')
    expect(text).toContain('"error"')
    expect(text).not.toContain('[DONE]')
    expect((await lastLog()).error_class).toBe('stream_interrupted')
  })
})

describe('errors inside a 200 stream, before anything reached the client', () => {
  it('an Anthropic overloaded_error after message_start fails over, and the client sees only the backup\'s answer', async () => {
    fx.anthropic.behave('claude-overloaded', {streamError: {type: 'overloaded_error', message: 'Overloaded'}})
    const alias = await via('claude-overloaded')
    const stream = await client.chat.completions.create({model: alias, stream: true, messages: [{role: 'user', content: 'one two'}]})
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe('echo: one two')
    const log = await lastLog()
    expect(log).toMatchObject({model_id: 'backup', status_code: 200, error_class: null})
    expect(log.attempts.map((a: {model_id: string; status: number | null; error_class: string | null}) => [a.model_id, a.status, a.error_class])).toEqual([
      ['claude-overloaded', 529, 'transient'],
      ['claude-overloaded', 529, 'transient'],
      ['backup', 200, null],
    ])
    // An Anthropic client served through the same alias gets a clean Messages stream too.
    const anthropic = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
    const message = await anthropic.messages.stream({model: alias, max_tokens: 50, messages: [{role: 'user', content: 'three'}]}).finalMessage()
    expect(message.content).toEqual([expect.objectContaining({type: 'text', text: 'echo: three'})])
  })

  it('an OpenAI-style rate-limit error chunk moves on at once, as a 429 would', async () => {
    fx.openai.behave('stream-429', {streamError: {type: 'rate_limit_exceeded', message: 'Rate limit reached for requests'}, times: 1})
    const stream = await client.chat.completions.create({model: await via('stream-429'), stream: true, messages: [{role: 'user', content: 'x'}]})
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe('echo: x')
    expect((await lastLog()).attempts.map((a: {error_class: string | null}) => a.error_class)).toEqual(['rate_limited', null])
  })

  it('an invalid_request_error event is the request\'s fault: returned as a 400 in the client\'s dialect, no failover', async () => {
    fx.anthropic.behave('claude-refuses', {streamError: {type: 'invalid_request_error', message: 'messages: text content blocks must be non-empty'}})
    const anthropic = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
    const error = await anthropic.messages.create({model: await via('claude-refuses'), stream: true, max_tokens: 50, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    expect(error.error).toMatchObject({type: 'error', error: {type: 'invalid_request_error', message: 'messages: text content blocks must be non-empty'}})
    expect((await lastLog()).attempts).toHaveLength(1)
  })
})

describe('circuit breaker', () => {
  it('opens after consecutive failures, skips the model, then recovers after the open period', async () => {
    fx.openai.behave('flaky', {status: 500})
    const alias = await via('flaky')
    // Each request makes two failed attempts (one retry); three failures open the circuit.
    await client.chat.completions.create({model: alias, messages: [{role: 'user', content: 'h'}]})
    await client.chat.completions.create({model: alias, messages: [{role: 'user', content: 'h'}]})
    const health = await fx.daemon.admin('GET', '/admin/v1/health')
    expect(health.body.models.find((m: {id: string}) => m.id === 'flaky')).toMatchObject({state: 'open', last_error: 'upstream answered HTTP 500'})
    const before = fx.openai.requests.filter((r) => r.json?.model === 'flaky').length
    const routed = await client.chat.completions.create({model: alias, messages: [{role: 'user', content: 'h'}]}).withResponse()
    expect(routed.response.headers.get('x-tokenhub-model')).toBe('backup')
    expect(fx.openai.requests.filter((r) => r.json?.model === 'flaky').length).toBe(before)

    fx.openai.behave('flaky', {})
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const probe = await client.chat.completions.create({model: alias, messages: [{role: 'user', content: 'h'}]}).withResponse()
    expect(probe.response.headers.get('x-tokenhub-model')).toBe('flaky')
    const after = await fx.daemon.admin('GET', '/admin/v1/health')
    expect(after.body.models.find((m: {id: string}) => m.id === 'flaky').state).toBe('closed')
  })
})

describe('requests a model cannot take as they are', () => {
  const legacyFunction = [{role: 'user' as const, content: 'x'}, {role: 'function' as const, name: 'lookup', content: '42'}]

  it('a Responses-only OpenAI model (gpt-5-codex) is skipped without blame for legacy completions, the one endpoint not translated into Responses, and serves chat, Messages and Codex', async () => {
    await fx.addModel({id: 'codex', provider_id: 'oa', upstream_model: 'gpt-5-codex', weight: 10})
    await fx.daemon.admin('PUT', '/admin/v1/aliases/codex-or-backup', {variants: [{model_id: 'codex', weight: 1}, {model_id: 'backup', weight: 0}]})
    for (let i = 0; i < 6; i++) {
      const {response} = await client.completions.create({model: 'codex-or-backup', prompt: `x${i}`, max_tokens: 5}).withResponse()
      expect(response.headers.get('x-tokenhub-model')).toBe('backup')
    }
    // Skipped by routing (so simulate agrees and auto never ranks it first for these clients): only the backup is tried.
    expect((await lastLog()).attempts.map((a: {model_id: string}) => a.model_id)).toEqual(['backup'])
    const simulated = await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'codex-or-backup', capability: 'completions'})
    expect(simulated.body.candidates.find((c: {model_id: string}) => c.model_id === 'codex')).toMatchObject({skip_reason: 'unsupported_endpoint'})
    expect((await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'codex'})).body.chosen).toBe('codex')
    // Named alone: a 400 that says why and what to do, not an upstream 404 turned 502.
    const named = await client.completions.create({model: 'codex', prompt: 'x'}).catch((e) => e)
    expect(named.status).toBe(400)
    expect(named.message).toContain("served only by OpenAI's Responses API")
    expect(fx.openai.requests.filter((r) => r.json?.model === 'gpt-5-codex')).toHaveLength(0)
    // Six refusals later its circuit is closed, and Codex, chat and Claude Code clients are served (translated to /v1/responses).
    const health = (await fx.daemon.admin('GET', '/admin/v1/health')).body.models.find((m: {id: string}) => m.id === 'codex')
    expect(health).toMatchObject({state: 'closed', errors: 0})
    const codex = await client.responses.create({model: 'codex', input: 'hello'})
    expect(codex.status).toBe('completed')
    expect(fx.openai.requests.at(-1)).toMatchObject({path: '/v1/responses', json: {model: 'gpt-5-codex'}})
    const chat = await client.chat.completions.create({model: 'codex-or-backup', messages: [{role: 'user', content: 'x'}]}).withResponse()
    expect(chat.response.headers.get('x-tokenhub-model')).toBe('codex')
    expect(fx.openai.requests.at(-1)).toMatchObject({path: '/v1/responses', json: {model: 'gpt-5-codex', store: false}})
    const anthropic = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
    const {response} = await anthropic.messages.create({model: 'codex-or-backup', max_tokens: 5, messages: [{role: 'user', content: 'y'}]}).withResponse()
    expect(response.headers.get('x-tokenhub-model')).toBe('codex')
  })

  it('a translation refusal while a circuit is half open gives the probe back, so the next request closes it', async () => {
    await fx.addModel({id: 'claude-probe', provider_id: 'an', weight: 1})
    fx.anthropic.behave('claude-probe', {status: 500})
    const anthropic = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
    for (let i = 0; i < 2; i++) await anthropic.messages.create({model: 'claude-probe', max_tokens: 5, messages: [{role: 'user', content: 'x'}]}).catch(() => undefined)
    const state = async () => (await fx.daemon.admin('GET', '/admin/v1/health')).body.models.find((m: {id: string}) => m.id === 'claude-probe')?.state
    expect(await state()).toBe('open')
    fx.anthropic.reset()
    await new Promise((resolve) => setTimeout(resolve, 1100))
    // Half open: this request takes the probe slot, then cannot be translated for Anthropic.
    const refused = await client.chat.completions.create({model: 'claude-probe', messages: legacyFunction}).catch((e) => e)
    expect(refused.status).toBe(400)
    expect(refused.message).toContain('legacy "function" messages')
    const answered = await anthropic.messages.create({model: 'claude-probe', max_tokens: 5, messages: [{role: 'user', content: 'y'}]})
    expect(answered.content[0]).toMatchObject({type: 'text'})
    expect(await state()).toBe('closed')
  })

  it('an alias moves on to a candidate that can take the request (legacy function messages, n > 1 for Claude)', async () => {
    await fx.daemon.admin('PUT', '/admin/v1/aliases/claude-then-gpt', {variants: [{model_id: 'claude-refuses', weight: 1}, {model_id: 'backup', weight: 0}]})
    const {data, response} = await client.chat.completions.create({model: 'claude-then-gpt', messages: legacyFunction}).withResponse()
    expect(data.choices[0].message.content).toContain('echo')
    expect(response.headers.get('x-tokenhub-model')).toBe('backup')
    expect(response.headers.get('x-tokenhub-routing-reason')).toContain('failover from claude-refuses (untranslatable)')
    expect((await lastLog()).attempts.map((a: {model_id: string; error_class: string | null}) => [a.model_id, a.error_class])).toEqual([
      ['claude-refuses', 'untranslatable'],
      ['backup', null],
    ])
    // n > 1: Anthropic models are not candidates at all (routing skips them), so simulate shows it too.
    const several = await client.chat.completions.create({model: 'claude-then-gpt', n: 2, messages: [{role: 'user', content: 'two'}]}).withResponse()
    expect(several.response.headers.get('x-tokenhub-model')).toBe('backup')
    expect((await lastLog()).attempts.map((a: {model_id: string}) => a.model_id)).toEqual(['backup'])
    const simulated = await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'claude-then-gpt', n: 2})
    expect(simulated.body.candidates.find((c: {model_id: string}) => c.model_id === 'claude-refuses')).toMatchObject({skip_reason: 'unsupported_endpoint'})
    // Named on its own, the Claude model is a 400 the SDKs do not retry.
    const named = await client.chat.completions.create({model: 'claude-refuses', n: 2, messages: [{role: 'user', content: 'two'}]}).catch((e) => e)
    expect(named.status).toBe(400)
    expect(named.message).toContain('n=2')
    expect(fx.anthropic.requests).toHaveLength(0)
  })

  it('a request the client got wrong teaches the bandit nothing about the model', async () => {
    await fx.addModel({id: 'strict-params', provider_id: 'oa', weight: 1})
    fx.openai.behave('strict-params', {status: 400, body: JSON.stringify({error: {message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature', code: null}})})
    for (let i = 0; i < 3; i++) {
      await client.chat.completions.create({model: 'strict-params', messages: [{role: 'user', content: 'x'}], tokenhub: {mode: 'thompson'}} as never).catch(() => undefined)
    }
    const logs = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=3')).body.logs
    expect(logs.map((l: {error_class: string; reward: number | null}) => [l.error_class, l.reward])).toEqual(Array(3).fill(['client_error', null]))
    const body = (await fx.daemon.admin('GET', '/admin/v1/rewards?model=strict-params')).body
    expect(body.rewards).toHaveLength(0)
    expect(body.posteriors.find((p: {model_id: string}) => p.model_id === 'strict-params')?.samples ?? 0).toBe(0)
  })

  it('limits of the request itself that rule out every model are a 400, not a 503 the SDKs retry', async () => {
    // A key that may use two healthy models (others here have open circuits: waiting could help those).
    const {key} = await fx.newKey({allowed_models: ['backup', 'cheap-gpt']})
    const limited = new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const error = await limited.chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'x'}], tokenhub: {max_budget_usd: 1e-9}} as never).catch((e) => e)
    expect(error.status).toBe(400)
    expect(error.message).toContain("no model meets this request's own limits")
    expect(error.error.skipped.every((s: {reason: string}) => s.reason === 'over_budget')).toBe(true)
  })
})

describe('client disconnects', () => {
  it('aborting a stream cancels the upstream request', async () => {
    await fx.addModel({id: 'slow-stream', provider_id: 'oa', weight: 1})
    fx.openai.behave('slow-stream', {chunkDelayMs: 300})
    const controller = new AbortController()
    const stream = await client.chat.completions.create(
      {model: 'slow-stream', stream: true, messages: [{role: 'user', content: 'a b c d e f g h i j'}]},
      {signal: controller.signal},
    )
    for await (const _chunk of stream) {
      controller.abort()
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(fx.openai.aborted).toBe(1)
    const log = await lastLog()
    expect(log).toMatchObject({model_id: 'slow-stream', status_code: 499, error_class: 'client_aborted'})
  })

  it('a model deleted and made anew under the same id starts with a closed circuit and no errors', async () => {
    await fx.addModel({id: 'remade', provider_id: 'oa', upstream_model: 'fails-500', weight: 1})
    fx.openai.behave('fails-500', {status: 500, body: '{"error":{"message":"boom"}}'})
    for (let i = 0; i < 3; i++) await client.chat.completions.create({model: 'remade', messages: [{role: 'user', content: 'x'}]}).catch(() => {})
    const healthOf = async () => (await fx.daemon.admin('GET', '/admin/v1/health')).body.models.find((m: {id: string}) => m.id === 'remade')
    expect((await healthOf())?.state).toMatch(/open/)
    expect((await fx.daemon.admin('DELETE', '/admin/v1/models/remade')).status).toBe(200)
    expect(await healthOf()).toBeUndefined()
    expect(await (await fetch(`${fx.daemon.url}/metrics`)).text()).not.toContain('id="remade"')
    await fx.addModel({id: 'remade', provider_id: 'oa', upstream_model: 'gpt-4o', weight: 1})
    const answer = await client.chat.completions.create({model: 'remade', messages: [{role: 'user', content: 'fixed'}]})
    expect(answer.choices[0].message.content).toBe('echo: fixed')
    expect(await healthOf()).toMatchObject({state: 'closed', errors: 0, last_error: null})
  })

  it('a provider pointed at the right address again: its models start over too (their 404s were about the old address)', async () => {
    await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'misaddressed', type: 'openai', base_url: `${fx.openai.url}/not-the-api`, api_key: OPENAI_KEY})
    await fx.addModel({id: 'on-misaddressed', provider_id: 'misaddressed', upstream_model: 'gpt-4o', weight: 1})
    for (let i = 0; i < 3; i++) await client.chat.completions.create({model: 'on-misaddressed', messages: [{role: 'user', content: 'x'}]}).catch(() => {})
    const healthOf = async () => (await fx.daemon.admin('GET', '/admin/v1/health')).body.models.find((m: {id: string}) => m.id === 'on-misaddressed')
    expect((await healthOf())?.state).toMatch(/open/)
    expect((await fx.daemon.admin('PATCH', '/admin/v1/providers/misaddressed', {base_url: fx.openai.url})).status).toBe(200)
    expect(await healthOf()).toMatchObject({state: 'closed', requests: 0, errors: 0, last_error: null})
    const answer = await client.chat.completions.create({model: 'on-misaddressed', messages: [{role: 'user', content: 'fixed'}]})
    expect(answer.choices[0].message.content).toBe('echo: fixed')
  })

  it('a client leaving a non-streaming request cancels the upstream request too', async () => {
    await fx.addModel({id: 'never-answers', provider_id: 'oa', weight: 1})
    fx.openai.behave('never-answers', {hang: true})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    await client.chat.completions.create({model: 'never-answers', messages: [{role: 'user', content: 'x'}]}, {signal: controller.signal}).catch(() => {})
    const deadline = Date.now() + 3000
    while (fx.openai.aborted === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(fx.openai.aborted).toBe(1)
    expect(await lastLog()).toMatchObject({model_id: 'never-answers', status_code: 499})
  })

  it('a client that leaves while a retry waits is recorded, and its budget hold released', async () => {
    fx.openai.behave('fails-500', {status: 500, body: '{"error":{"message":"boom"}}'})
    const controller = new AbortController()
    const asking = client.chat.completions.create({model: 'fails-500', messages: [{role: 'user', content: 'x'}]}, {signal: controller.signal}).catch(() => {})
    // The 500 comes back at once; the retry then waits 50-150 ms: the client leaves during that wait.
    while (fx.openai.requests.length === 0) await new Promise((r) => setTimeout(r, 2))
    await new Promise((r) => setTimeout(r, 20))
    controller.abort()
    await asking
    const deadline = Date.now() + 3000
    let log = await lastLog()
    while (!(log?.requested_model === 'fails-500' && log?.status_code === 499) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
      log = await lastLog()
    }
    expect(log).toMatchObject({requested_model: 'fails-500', status_code: 499, error_class: 'client_aborted', cost_usd: 0})
    expect(log.attempts[0]).toMatchObject({model_id: 'fails-500', status: 500})
  })

  it('a client that stops reading a long stream and then leaves is accounted, and the gateway is not left waiting on it', async () => {
    await fx.addModel({id: 'long-stream', provider_id: 'oa', weight: 1, max_context_tokens: 1_000_000})
    // ~300,000 chunks (45 MB): more than socket buffers hold, so the gateway's writes wait for the client to drain.
    const body = JSON.stringify({model: 'long-stream', stream: true, messages: [{role: 'user', content: 'word '.repeat(300_000)}]})
    const url = new URL(fx.daemon.url)
    const socket = connect(Number(url.port), url.hostname)
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.pause()
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${fx.key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    socket.destroy()
    const deadline = Date.now() + 15_000
    let log = await lastLog()
    while (log?.model_id !== 'long-stream' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
      log = await lastLog()
    }
    // Before, the gateway waited forever for a drain that uWS never reports after an abort: no record, its budget hold kept.
    expect(log, JSON.stringify(log)).toMatchObject({model_id: 'long-stream', status_code: 499, error_class: 'client_aborted'})
  })
})


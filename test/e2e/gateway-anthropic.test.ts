import OpenAI from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {ANTHROPIC_KEY, startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'
import {openSse} from '../helpers/sse.js'

let fx: GatewayFixture
let client: Anthropic

beforeAll(async () => {
  fx = await startGatewayFixture()
  client = new Anthropic({apiKey: fx.key, baseURL: fx.daemon.url, maxRetries: 0})
})
afterAll(() => fx?.close())
beforeEach(() => {
  fx.openai.reset()
  fx.anthropic.reset()
})

const tools = [{name: 'lookup', description: 'Look something up', input_schema: {type: 'object' as const, properties: {query: {type: 'string'}}, required: ['query']}}]

describe('POST /v1/messages with the @anthropic-ai/sdk client', () => {
  it('passes everything through to an Anthropic upstream, headers included', async () => {
    const message = await client.messages.create(
      {
        model: 'claude',
        max_tokens: 64,
        system: [{type: 'text', text: 'Be terse.', cache_control: {type: 'ephemeral'}}],
        metadata: {user_id: 'u-9'},
        messages: [{role: 'user', content: 'hi claude'}],
        // @ts-expect-error a field the gateway does not know must still reach the upstream
        future_field: {x: 1},
      },
      {headers: {'anthropic-beta': 'prompt-caching-2024-07-31'}},
    )
    expect(message.content).toEqual([{type: 'text', text: 'echo: hi claude'}])
    expect(message.usage).toMatchObject({input_tokens: 12, output_tokens: 3})
    const sent = fx.anthropic.requests.at(-1)!
    expect(sent.json).toMatchObject({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      system: [{type: 'text', text: 'Be terse.', cache_control: {type: 'ephemeral'}}],
      metadata: {user_id: 'u-9'},
      future_field: {x: 1},
    })
    expect(sent.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31')
    // The client's own anthropic-version goes through unchanged.
    expect(sent.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(sent.headers['x-api-key']).toBe(ANTHROPIC_KEY)
    expect(JSON.stringify(sent.headers)).not.toContain(fx.key)
  })

  it('accepts the key as a Bearer token too', async () => {
    const bearer = new Anthropic({authToken: fx.key, apiKey: null, baseURL: fx.daemon.url, maxRetries: 0})
    const message = await bearer.messages.create({model: 'claude', max_tokens: 10, messages: [{role: 'user', content: 'bearer'}]})
    expect(message.content[0]).toMatchObject({text: 'echo: bearer'})
  })

  it('streams Anthropic events from an Anthropic upstream', async () => {
    const stream = client.messages.stream({model: 'claude', max_tokens: 64, messages: [{role: 'user', content: 'stream please'}]})
    const types: string[] = []
    stream.on('streamEvent', (event) => types.push(event.type))
    const final = await stream.finalMessage()
    expect(final.content).toEqual([{type: 'text', text: 'echo: stream please', citations: null}].map(({citations: _c, ...rest}) => expect.objectContaining(rest)))
    expect(types[0]).toBe('message_start')
    expect(types.at(-1)).toBe('message_stop')
  })

  it('routes to an OpenAI model: translated both ways', async () => {
    const message = await client.messages.create({
      model: 'strong-gpt',
      max_tokens: 50,
      system: 'You are helpful.',
      stop_sequences: ['END'],
      messages: [{role: 'user', content: [{type: 'text', text: 'translate me'}]}],
    })
    expect(message.type).toBe('message')
    expect(message.role).toBe('assistant')
    expect(message.content).toEqual([expect.objectContaining({type: 'text', text: 'echo: translate me'})])
    expect(message.stop_reason).toBe('end_turn')
    expect(message.usage).toMatchObject({input_tokens: 11, output_tokens: 3})
    const sent = fx.openai.requests.at(-1)!.json
    expect(sent.model).toBe('gpt-4o')
    expect(sent.messages[0]).toEqual({role: 'system', content: 'You are helpful.'})
    expect(sent.stop).toEqual(['END'])
    expect(sent.max_tokens).toBe(50)
  })

  it('streams from an OpenAI model as Anthropic events', async () => {
    const stream = client.messages.stream({model: 'cheap-gpt', max_tokens: 50, messages: [{role: 'user', content: 'from openai'}]})
    const types: string[] = []
    stream.on('streamEvent', (event) => types.push(event.type))
    const final = await stream.finalMessage()
    expect(final.content).toEqual([expect.objectContaining({type: 'text', text: 'echo: from openai'})])
    expect(final.stop_reason).toBe('end_turn')
    expect(final.usage.output_tokens).toBe(3)
    expect(types).toEqual(expect.arrayContaining(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']))
    expect(fx.openai.requests.at(-1)!.json.stream_options).toEqual({include_usage: true})
  })

  it('round-trips a tool call through an OpenAI model, streamed', async () => {
    const first = await client.messages.stream({model: 'strong-gpt', max_tokens: 100, tools, messages: [{role: 'user', content: 'Lisbon'}]}).finalMessage()
    expect(first.stop_reason).toBe('tool_use')
    const use = first.content.find((b) => b.type === 'tool_use')!
    expect(use).toMatchObject({type: 'tool_use', name: 'lookup', input: {query: 'Lisbon'}})
    const second = await client.messages.create({
      model: 'strong-gpt',
      max_tokens: 100,
      tools,
      messages: [
        {role: 'user', content: 'Lisbon'},
        {role: 'assistant', content: first.content},
        {role: 'user', content: [{type: 'tool_result', tool_use_id: (use as {id: string}).id, content: 'warm'}]},
      ],
    })
    expect(second.content[0]).toMatchObject({type: 'text', text: 'tool said: warm'})
    const sent = fx.openai.requests.at(-1)!.json
    expect(sent.messages.find((m: {role: string}) => m.role === 'tool')).toMatchObject({tool_call_id: (use as {id: string}).id, content: 'warm'})
  })

  it('bills prompt-cache reads and writes at their own prices, whichever client asked and streamed or not', async () => {
    const lastLog = async () => (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    // claude: input $0.003/1k, output $0.015/1k; Anthropic's cache prices: reads 0.1x, writes 1.25x.
    const expected = (10 * 0.003 + 1000 * 0.0003 + 50 * 0.00375 + 7 * 0.015) / 1000
    fx.anthropic.behave('claude-sonnet-4-5', {usage: {input: 10, output: 7, cacheRead: 1000, cacheWrite: 50}})
    try {
      await client.messages.create({model: 'claude', max_tokens: 50, messages: [{role: 'user', content: 'cached prompt'}]})
      const whole = await lastLog()
      expect(whole).toMatchObject({input_tokens: 1060, cache_read_tokens: 1000, cache_write_tokens: 50, output_tokens: 7})
      expect(whole.cost_usd).toBeCloseTo(expected, 12)
      const stream = client.messages.stream({model: 'claude', max_tokens: 50, messages: [{role: 'user', content: 'cached prompt'}]})
      await stream.finalMessage()
      const streamed = await lastLog()
      expect(streamed).toMatchObject({input_tokens: 1060, cache_read_tokens: 1000, cache_write_tokens: 50})
      expect(streamed.cost_usd).toBeCloseTo(expected, 12)
      // An OpenAI client cannot be told about cache writes; they are billed at their price all the same.
      const openai = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
      const answer = await openai.chat.completions.create({model: 'claude', max_tokens: 50, messages: [{role: 'user', content: 'cached prompt'}]})
      expect(answer.usage?.prompt_tokens_details?.cached_tokens).toBe(1000)
      const translated = await lastLog()
      expect(translated).toMatchObject({input_tokens: 1060, cache_read_tokens: 1000, cache_write_tokens: 50})
      expect(translated.cost_usd).toBeCloseTo(expected, 12)
    } finally {
      fx.anthropic.behave('claude-sonnet-4-5', {})
    }
  })

  it('asks the Anthropic upstream to count tokens for its models, with the provider key', async () => {
    const counted = await client.messages.countTokens({model: 'claude', messages: [{role: 'user', content: 'How many tokens is this?'}]})
    expect(counted.input_tokens).toBe(4242)
    const sent = fx.anthropic.requests.at(-1)!
    expect(sent.path).toBe('/v1/messages/count_tokens')
    expect(sent.json.model).toBe('claude-sonnet-4-5')
    expect(sent.headers['x-api-key']).toBe(ANTHROPIC_KEY)
  })

  it('counts tokens locally for models of other providers, and when the upstream fails', async () => {
    const counted = await client.messages.countTokens({model: 'strong-gpt', messages: [{role: 'user', content: 'How many tokens is this?'}]})
    expect(counted.input_tokens).toBeGreaterThan(3)
    expect(counted.input_tokens).toBeLessThan(100)
    fx.anthropic.override = {status: 500, body: 'boom'}
    try {
      const fallback = await client.messages.countTokens({model: 'claude', messages: [{role: 'user', content: 'How many tokens is this?'}]})
      expect(fallback.input_tokens).toBeGreaterThan(3)
      expect(fallback.input_tokens).toBeLessThan(100)
    } finally {
      fx.anthropic.override = null
    }
  })

  it('counts only for models the key may use, 404 for unknown ones, and never asks a disabled model\'s upstream', async () => {
    const unknown = await client.messages.countTokens({model: 'no-such-model', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError)
    const noModel = await client.messages.countTokens({messages: [{role: 'user', content: 'x'}]} as never).catch((e) => e)
    expect(noModel).toBeInstanceOf(Anthropic.BadRequestError)
    expect(noModel.message).toContain('model: is required')
    // Anthropic has no embeddings: such a model is refused when registered, not skipped on every request.
    const embedding = await fx.daemon.admin('POST', '/admin/v1/models', {id: 'claude-embed', provider_id: 'an', kind: 'embedding', input_per_1k: 0, output_per_1k: 0})
    expect(embedding.status).toBe(400)
    expect(embedding.body.error.message).toContain('Anthropic has no embeddings API')
    expect((await fx.daemon.admin('PATCH', '/admin/v1/models/claude', {kind: 'embedding'})).status).toBe(400)
    expect(unknown.error).toMatchObject({type: 'error', error: {type: 'not_found_error', code: 'NOT_FOUND'}})
    const limited = await fx.newKey({allowed_models: ['cheap-gpt']})
    const limitedClient = new Anthropic({apiKey: limited.key, baseURL: fx.daemon.url, maxRetries: 0})
    const forbidden = await limitedClient.messages.countTokens({model: 'claude', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(forbidden).toBeInstanceOf(Anthropic.PermissionDeniedError)
    expect((await limitedClient.messages.countTokens({model: 'cheap-gpt', messages: [{role: 'user', content: 'x'}]})).input_tokens).toBeGreaterThan(0)
    // Free, but a call: it counts against the key's requests per minute (not its tokens).
    const slow = await fx.newKey({rate_limit_rpm: 2, rate_limit_tpm: 1})
    const slowClient = new Anthropic({apiKey: slow.key, baseURL: fx.daemon.url, maxRetries: 0})
    for (let i = 0; i < 2; i++) expect((await slowClient.messages.countTokens({model: 'claude', messages: [{role: 'user', content: 'count me please'}]})).input_tokens).toBeGreaterThan(0)
    const over = await slowClient.messages.countTokens({model: 'claude', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(over).toBeInstanceOf(Anthropic.RateLimitError)
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
    // The refusal is on the event stream, as the gateway's own 429s are.
    const events = openSse(`${fx.daemon.url}/admin/v1/events?type=rate_limited&backlog=1`, {authorization: `Bearer ${fx.daemon.adminToken}`})
    await events.waitFor(() => events.events('rate_limited').length >= 1)
    expect(events.events('rate_limited')[0].data).toMatchObject({api_key_id: slow.id, limit: 'requests'})
    events.close()
    fx.anthropic.reset()
    await fx.daemon.admin('PATCH', '/admin/v1/models/claude', {enabled: false})
    try {
      const local = await client.messages.countTokens({model: 'claude', messages: [{role: 'user', content: 'How many tokens is this?'}]})
      expect(local.input_tokens).toBeLessThan(100)
      expect(fx.anthropic.requests).toHaveLength(0)
    } finally {
      await fx.daemon.admin('PATCH', '/admin/v1/models/claude', {enabled: true})
    }
  })

  it('bills a Claude stream the client interrupted for what it relayed, not for the 1 token message_start reports', async () => {
    fx.anthropic.behave('claude-sonnet-4-5', {chunkDelayMs: 60, times: 1})
    const controller = new AbortController()
    const stream = client.messages.stream({model: 'claude', max_tokens: 500, messages: [{role: 'user', content: 'one two three four five six seven eight nine ten'}]}, {signal: controller.signal})
    let deltas = 0
    try {
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && ++deltas === 4) controller.abort()
      }
    } catch {
      // The abort ends the iteration with an error.
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    const log = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    expect(log).toMatchObject({model_id: 'claude', status_code: 499, usage_source: 'estimate', input_tokens: 12})
    expect(log.output_tokens).toBeGreaterThanOrEqual(4)
    expect(log.output_tokens).toBeLessThan(500)
  })

  it('refuses to count tokens with a wrong key', async () => {
    const wrong = new Anthropic({apiKey: 'th-not-a-real-key', baseURL: fx.daemon.url, maxRetries: 0})
    const error = await wrong.messages.countTokens({model: 'claude', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
  })

  it('answers errors in the Anthropic shape', async () => {
    const wrong = new Anthropic({apiKey: 'th-not-a-real-key', baseURL: fx.daemon.url, maxRetries: 0})
    const error = await wrong.messages.create({model: 'claude', max_tokens: 5, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
    expect(error.error).toMatchObject({type: 'error', error: {type: 'authentication_error', code: 'AUTH_INVALID'}})
    const unknown = await client.messages.create({model: 'claude-3-opus-20240229', max_tokens: 5, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError)
    expect(unknown.error.error.message).toContain('claude-3-opus-20240229')
    expect(unknown.error.error.suggestion).toContain('tokenhub alias set')
    // max_tokens is required, as Anthropic requires it, and must be a whole number of at least 1.
    for (const maxTokens of [undefined, 'abc', -5, 2.5]) {
      const refused = await client.messages.create({model: 'claude', max_tokens: maxTokens as number, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
      expect(refused, String(maxTokens)).toBeInstanceOf(Anthropic.BadRequestError)
      expect(refused.error.error.message).toMatch(/^max_tokens: /)
    }
  })

  it('clamps max_tokens above the model limit instead of refusing, also through an alias', async () => {
    const set = await fx.daemon.admin('PUT', `/admin/v1/aliases/${encodeURIComponent('claude-opus-*')}`, {variants: [{model_id: 'claude', weight: 1}]})
    expect(set.status).toBeLessThan(300)
    // What Claude Code sends for its own default model: 128k of output, more than claude's 8192.
    const message = await client.messages.stream({model: 'claude-opus-5-5', max_tokens: 128_000, messages: [{role: 'user', content: 'big ask'}]}).finalMessage()
    expect(message.content[0]).toMatchObject({text: 'echo: big ask'})
    expect(fx.anthropic.requests.at(-1)!.json.max_tokens).toBe(8192)
    const log = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    expect(log).toMatchObject({requested_model: 'claude-opus-5-5', alias_from: 'claude-opus-*', model_id: 'claude', status_code: 200})
  })

  it('names the aliased model when a request is too long for it, and logs the alias', async () => {
    const huge = 'lorem ipsum dolor sit amet '.repeat(30_000) // ~150k tokens, over claude's 128k context
    const error = await client.messages.create({model: 'claude-opus-5-5', max_tokens: 10, messages: [{role: 'user', content: huge}]}).catch((e) => e)
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    expect(error.error.error.message).toContain('the request is too long for model "claude-opus-5-5" (alias claude-opus-* -> claude)')
    expect(error.error.error).toMatchObject({type: 'invalid_request_error', alias: 'claude-opus-*'})
    const log = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    expect(log).toMatchObject({requested_model: 'claude-opus-5-5', alias_from: 'claude-opus-*', model_id: null, status_code: 400})
    expect(fx.anthropic.requests).toEqual([])
  })

  it('lists models in the Anthropic shape', async () => {
    const page = await client.models.list()
    expect(page.data.map((m) => m.id)).toEqual(expect.arrayContaining(['claude', 'cheap-gpt']))
    expect(page.data[0].type).toBe('model')
  })

  it('pages the model list as the Anthropic SDK asks (limit, after_id, before_id)', async () => {
    const all = (await client.models.list()).data.map((m) => m.id)
    expect(all.length).toBeGreaterThan(2)
    // The SDK's auto-pagination walks every page, one model at a time here.
    const walked: string[] = []
    for await (const model of client.models.list({limit: 1})) walked.push(model.id)
    expect(walked).toEqual(all)
    const first = await client.models.list({limit: 2})
    expect(first.data.map((m) => m.id)).toEqual(all.slice(0, 2))
    expect(first.has_more).toBe(true)
    expect((await client.models.list({limit: 2, before_id: all[2]})).data.map((m) => m.id)).toEqual(all.slice(0, 2))
    const bad = await client.models.list({limit: 0}).catch((e) => e)
    expect(bad.status).toBe(400)
    expect((await client.models.list({after_id: 'nope'}).catch((e) => e)).status).toBe(400)
  })
})

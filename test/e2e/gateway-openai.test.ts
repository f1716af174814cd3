import OpenAI from 'openai'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {OPENAI_KEY, startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

let fx: GatewayFixture
let client: OpenAI

beforeAll(async () => {
  fx = await startGatewayFixture()
  client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
})
afterAll(() => fx?.close())
beforeEach(() => {
  fx.openai.reset()
  fx.anthropic.reset()
})

const weather = [
  {
    type: 'function' as const,
    function: {name: 'get_weather', description: 'Weather for a city', parameters: {type: 'object', properties: {query: {type: 'string'}}, required: ['query']}},
  },
]

describe('POST /v1/chat/completions with the openai SDK', () => {
  it('answers with the routed model, X-TokenHub headers and usage', async () => {
    const {data, response} = await client.chat.completions.create({model: 'strong-gpt', messages: [{role: 'user', content: 'hello there'}]}).withResponse()
    expect(data.choices[0].message.content).toBe('echo: hello there')
    expect(data.usage).toMatchObject({prompt_tokens: 11, completion_tokens: 3})
    expect(response.headers.get('x-tokenhub-model')).toBe('strong-gpt')
    expect(response.headers.get('x-tokenhub-provider')).toBe('oa')
    expect(response.headers.get('x-tokenhub-request-id')).toMatch(/^[0-9a-f]{16}$/)
    expect(response.headers.get('x-tokenhub-routing-reason')).toBe('explicit')
    expect(Number(response.headers.get('x-tokenhub-cost-usd'))).toBeCloseTo((11 * 0.005 + 3 * 0.015) / 1000, 10)
  })

  it('forwards every client field except model and the tokenhub policy', async () => {
    await client.chat.completions.create({
      model: 'strong-gpt',
      messages: [{role: 'user', content: 'fields'}],
      seed: 42,
      user: 'u-1',
      logprobs: true,
      top_logprobs: 2,
      max_completion_tokens: 50,
      response_format: {type: 'json_object'},
      tools: weather,
      tool_choice: 'auto',
      // @ts-expect-error a field the SDK does not know, and the TokenHub policy field
      some_new_field: {nested: [1, 2]},
      tokenhub: {mode: 'cheap'},
    })
    const sent = fx.openai.requests.at(-1)!
    expect(sent.path).toBe('/v1/chat/completions')
    expect(sent.json).toMatchObject({
      model: 'gpt-4o',
      seed: 42,
      user: 'u-1',
      logprobs: true,
      top_logprobs: 2,
      max_completion_tokens: 50,
      response_format: {type: 'json_object'},
      tool_choice: 'auto',
      some_new_field: {nested: [1, 2]},
    })
    expect(sent.json.tools).toEqual(weather)
    expect(sent.json.tokenhub).toBeUndefined()
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`)
    expect(JSON.stringify(sent.headers)).not.toContain(fx.key)
  })

  it('streams chunk by chunk as the upstream sends them, keeping [DONE]', async () => {
    fx.openai.behave('gpt-4o', {chunkDelayMs: 150})
    const stream = await client.chat.completions.create({model: 'strong-gpt', stream: true, messages: [{role: 'user', content: 'one two three four'}]})
    const arrivals: number[] = []
    let text = ''
    for await (const chunk of stream) {
      arrivals.push(Date.now())
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    expect(text).toBe('echo: one two three four')
    // Five content chunks 150 ms apart: the first arrives long before the upstream is done.
    expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThan(500)
    const raw = await fetch(`${fx.daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'cheap-gpt', stream: true, messages: [{role: 'user', content: 'x'}]}),
    })
    expect(raw.headers.get('content-type')).toContain('text/event-stream')
    expect((await raw.text()).trimEnd().endsWith('data: [DONE]')).toBe(true)
  })

  it('asks the upstream for stream usage, records it, and strips the usage chunk unless the client asked', async () => {
    const plain = await client.chat.completions.create({model: 'cheap-gpt', stream: true, messages: [{role: 'user', content: 'count me'}]})
    const chunks = []
    for await (const chunk of plain) chunks.push(chunk)
    expect(fx.openai.requests.at(-1)!.json.stream_options).toEqual({include_usage: true})
    expect(chunks.some((c) => c.usage)).toBe(false)
    const logs = await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')
    expect(logs.body.logs[0]).toMatchObject({stream: true, model_id: 'cheap-gpt', input_tokens: 11, output_tokens: 3, usage_source: 'upstream', status_code: 200})
    expect(logs.body.logs[0].ttft_ms).toEqual(expect.any(Number))
    const withUsage = await client.chat.completions.create({model: 'cheap-gpt', stream: true, stream_options: {include_usage: true}, messages: [{role: 'user', content: 'count me'}]})
    let usage
    for await (const chunk of withUsage) usage = chunk.usage ?? usage
    expect(usage).toMatchObject({prompt_tokens: 11, completion_tokens: 3})
  })

  it('round-trips a tool call (OpenAI upstream)', async () => {
    const first = await client.chat.completions.create({model: 'strong-gpt', tools: weather, messages: [{role: 'user', content: 'Paris'}]})
    const call = first.choices[0].message.tool_calls![0]
    expect(first.choices[0].finish_reason).toBe('tool_calls')
    expect(call.type === 'function' && call.function.name).toBe('get_weather')
    const second = await client.chat.completions.create({
      model: 'strong-gpt',
      tools: weather,
      messages: [{role: 'user', content: 'Paris'}, first.choices[0].message, {role: 'tool', tool_call_id: call.id, content: 'sunny, 21C'}],
    })
    expect(second.choices[0].message.content).toBe('tool said: sunny, 21C')
  })

  it('routes an OpenAI client to an Anthropic model: translated request, OpenAI-shaped answer', async () => {
    const result = await client.chat.completions.create({
      model: 'claude',
      max_tokens: 100,
      messages: [
        {role: 'system', content: 'Be brief.'},
        {role: 'user', content: 'bonjour'},
      ],
    })
    expect(result.object).toBe('chat.completion')
    expect(result.choices[0].message.content).toBe('echo: bonjour')
    expect(result.choices[0].finish_reason).toBe('stop')
    expect(result.usage).toMatchObject({prompt_tokens: 12, completion_tokens: 2})
    const sent = fx.anthropic.requests.at(-1)!
    expect(sent.path).toBe('/v1/messages')
    expect(sent.json).toMatchObject({model: 'claude-sonnet-4-5', system: 'Be brief.', max_tokens: 100, messages: [{role: 'user', content: 'bonjour'}]})
    expect(sent.headers['x-api-key']).toBeDefined()
    expect(sent.headers.authorization).toBeUndefined()
  })

  it('streams from an Anthropic model as OpenAI chunks, tool calls included', async () => {
    const stream = await client.chat.completions.create({model: 'claude', stream: true, messages: [{role: 'user', content: 'stream me'}]})
    let text = ''
    let finish: string | null = null
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk')
      text += chunk.choices[0]?.delta?.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(text).toBe('echo: stream me')
    expect(finish).toBe('stop')
    const tools = await client.chat.completions.create({model: 'claude', stream: true, tools: weather, messages: [{role: 'user', content: 'Oslo'}]})
    let args = ''
    let name = ''
    for await (const chunk of tools) {
      const call = chunk.choices[0]?.delta?.tool_calls?.[0]
      if (call?.function?.name) name = call.function.name
      args += call?.function?.arguments ?? ''
    }
    expect(name).toBe('get_weather')
    expect(JSON.parse(args)).toEqual({query: 'Oslo'})
    const logs = await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')
    expect(logs.body.logs[0]).toMatchObject({model_id: 'claude', provider_id: 'an', output_tokens: expect.any(Number), input_tokens: 12})
  })

  it('round-trips a tool call through an Anthropic model', async () => {
    const first = await client.chat.completions.create({model: 'claude', tools: weather, messages: [{role: 'user', content: 'Rome'}]})
    const call = first.choices[0].message.tool_calls![0]
    expect(first.choices[0].finish_reason).toBe('tool_calls')
    const second = await client.chat.completions.create({
      model: 'claude',
      tools: weather,
      messages: [{role: 'user', content: 'Rome'}, first.choices[0].message, {role: 'tool', tool_call_id: call.id, content: 'rainy'}],
    })
    expect(second.choices[0].message.content).toBe('tool said: rainy')
    const sent = fx.anthropic.requests.at(-1)!.json
    expect(sent.messages.at(-1).content[0]).toMatchObject({type: 'tool_result', tool_use_id: call.id, content: 'rainy'})
  })
})

describe('routing policy', () => {
  it('cheap and high_confidence pick different models (body field and header)', async () => {
    const cheap = await client.chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'hi'}], ...{tokenhub: {mode: 'cheap'}}}).withResponse()
    expect(cheap.response.headers.get('x-tokenhub-model')).toBe('cheap-gpt')
    expect(cheap.response.headers.get('x-tokenhub-routing-reason')).toContain('mode=cheap')
    const strong = await client.chat.completions.create({messages: [{role: 'user', content: 'hi'}]} as never, {headers: {'X-TokenHub-Mode': 'high_confidence'}}).withResponse()
    expect(strong.response.headers.get('x-tokenhub-model')).toBe('strong-gpt')
  })

  it('respects a per-request budget and refuses a bad policy', async () => {
    const bounded = await client.chat.completions
      .create({model: '*', messages: [{role: 'user', content: 'hi'}], ...{tokenhub: {mode: 'high_confidence', max_budget_usd: 0.001}}})
      .withResponse()
    expect(bounded.response.headers.get('x-tokenhub-model')).toBe('cheap-gpt')
    await expect(client.chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'hi'}], ...{tokenhub: {mode: 'warp'}}})).rejects.toMatchObject({status: 400})
  })
})

describe('other OpenAI endpoints', () => {
  it('embeddings, float and base64', async () => {
    await fx.addModel({id: 'embed-small', provider_id: 'oa', upstream_model: 'text-embedding-3-small', input_per_1k: 0.00002, output_per_1k: 0})
    const floats = await client.embeddings.create({model: 'embed-small', input: ['a', 'b'], encoding_format: 'float'})
    expect(floats.data).toHaveLength(2)
    expect(floats.data[0].embedding[0]).toBeCloseTo(0.1)
    const base64 = await client.embeddings.create({model: 'embed-small', input: 'a'})
    expect(base64.data[0].embedding[0]).toBeCloseTo(0.1)
    expect(fx.openai.requests.at(-1)!.json.model).toBe('text-embedding-3-small')
  })

  it('a batch of embeddings inputs is held to the context per input, not in sum; one input too long is refused', async () => {
    await fx.addModel({id: 'embed-8k', provider_id: 'oa', upstream_model: 'embed-batch-upstream', kind: 'embedding', max_context_tokens: 8191, input_per_1k: 0.00002, output_per_1k: 0})
    fx.openai.behave('embed-batch-upstream', {usage: {input: 11_730, output: 0}})
    const sentence = 'The quick brown fox jumps over the lazy dog near the riverbank at dawn while birds sing. '
    const batch = Array.from({length: 200}, (_, i) => `${i}: ${sentence.repeat(3)}`)
    const answer = await client.embeddings.create({model: 'embed-8k', input: batch, encoding_format: 'float'})
    expect(answer.data).toHaveLength(200)
    const log = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    expect(log.status_code).toBe(200)
    // Billed what the upstream counted for the whole batch, beyond one context's worth.
    expect(log.input_tokens).toBeGreaterThan(8191)
    const tooLong = await client.embeddings.create({model: 'embed-8k', input: ['short', sentence.repeat(600)]}).catch((e) => e)
    expect(tooLong.status).toBe(400)
    expect(tooLong.message).toMatch(/context/)
  })

  it('embeddings bill no output: an answer without usage is its input estimate, a reported 0 input is not believed', async () => {
    await fx.addModel({id: 'embed-quiet', provider_id: 'oa', upstream_model: 'embed-quiet-upstream', kind: 'embedding', input_per_1k: 0.1, output_per_1k: 1})
    const answer = {object: 'list', data: [{object: 'embedding', index: 0, embedding: [0.1, 0.2]}], model: 'embed-quiet-upstream'}
    fx.openai.behave('embed-quiet-upstream', {status: 200, body: JSON.stringify(answer), times: 1})
    await client.embeddings.create({model: 'embed-quiet', input: 'a sentence of several words to embed', encoding_format: 'float'})
    const silent = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    expect(silent).toMatchObject({model_id: 'embed-quiet', status_code: 200, output_tokens: 0})
    expect(silent.input_tokens).toBeGreaterThan(0)
    expect(silent.cost_usd).toBeCloseTo((silent.input_tokens / 1000) * 0.1, 10)
    fx.openai.behave('embed-quiet-upstream', {status: 200, body: JSON.stringify({...answer, usage: {prompt_tokens: 0, total_tokens: 0}}), times: 1})
    await client.embeddings.create({model: 'embed-quiet', input: 'a sentence of several words to embed', encoding_format: 'float'})
    const zero = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    expect(zero).toMatchObject({usage_source: 'upstream', usage_flagged: true, input_tokens: silent.input_tokens, output_tokens: 0})
    expect(zero.cost_usd).toBeGreaterThan(0)
  })

  it('embeddings in base64 from a vLLM-type upstream that only answers floats: the gateway encodes them', async () => {
    const created = await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'local', type: 'vllm', base_url: fx.openai.url, api_key: OPENAI_KEY})
    expect(created.status).toBe(201)
    await fx.addModel({id: 'embed-local', provider_id: 'local', upstream_model: 'bge-small', kind: 'embedding', input_per_1k: 0, output_per_1k: 0})
    // The SDK asks for base64 by default and decodes it.
    const decoded = await client.embeddings.create({model: 'embed-local', input: ['a', 'b']})
    expect(fx.openai.requests.at(-1)!.json.encoding_format).toBe('float')
    expect(decoded.data[1].embedding).toHaveLength(3)
    expect(decoded.data[1].embedding[0]).toBeCloseTo(0.2)
    expect(decoded.data[1].embedding[2]).toBeCloseTo(-0.3)
    // Raw: what api.openai.com would send, little-endian float32 in base64.
    const raw = await fetch(`${fx.daemon.url}/v1/embeddings`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'embed-local', input: 'a', encoding_format: 'base64'}),
    }).then((r) => r.json())
    expect(raw.data[0].embedding).toBe(Buffer.from(new Float32Array([0.1, 0.2, -0.3]).buffer).toString('base64'))
    const floats = await client.embeddings.create({model: 'embed-local', input: 'a', encoding_format: 'float'})
    expect(floats.data[0].embedding[0]).toBeCloseTo(0.1)
  })

  it('refuses embeddings on a chat model with a 400 the SDK does not retry', async () => {
    const refused = await client.embeddings.create({model: 'claude', input: 'x'}).catch((error: unknown) => error)
    expect(refused).toMatchObject({status: 400, code: 'VALIDATION', type: 'invalid_request_error'})
    expect((refused as Error).message).toMatch(/model "claude" cannot serve this endpoint/)
  })

  it('legacy completions', async () => {
    const result = await client.completions.create({model: 'cheap-gpt', prompt: 'Say'})
    expect(result.choices[0].text).toBe(' completed: Say')
  })

  it('lists the models and aliases the key may see', async () => {
    await fx.daemon.admin('PUT', '/admin/v1/aliases/gpt-4', {variants: [{model_id: 'strong-gpt', weight: 1}]})
    const ids = (await client.models.list()).data.map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining(['cheap-gpt', 'strong-gpt', 'claude', 'gpt-4']))
    await fx.daemon.admin('PUT', '/admin/v1/aliases/gpt-mini', {variants: [{model_id: 'cheap-gpt', weight: 1}]})
    // An alias shows only to keys that may use one of its models.
    const limited = await fx.newKey({allowed_models: ['cheap-gpt']})
    const limitedClient = new OpenAI({apiKey: limited.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    expect((await limitedClient.models.list()).data.map((m) => m.id)).toEqual(['cheap-gpt', 'gpt-mini'])
    // Scopes too: an embeddings-only key lists embedding models only, a chat-only key none of them.
    await fx.addModel({id: 'embed-listed', provider_id: 'oa', kind: 'embedding', input_per_1k: 0.00002, output_per_1k: 0})
    const embedder = await fx.newKey({scopes: ['embeddings']})
    const embedIds = (await new OpenAI({apiKey: embedder.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).models.list()).data.map((m) => m.id)
    expect(embedIds).toContain('embed-listed')
    expect(embedIds).not.toContain('cheap-gpt')
    expect(embedIds).not.toContain('gpt-4')
    const chatter = await fx.newKey({scopes: ['chat']})
    expect((await new OpenAI({apiKey: chatter.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).models.list()).data.map((m) => m.id)).not.toContain('embed-listed')

    expect(await client.models.retrieve('gpt-4')).toMatchObject({id: 'gpt-4', object: 'model', owned_by: 'tokenhub-alias'})
    expect(await limitedClient.models.retrieve('cheap-gpt')).toMatchObject({id: 'cheap-gpt', object: 'model', owned_by: 'oa'})
    const hidden = await limitedClient.models.retrieve('gpt-4').catch((e) => e)
    expect(hidden).toBeInstanceOf(OpenAI.NotFoundError)
    expect(hidden.error).toMatchObject({code: 'NOT_FOUND', type: 'invalid_request_error'})
    // Ids with slashes are whole ids, percent-encoded or not.
    await fx.addModel({id: 'org/model-x', provider_id: 'oa', weight: 1})
    expect(await client.models.retrieve('org/model-x')).toMatchObject({id: 'org/model-x'})
    const encoded = await fetch(`${fx.daemon.url}/v1/models/org%2Fmodel-x`, {headers: {authorization: `Bearer ${fx.key}`}})
    expect((await encoded.json()).id).toBe('org/model-x')
    const anthropicShape = await fetch(`${fx.daemon.url}/v1/models/cheap-gpt`, {headers: {'x-api-key': fx.key, 'anthropic-version': '2023-06-01'}})
    expect(await anthropicShape.json()).toMatchObject({type: 'model', id: 'cheap-gpt', display_name: 'cheap-gpt'})
    const noKey = await fetch(`${fx.daemon.url}/v1/models/cheap-gpt`)
    expect(noKey.status).toBe(401)
  })

  it('names the gateway\'s model id, not the upstream\'s, in passed-through answers and streams', async () => {
    await fx.addModel({id: 'renamed-gpt', provider_id: 'oa', upstream_model: 'gpt-4o-2024-08-06', weight: 0, input_per_1k: 0.001, output_per_1k: 0.002})
    const answer = await client.chat.completions.create({model: 'renamed-gpt', messages: [{role: 'user', content: 'hi'}]})
    expect(answer.model).toBe('renamed-gpt')
    expect(fx.openai.requests.at(-1)?.json.model).toBe('gpt-4o-2024-08-06')
    const stream = await client.chat.completions.create({model: 'renamed-gpt', stream: true, messages: [{role: 'user', content: 'one two'}]})
    const models = new Set<string>()
    for await (const chunk of stream) models.add(chunk.model)
    expect([...models]).toEqual(['renamed-gpt'])
  })

  it('checks the API key before the body: no key or a wrong one is 401 whatever was sent, and is recorded', async () => {
    const post = (path: string, headers: Record<string, string>, body: string) => fetch(`${fx.daemon.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body})
    for (const [path, body] of [
      ['/v1/chat/completions', '{"model":"cheap-gpt"}'],
      ['/v1/chat/completions', '{not json'],
      ['/v1/embeddings', '{}'],
      ['/v1/responses', '[]'],
      ['/v1/chat', '{}'],
      ['/v1/completions', ''],
    ]) {
      for (const headers of [{}, {authorization: 'Bearer th-wrong-key'}, {authorization: 'Basic abc'}] as Array<Record<string, string>>) {
        const response = await post(path, headers, body)
        expect(response.status, `${path} ${body} ${JSON.stringify(headers)}`).toBe(401)
        expect((await response.json()).error.code).toBe('AUTH_INVALID')
      }
    }
    const anthropic = await post('/v1/messages', {'x-api-key': 'th-wrong', 'anthropic-version': '2023-06-01'}, '{"model":"claude"}')
    expect(anthropic.status).toBe(401)
    expect(await anthropic.json()).toMatchObject({type: 'error', error: {type: 'authentication_error'}})
    expect((await post('/v1/messages/count_tokens', {'x-api-key': 'th-wrong'}, '{}')).status).toBe(401)
    // The SDK raises its typed error, not a BadRequestError.
    const badKey = new OpenAI({apiKey: 'th-wrong', baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    expect(await badKey.chat.completions.create({model: 'cheap-gpt', messages: []}).catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError)
    // With a valid key the body is checked as before.
    const invalid = await post('/v1/chat/completions', {authorization: `Bearer ${fx.key}`}, '{"model":"cheap-gpt"}')
    expect(invalid.status).toBe(400)
    const badLimit = await client.chat.completions.create({model: 'cheap-gpt', max_tokens: -1, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(badLimit).toBeInstanceOf(OpenAI.BadRequestError)
    expect(badLimit.message).toContain('max_tokens: must be a whole number of at least 1')
    const logs = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=3')).body.logs
    expect(logs.some((l: {status_code: number; error_class: string}) => l.status_code === 401 && l.error_class === 'AUTH_INVALID')).toBe(true)
  })

  it('answers an unknown /v1 route with a 404 the SDKs can read', async () => {
    const openai = await fetch(`${fx.daemon.url}/v1/nonexistent`, {method: 'POST', headers: {authorization: `Bearer ${fx.key}`}})
    expect(openai.status).toBe(404)
    expect((await openai.json()).error).toMatchObject({code: 'NOT_FOUND', type: 'invalid_request_error', message: 'no route for POST /v1/nonexistent'})
    const anthropic = await fetch(`${fx.daemon.url}/v1/messages/batches`, {method: 'POST', headers: {'x-api-key': fx.key, 'anthropic-version': '2023-06-01'}})
    expect(anthropic.status).toBe(404)
    expect(await anthropic.json()).toMatchObject({type: 'error', error: {type: 'not_found_error', code: 'NOT_FOUND'}})
  })

  it('serves the TokenHub /v1/chat envelope', async () => {
    const response = await fetch(`${fx.daemon.url}/v1/chat`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({request: {messages: [{role: 'user', content: 'envelope'}], parameters: {temperature: 0.2}}, policy: {mode: 'cheap'}}),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-negotiated-model')).toBe('cheap-gpt')
    const body = await response.json()
    expect(body).toMatchObject({negotiated_model: 'cheap-gpt', routing_reason: expect.stringContaining('mode=cheap')})
    expect(body.response.choices[0].message.content).toBe('echo: envelope')
    expect(body.estimated_cost_usd).toBeGreaterThan(0)
    expect(fx.openai.requests.at(-1)!.json.temperature).toBe(0.2)
  })

  it('a /v1/chat model_hint may name an alias; the routing reason is about the model tried first', async () => {
    await fx.daemon.admin('PUT', '/admin/v1/aliases/hint-strong', {variants: [{model_id: 'strong-gpt', weight: 1}]})
    const chat = async (hint: string) => {
      const response = await fetch(`${fx.daemon.url}/v1/chat`, {
        method: 'POST',
        headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
        body: JSON.stringify({request: {messages: [{role: 'user', content: 'hinted'}], model_hint: hint}, policy: {mode: 'cheap'}}),
      })
      return response.json()
    }
    const byAlias = await chat('hint-strong')
    expect(byAlias.negotiated_model).toBe('strong-gpt')
    expect(byAlias.routing_reason).toMatch(/^hint hint-strong; mode=cheap score=/)
    // The score quoted is strong-gpt's, as simulate shows it, not the cheapest model's.
    const simulated = (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {mode: 'cheap', model_hint: 'hint-strong'})).body
    expect(simulated.chosen).toBe('strong-gpt')
    const strong = simulated.candidates.find((c: {model_id: string}) => c.model_id === 'strong-gpt')
    expect(byAlias.routing_reason).toContain(`score=${strong.score.toFixed(4)}`)
  })

  it('simulate takes the request\'s model: a named model alone, an alias\'s variants, the gateway\'s 404 for an unknown name', async () => {
    const named = (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'strong-gpt'})).body
    expect(named.chosen).toBe('strong-gpt')
    expect(named.candidates.map((c: {model_id: string}) => c.model_id)).toEqual(['strong-gpt'])
    await fx.daemon.admin('PUT', '/admin/v1/aliases/sim-pair', {variants: [{model_id: 'cheap-gpt', weight: 1}, {model_id: 'strong-gpt', weight: 0}]})
    const aliased = (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'sim-pair', mode: 'high_confidence'})).body
    expect(aliased).toMatchObject({chosen: 'cheap-gpt', alias_from: 'sim-pair'})
    expect(aliased.candidates.map((c: {model_id: string; rank: number}) => [c.model_id, c.rank])).toEqual([
      ['cheap-gpt', 1],
      ['strong-gpt', 2],
    ])
    // A round-robin alias: simulate shows the variant the next request gets.
    await fx.daemon.admin('PUT', '/admin/v1/aliases/rr-pair', {variants: [{model_id: 'cheap-gpt', weight: 1}, {model_id: 'strong-gpt', weight: 1}], sticky_by: 'round_robin'})
    for (let i = 0; i < 3; i++) {
      const predicted = (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'rr-pair'})).body.chosen
      const served = await new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'rr-pair', messages: [{role: 'user', content: 'x'}]}).withResponse()
      expect(served.response.headers.get('x-tokenhub-model')).toBe(predicted)
    }
    const unknown = await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {model: 'gpt-99'})
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toContain('"gpt-99" is not registered')
  })
})

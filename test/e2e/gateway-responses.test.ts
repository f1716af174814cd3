import OpenAI from 'openai'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startFakeUpstream, type FakeUpstream} from '../helpers/fake-upstream.js'
import {startTestDaemon} from '../helpers/daemon.js'
import {startGatewayFixture, VAULT_PASSWORD, type GatewayFixture} from '../helpers/gateway-fixture.js'

let fx: GatewayFixture
let local: FakeUpstream
let client: OpenAI

const shellTool = {type: 'function' as const, name: 'shell', description: 'Run a command', parameters: {type: 'object', properties: {query: {type: 'string'}}, required: ['query']}, strict: false}

beforeAll(async () => {
  ;[fx, local] = await Promise.all([startGatewayFixture(), startFakeUpstream()])
  client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
  // A local OpenAI-compatible server (vLLM type): chat completions only, so Responses is translated.
  await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'local', type: 'vllm', base_url: local.url})
  await fx.addModel({id: 'local-coder', provider_id: 'local', upstream_model: 'qwen-coder', weight: 3, input_per_1k: 0, output_per_1k: 0})
})
afterAll(async () => {
  await fx?.close()
  await local?.close()
})
beforeEach(() => {
  fx.openai.reset()
  fx.anthropic.reset()
  local.reset()
})

describe('POST /v1/responses with the openai SDK', () => {
  it('forwards to an OpenAI upstream as is, non-stream and stream', async () => {
    const response = await client.responses.create({model: 'strong-gpt', input: 'hello responses', store: false, metadata: {run: '1'}})
    expect(response.output_text).toBe('echo: hello responses')
    expect(response.usage).toMatchObject({input_tokens: 13, output_tokens: 3})
    const sent = fx.openai.requests.at(-1)!
    expect(sent.path).toBe('/v1/responses')
    expect(sent.json).toMatchObject({model: 'gpt-4o', input: 'hello responses', store: false, metadata: {run: '1'}})

    const stream = await client.responses.create({model: 'strong-gpt', input: 'stream it', stream: true})
    const types: string[] = []
    let text = ''
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'response.output_text.delta') text += event.delta
    }
    expect(text).toBe('echo: stream it')
    expect(types[0]).toBe('response.created')
    expect(types.at(-1)).toBe('response.completed')
    const log = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
    expect(log).toMatchObject({endpoint: '/v1/responses', model_id: 'strong-gpt', stream: true, input_tokens: 13, usage_source: 'upstream'})
  })

  it('translates for an Anthropic model: answer, typed event stream and a tool round trip', async () => {
    const answer = await client.responses.create({model: 'claude', instructions: 'Be brief.', input: [{role: 'user', content: 'bonjour'}], max_output_tokens: 200})
    expect(answer.output_text).toBe('echo: bonjour')
    expect(answer.status).toBe('completed')
    expect(answer.usage).toMatchObject({input_tokens: 12, output_tokens: 2})
    expect(fx.anthropic.requests.at(-1)!.json).toMatchObject({model: 'claude-sonnet-4-5', system: 'Be brief.', max_tokens: 200})

    const stream = client.responses.stream({model: 'claude', input: 'Lisbon', tools: [shellTool]})
    const types = new Set<string>()
    stream.on('event', (event) => types.add(event.type))
    const first = await stream.finalResponse()
    const call = first.output.find((item) => item.type === 'function_call')
    expect(call).toMatchObject({type: 'function_call', name: 'shell'})
    expect(JSON.parse((call as {arguments: string}).arguments)).toEqual({query: 'Lisbon'})
    expect([...types]).toEqual(expect.arrayContaining(['response.created', 'response.output_item.added', 'response.function_call_arguments.delta', 'response.completed']))

    const second = await client.responses.create({
      model: 'claude',
      tools: [shellTool],
      input: [
        {role: 'user', content: 'Lisbon'},
        {type: 'function_call', call_id: (call as {call_id: string}).call_id, name: 'shell', arguments: (call as {arguments: string}).arguments},
        {type: 'function_call_output', call_id: (call as {call_id: string}).call_id, output: 'sunny'},
      ],
    })
    expect(second.output_text).toBe('tool said: sunny')
    const sent = fx.anthropic.requests.at(-1)!.json
    expect(sent.messages.at(-1).content[0]).toMatchObject({type: 'tool_result', content: 'sunny'})
  })

  it('translates for an OpenAI-compatible server without the Responses API (vLLM)', async () => {
    const stream = client.responses.stream({model: 'local-coder', input: [{role: 'developer', content: 'You code.'}, {role: 'user', content: 'write'}]})
    const final = await stream.finalResponse()
    expect(final.output_text).toBe('echo: write')
    const sent = local.requests.at(-1)!
    expect(sent.path).toBe('/v1/chat/completions')
    expect(sent.json.messages[0]).toEqual({role: 'system', content: 'You code.'})
    expect(sent.json.stream_options).toEqual({include_usage: true})
  })

  it('leaves out an offered hosted tool for a translated upstream, and says so in x-tokenhub-dropped', async () => {
    const {data, response} = await client.responses
      .create({model: 'claude', input: 'hello', tools: [{type: 'web_search'}, {type: 'function', name: 'lookup', parameters: {type: 'object', properties: {}}}], metadata: {'odd\u00e9key': 'x'}} as never)
      .withResponse()
    expect(data.status).toBe('completed')
    expect(response.headers.get('x-tokenhub-dropped')).toContain('tools[0] (web_search)')
    expect(response.headers.get('x-tokenhub-dropped')).toMatch(/^[\x20-\x7e]+$/)
    const sent = fx.anthropic.requests.at(-1)!.json
    expect(sent.tools.map((t: {name: string}) => t.name)).toEqual(['lookup'])
    // A stream: the usage request the Chat step adds is its own, not a field the client lost.
    const streamed = await fetch(`${fx.daemon.url}/v1/responses`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'claude', input: 'hello', stream: true}),
    })
    await streamed.text()
    expect(streamed.headers.get('x-tokenhub-dropped') ?? '').not.toContain('stream_options')
  })

  it('routes a request that leans on stored state only to Responses-API upstreams, and refuses background everywhere', async () => {
    const alias = await fx.daemon.admin('PUT', '/admin/v1/aliases/mixed-team', {variants: [{model_id: 'strong-gpt', weight: 1}, {model_id: 'claude', weight: 1}, {model_id: 'local-coder', weight: 1}]})
    expect(alias.status).toBeLessThan(300)
    for (let i = 0; i < 8; i++) {
      const response = await client.responses.create({model: 'mixed-team', input: 'more', previous_response_id: 'resp_123'})
      expect(response.status).toBe('completed')
    }
    expect(fx.openai.requests.map((r) => r.json.previous_response_id)).toEqual(Array(8).fill('resp_123'))
    expect(fx.anthropic.requests).toHaveLength(0)
    expect(local.requests).toHaveLength(0)
    const auto = await client.responses.create({model: 'auto', input: 'more', previous_response_id: 'resp_123'})
    expect(auto.status).toBe('completed')
    expect(fx.openai.requests).toHaveLength(9)
    const background = await client.responses.create({model: 'strong-gpt', input: 'later', background: true}).catch((e) => e)
    expect(background.status).toBe(400)
    expect(background.message).toContain('background is not supported')
    expect(fx.openai.requests).toHaveLength(9)
  })

  it('relays what OpenAI stored: retrieve, input items, delete, cancel, with the key\'s limits', async () => {
    const created = await client.responses.create({model: 'strong-gpt', input: 'remember me'})
    const logCount = async () => (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1000')).body.logs.length
    const loggedBefore = await logCount()
    const read = await client.responses.retrieve(created.id).withResponse()
    expect(read.data).toMatchObject({id: created.id, object: 'response', status: 'completed'})
    expect(read.data.output_text).toBe('echo: remember me')
    expect(read.response.headers.get('x-tokenhub-provider')).toBe('oa')
    expect(fx.openai.requests.at(-1)).toMatchObject({method: 'GET', path: `/v1/responses/${created.id}`})
    // The operator's provider key goes upstream; the client's gateway key does not.
    expect(fx.openai.requests.at(-1)!.headers.authorization).not.toContain(fx.key)

    const items = await client.responses.inputItems.list(created.id, {limit: 5, order: 'asc'})
    expect(items.data[0]).toMatchObject({type: 'message', role: 'user'})
    expect(fx.openai.requests.at(-1)!.path).toBe(`/v1/responses/${created.id}/input_items?limit=5&order=asc`)

    // Cancel is only for background responses: the upstream's 400 comes back as is.
    const cancel = await client.responses.cancel(created.id).catch((e) => e)
    expect(cancel).toBeInstanceOf(OpenAI.BadRequestError)
    expect(cancel.message).toContain('background')

    await client.responses.delete(created.id)
    const gone = await client.responses.retrieve(created.id).catch((e) => e)
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError)
    expect(gone.message).toContain(created.id)
    // Reading is not a request to account: nothing was logged or billed for the four calls.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await logCount()).toBe(loggedBefore)
  })

  it('refuses stored-response calls without a key, with a key that may not use OpenAI, and odd paths', async () => {
    const created = await client.responses.create({model: 'strong-gpt', input: 'mine'})
    const anonymous = await fetch(`${fx.daemon.url}/v1/responses/${created.id}`)
    expect(anonymous.status).toBe(401)
    const wrong = new OpenAI({apiKey: 'th-wrong', baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    expect((await wrong.responses.retrieve(created.id).catch((e) => e)).status).toBe(401)
    const {key: claudeOnly} = await fx.newKey({allowed_models: ['claude']})
    const limited = new OpenAI({apiKey: claudeOnly, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const refused = await limited.responses.retrieve(created.id).catch((e) => e)
    expect(refused.status).toBe(404)
    expect(refused.message).toContain(`response "${created.id}" not found`)
    const {key: embedOnly} = await fx.newKey({scopes: ['embeddings']})
    const noChat = await fetch(`${fx.daemon.url}/v1/responses/${created.id}`, {headers: {authorization: `Bearer ${embedOnly}`}})
    expect(noChat.status).toBe(403)
    const auth = {authorization: `Bearer ${fx.key}`}
    expect((await fetch(`${fx.daemon.url}/v1/responses/${created.id}/nothing`, {headers: auth})).status).toBe(404)
    expect((await fetch(`${fx.daemon.url}/v1/responses/${created.id}/cancel`, {headers: auth})).status).toBe(404)
    expect((await fetch(`${fx.daemon.url}/v1/responses/bad%ZZ`, {headers: auth})).status).toBe(400)
    for (const query of ['stream=true', 'stream=1', 'stream=True', 'stream=false&stream=true']) {
      const streamed = await fetch(`${fx.daemon.url}/v1/responses/${created.id}?${query}`, {headers: auth})
      expect(streamed.status, query).toBe(400)
      expect((await streamed.json()).error.param).toBe('stream')
    }
    // Only the calls' own parameters go upstream, re-encoded.
    fx.openai.reset()
    expect((await fetch(`${fx.daemon.url}/v1/responses/${created.id}/input_items?limit=2&evil=%2F..&order=desc`, {headers: auth})).status).toBe(200)
    expect(fx.openai.requests.at(-1)!.path).toBe(`/v1/responses/${created.id}/input_items?limit=2&order=desc`)
    // The operator's key refused upstream is a 502 naming the provider, not a 401 about the client's key.
    await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'oa-badkey', type: 'openai', base_url: fx.openai.url, api_key: 'sk-wrong-key'})
    const {key: badKeyOnly} = await fx.newKey({allowed_providers: ['oa-badkey']})
    // (An id the daemon did not see made, so any key with access to the provider may ask for it.)
    const refusedUpstream = await fetch(`${fx.daemon.url}/v1/responses/resp_made_elsewhere`, {headers: {authorization: `Bearer ${badKeyOnly}`}})
    expect(refusedUpstream.status).toBe(502)
    const refusedBody = await refusedUpstream.text()
    expect(refusedBody).toContain("provider oa-badkey refused the gateway's credentials")
    expect(refusedBody).not.toContain('sk-wrong-key')
    await fx.daemon.admin('DELETE', '/admin/v1/providers/oa-badkey')
    // Each read counts against the key's requests per minute (its create was the first of two).
    const {key: slow} = await fx.newKey({rate_limit_rpm: 2})
    const once = new OpenAI({apiKey: slow, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const own = await once.responses.create({model: 'strong-gpt', input: 'mine too'})
    expect((await once.responses.retrieve(own.id)).id).toBe(own.id)
    expect((await once.responses.retrieve(own.id).catch((e) => e)).status).toBe(429)
    // Still readable by a key that may use it: nothing above changed it.
    expect((await client.responses.retrieve(created.id)).id).toBe(created.id)
  })

  it('a stored response made through the gateway is its key\'s (or its project\'s): others get the 404 of an unknown id', async () => {
    const {key: alice} = await fx.newKey({project: 'team-a'})
    const {key: alicesColleague} = await fx.newKey({project: 'team-a'})
    const {key: mallory} = await fx.newKey({project: 'team-b'})
    const as = (key: string) => new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const created = await as(alice).responses.create({model: 'strong-gpt', input: 'private'})
    const streamed = as(alice).responses.stream({model: 'strong-gpt', input: 'private stream'})
    const finished = await streamed.finalResponse()
    for (const id of [created.id, finished.id]) {
      fx.openai.reset()
      const stranger = await as(mallory).responses.retrieve(id).catch((e) => e)
      expect(stranger.status).toBe(404)
      expect((await as(mallory).responses.delete(id).catch((e) => e)).status).toBe(404)
      expect(await as(mallory).responses.inputItems.list(id).catch((e) => e.status)).toBe(404)
      // Refused before any upstream call.
      expect(fx.openai.requests).toHaveLength(0)
      expect((await as(alicesColleague).responses.retrieve(id)).id).toBe(id)
    }
    // Still hers after a restart: the owners are in the journal.
    expect(await fx.daemon.stop()).toBe(0)
    fx.daemon = await startTestDaemon({dataDir: fx.daemon.dataDir, env: {TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD}})
    client = as(fx.key)
    fx.openai.reset()
    expect((await as(mallory).responses.retrieve(created.id).catch((e) => e)).status).toBe(404)
    expect(fx.openai.requests).toHaveLength(0)
    expect((await as(alicesColleague).responses.retrieve(finished.id)).id).toBe(finished.id)
    await as(alice).responses.delete(created.id)
    expect((await as(alice).responses.retrieve(created.id).catch((e) => e)).status).toBe(404)
  })

  it('refuses what a translated upstream cannot honour with a clear 400', async () => {
    const previous = await client.responses.create({model: 'claude', input: 'more', previous_response_id: 'resp_123'}).catch((e) => e)
    expect(previous.status).toBe(400)
    expect(previous.message).toContain('previous_response_id')
    const forced = await client.responses.create({model: 'claude', input: 'search', tools: [{type: 'web_search'}], tool_choice: {type: 'web_search'}} as never).catch((e) => e)
    expect(forced.status).toBe(400)
    expect(forced.message).toContain('forces a "web_search" tool')
    expect(forced.error).toMatchObject({type: 'invalid_request_error', param: 'tool_choice', tool_type: 'web_search'})
    const clientRun = await client.responses.create({model: 'claude', input: 'patch it', tools: [{type: 'custom', name: 'apply_patch'}]} as never).catch((e) => e)
    expect(clientRun.status).toBe(400)
    expect(clientRun.message).toContain('tools[0] is a "custom" tool')
    expect(fx.anthropic.requests).toHaveLength(0)
    const noInput = await client.responses.create({model: 'claude'} as never).catch((e) => e)
    expect(noInput.status).toBe(400)
    expect(noInput.error).toMatchObject({param: 'input', message: 'input: must be a string or a non-empty array of items'})
  })
})

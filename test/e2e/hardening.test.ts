import {mkdir, rename, rmdir} from 'node:fs/promises'
import {connect} from 'node:net'
import {join} from 'node:path'
import {rawRequest} from '../helpers/http.js'
import OpenAI from 'openai'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {startFakeUpstream, type FakeUpstream} from '../helpers/fake-upstream.js'
import {OPENAI_KEY, startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

let fx: GatewayFixture
let bystander: FakeUpstream
let client: OpenAI

beforeAll(async () => {
  ;[fx, bystander] = await Promise.all([
    startGatewayFixture({
      env: {
        TOKENHUB_STREAM_IDLE_TIMEOUT_SECS: '1',
        TOKENHUB_PROVIDER_TIMEOUT_SECS: '2',
        TOKENHUB_REQUEST_DEADLINE_SECS: '3',
        // Below uWS's 4 KiB limit for a request head that arrives in pieces (see the test below), so
        // the 431 and 414 come from TokenHub however the kernel splits the bytes.
        TOKENHUB_MAX_HEADER_BYTES: '2048',
        TOKENHUB_MAX_URL_BYTES: '1024',
      },
    }),
    startFakeUpstream(),
  ])
  client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
  for (const id of ['stalls', 'awkward-bytes', 'redirects', 'quotes-key', 'nonsense-usage', 'slow-a', 'slow-b', 'no-usage']) await fx.addModel({id, provider_id: 'oa', weight: 5})
  await fx.addModel({id: 'long-context', provider_id: 'oa', weight: 1, max_context_tokens: 2_000_000})
  await fx.addModel({id: 'budgeted', provider_id: 'oa', weight: 1, input_per_1k: 0.001, output_per_1k: 0.001})
  await fx.addModel({id: 'cheap-silent', provider_id: 'oa', weight: 1, input_per_1k: 0.001, output_per_1k: 0.002})
  await fx.addModel({id: 'dear-spare', provider_id: 'oa', weight: 1, input_per_1k: 1, output_per_1k: 2})
  await fx.daemon.admin('POST', '/admin/v1/models', {id: 'no-price', provider_id: 'oa'})
})
afterAll(async () => {
  await fx?.close()
  await bystander?.close()
})
beforeEach(() => {
  fx.openai.reset()
})

const lastLog = async () => (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]

function raw(path: string, headers: Record<string, string>, body?: string): Promise<{status: number; body: string}> {
  return rawRequest(`${fx.daemon.url}${path}`, body === undefined ? 'GET' : 'POST', headers, body)
}

describe('hostile requests', () => {
  it('answers oversized headers and URLs with 431 and 414 in the endpoint dialect, and keeps serving', async () => {
    const bigHeader = await raw('/v1/models', {authorization: `Bearer ${fx.key}`, 'x-junk': 'a'.repeat(3000)})
    expect(bigHeader.status).toBe(431)
    expect(JSON.parse(bigHeader.body).error.code).toBe('HEADERS_TOO_LARGE')
    const bigUrl = await raw(`/v1/models?${'q='.padEnd(2000, 'x')}`, {authorization: `Bearer ${fx.key}`})
    expect(bigUrl.status).toBe(414)
    const adminUrl = await raw(`/admin/v1/info?${'q='.padEnd(2000, 'x')}`, {authorization: `Bearer ${fx.daemon.adminToken}`})
    expect(adminUrl.status).toBe(414)
    expect(JSON.parse(adminUrl.body).error.code).toBe('URI_TOO_LONG')
    const anthropicHeader = await raw('/v1/messages', {'x-api-key': fx.key, 'content-type': 'application/json', 'x-junk': 'a'.repeat(3000)}, '{}')
    expect(anthropicHeader.status).toBe(431)
    expect(JSON.parse(anthropicHeader.body).type).toBe('error')
    expect((await fetch(`${fx.daemon.url}/healthz`)).status).toBe(200)
  })

  it('a request head over 4 KiB that arrives in pieces is cut off without an answer (uWS 20.30; README, Limits)', async () => {
    // What a real network does to a large head: segments of ~1,448 bytes. uWS 20.30 keeps at most
    // 4 KiB of a head that is still incomplete and closes the connection past that; no route runs.
    const send = async (junk: number) => {
      const url = new URL(fx.daemon.url)
      const socket = connect(Number(url.port), url.hostname)
      socket.setNoDelay(true)
      let answer = ''
      socket.on('data', (d) => (answer += d.toString()))
      socket.on('error', () => {})
      const closed = new Promise((resolve) => socket.once('close', resolve))
      await new Promise((resolve) => socket.once('connect', resolve))
      const head = Buffer.from(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-junk: ${'a'.repeat(junk)}\r\n\r\n`)
      for (let i = 0; i < head.length; i += 1448) {
        socket.write(head.subarray(i, i + 1448))
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
      socket.end()
      await closed
      return answer
    }
    // Under 4 KiB the head is read whole and TokenHub answers (here with its own 431: this fixture allows 2 KiB).
    expect(await send(3500)).toMatch(/^HTTP\/1.1 431/)
    expect(await send(5000)).toBe('')
    expect((await fetch(`${fx.daemon.url}/healthz`)).status).toBe(200)
  })

  it('refuses structurally wrong bodies with 400 and the offending path, however deep', async () => {
    const headers = {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'}
    const deep = await raw('/v1/chat/completions', headers, `${'['.repeat(200_000)}${']'.repeat(200_000)}`)
    expect(deep.status).toBe(400)
    const many = await raw('/v1/chat/completions', headers, JSON.stringify({model: 'cheap-gpt', messages: Array.from({length: 50_000}, () => 7)}))
    expect(many.status).toBe(400)
    expect(JSON.parse(many.body).error.message).toContain('messages[0]')
    const notArray = await raw('/v1/messages', {...headers, 'x-api-key': fx.key}, JSON.stringify({model: 'claude', max_tokens: 5, messages: {role: 'user'}}))
    expect(notArray.status).toBe(400)
    expect(JSON.parse(notArray.body)).toMatchObject({type: 'error', error: {type: 'invalid_request_error'}})
  })

  it('serves a multi-megabyte prompt and a chunked request body', async () => {
    const long = 'lorem ipsum dolor sit amet '.repeat(120_000) // ~3 MB
    const big = await client.chat.completions.create({model: 'long-context', messages: [{role: 'user', content: `${long}end`}]})
    expect(big.choices[0].message.content).toContain('end')
    const chunked = await raw('/v1/chat/completions', {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked'}, JSON.stringify({model: 'cheap-gpt', messages: [{role: 'user', content: 'chunked'}]}))
    expect(chunked.status).toBe(200)
    expect(JSON.parse(chunked.body).choices[0].message.content).toBe('echo: chunked')
  })
})

describe('outbound hygiene', () => {
  it('forwards only the provider credential and allow-listed headers', async () => {
    await client.chat.completions.create(
      {model: 'cheap-gpt', messages: [{role: 'user', content: 'headers'}]},
      {headers: {cookie: 'session=abc', 'proxy-authorization': 'Basic c2VjcmV0', 'x-forwarded-for': '10.0.0.1', 'x-forwarded-host': 'evil.example', 'x-api-key': fx.key, 'openai-organization': 'org-x'}},
    )
    const sent = fx.openai.requests.at(-1)!
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`)
    for (const name of ['cookie', 'proxy-authorization', 'x-forwarded-for', 'x-forwarded-host', 'x-api-key', 'openai-organization']) expect(sent.headers[name], name).toBeUndefined()
    expect(JSON.stringify(sent.headers)).not.toContain(fx.key)
  })

  it('never lets the body pick the host: api_base and base_url are just data', async () => {
    await client.chat.completions.create({model: 'cheap-gpt', messages: [{role: 'user', content: 'where'}], ...{api_base: bystander.url, base_url: bystander.url, api_key: 'sk-attacker'}})
    expect(bystander.requests).toHaveLength(0)
    expect(fx.openai.requests.at(-1)!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`)
  })

  it('does not follow upstream redirects', async () => {
    fx.openai.behave('redirects', {status: 307, headers: {location: bystander.url}})
    const error = await client.chat.completions.create({model: 'redirects', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error.status).toBe(502)
    expect(error.message).toContain('redirect')
    expect(bystander.requests).toHaveLength(0)
  })

  it('scrubs keys the upstream quotes in an error body passed back to the client', async () => {
    fx.openai.behave('quotes-key', {status: 400, body: JSON.stringify({error: {message: `Bad request for key ${OPENAI_KEY}: sk-proj-LEAKED1234567890`, type: 'invalid_request_error'}})})
    const error = await client.chat.completions.create({model: 'quotes-key', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error.status).toBe(400)
    expect(JSON.stringify(error.error)).not.toContain(OPENAI_KEY)
    expect(JSON.stringify(error.error)).not.toContain('LEAKED')
  })
})

describe('abuse by callers and key holders', () => {
  /** A raw HTTP exchange on one socket: what was received before `wait` ms passed or the socket closed. */
  function rawExchange(head: string, body: string, wait: number): Promise<{text: string; closed: boolean}> {
    return new Promise((resolve) => {
      const socket = connect(fx.daemon.port, '127.0.0.1')
      let text = ''
      let closed = false
      socket.on('data', (d) => (text += d))
      socket.on('close', () => (closed = true))
      socket.on('error', () => {})
      socket.write(head + body)
      setTimeout(() => {
        socket.destroy()
        resolve({text, closed})
      }, wait)
    })
  }

  it('a client that reads slowly gets every stream event once, in order', async () => {
    const words = Array.from({length: 4000}, (_, i) => `w${i}`).join(' ')
    const body = JSON.stringify({model: 'strong-gpt', stream: true, messages: [{role: 'user', content: words}]})
    const socket = connect(fx.daemon.port, '127.0.0.1')
    let text = ''
    socket.on('data', (d) => (text += d))
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fx.key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
    // Not reading for a while: the gateway's writes meet backpressure.
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.pause()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    socket.resume()
    const deadline = Date.now() + 20_000
    while (!text.includes('[DONE]') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    socket.destroy()
    const echoed = text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? '')
      .join('')
    expect(echoed).toBe(`echo: ${words}`)
  })

  it('JSON nested deeper than 512 levels is a 400 at once, on /v1 and admin routes', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000)
    const started = Date.now()
    const answer = await rawRequest(`${fx.daemon.url}/v1/chat/completions`, 'POST', {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'}, deep)
    expect(answer.status).toBe(400)
    expect(answer.body).toContain('nested deeper than 512 levels')
    expect(Date.now() - started).toBeLessThan(5000)
    const admin = await rawRequest(`${fx.daemon.url}/admin/v1/models`, 'POST', {authorization: `Bearer ${fx.daemon.adminToken}`, 'content-type': 'application/json'}, `{"id":${deep}}`)
    expect(admin.status).toBe(400)
    // A string full of brackets is no nesting.
    const brackets = await client.chat.completions.create({model: 'strong-gpt', messages: [{role: 'user', content: '[{'.repeat(2000) + '\\"[[['}]})
    expect(brackets.choices[0].message.content).toContain('[{[{')
  })

  it('a caller without a key cannot make the gateway buffer a large body: 401 before it is sent', async () => {
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n`
      const {text} = await rawExchange(head, '{"messages": [', 1500)
      expect(text, path).toMatch(/^HTTP\/1\.1 401/)
    }
    const chunked = await rawExchange('POST /admin/v1/models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', '4000\r\n' + 'x'.repeat(0x4000) + '\r\n', 1500)
    expect(chunked.text).toMatch(/^HTTP\/1\.1 401/)
  })

  it('refuses a header it would forward upstream that an HTTP client cannot send, without blaming the provider', async () => {
    const body = JSON.stringify({model: 'claude', max_tokens: 5, messages: [{role: 'user', content: 'x'}]})
    for (let i = 0; i < 4; i++) {
      const {text} = await rawExchange(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${fx.key}\r\nanthropic-version: 2023-06-01\x7f\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body, 500)
      expect(text).toMatch(/^HTTP\/1\.1 400/)
      expect(text).toContain('the anthropic-version header may only hold visible ASCII characters')
    }
    const health = (await fx.daemon.admin('GET', '/admin/v1/health')).body.providers.find((p: {id: string}) => p.id === 'an')
    expect(health?.errors ?? 0).toBe(0)
  })

  it('n and best_of must be whole numbers: "50" as a string would be 50 answers billed as one', async () => {
    for (const n of ['50', 1.5, 0, 500]) {
      const error = await client.chat.completions.create({model: 'strong-gpt', n, messages: [{role: 'user', content: 'x'}]} as never).catch((e) => e)
      expect(error.status, String(n)).toBe(400)
      expect(error.message).toContain('n: must be a whole number from 1 to 128')
    }
    const envelope = await rawRequest(`${fx.daemon.url}/v1/chat`, 'POST', {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'}, JSON.stringify({request: {messages: [{role: 'user', content: 'x'}], parameters: {n: '50'}}}))
    expect(envelope.status).toBe(400)
  })
})

describe('upstream account details stay with the operator', () => {
  it('an error at the start of a stream reaches the client without the org id or URLs the upstream quoted', async () => {
    await fx.addModel({id: 'stream-org-error', provider_id: 'oa', weight: 1})
    fx.openai.behave('stream-org-error', {
      streamError: {type: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-4o in organization org-SECRETORG123 on tokens per min. Visit https://platform.openai.com/account/rate-limits to learn more.'},
    })
    const error = await client.chat.completions.create({model: 'stream-org-error', stream: true, messages: [{role: 'user', content: 'x'}]}).then(
      async (stream) => {
        for await (const _chunk of stream) {
          // drain
        }
        return null
      },
      (e) => e,
    )
    expect(error?.status).toBe(429)
    const seen = JSON.stringify(error.error) + error.message
    expect(seen).toContain('Rate limit reached')
    expect(seen).not.toContain('SECRETORG123')
    expect(seen).not.toContain('platform.openai.com')
  })
})

describe('upstream faults end honestly', () => {
  it('relays a stream whose bytes arrive split mid-character and behind a byte order mark, every event intact', async () => {
    fx.openai.behave('awkward-bytes', {awkwardBytes: true})
    const stream = await client.chat.completions.create({model: 'awkward-bytes', stream: true, messages: [{role: 'user', content: 'héllo wörld € ✓ 日本語'}]})
    let text = ''
    let roles = 0
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.role) roles++
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    // The first event (the role) survives the BOM; multi-byte characters survive the splits.
    expect(roles).toBe(1)
    expect(text).toBe('echo: héllo wörld € ✓ 日本語')
  })


  it('a stream that stalls ends with an error event after the idle timeout, never [DONE]', async () => {
    fx.openai.behave('stalls', {stallAfterChunks: 2, chunkDelayMs: 20})
    const response = await fetch(`${fx.daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'stalls', stream: true, messages: [{role: 'user', content: 'one two three four five six'}]}),
    })
    const text = await response.text()
    expect(text).toContain('"error"')
    expect(text).not.toContain('[DONE]')
    // Billed what went out (input + one token per relayed event), not the model's maximum.
    const log = await lastLog()
    expect(log).toMatchObject({error_class: 'stream_interrupted', usage_source: 'estimate'})
    expect(log.output_tokens).toBeGreaterThanOrEqual(1)
    expect(log.output_tokens).toBeLessThanOrEqual(3)
  })

  it('garbage mid-stream: the client gets an error at once, the upstream is cancelled, the bill stays within max_tokens', async () => {
    await fx.addModel({id: 'garbled', provider_id: 'oa', weight: 0})
    fx.openai.behave('garbled', {garbageAfterChunks: 2, chunkDelayMs: 30})
    const abortedBefore = fx.openai.aborted
    const response = await fetch(`${fx.daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'garbled', stream: true, max_tokens: 5, messages: [{role: 'user', content: 'w '.repeat(200)}]}),
    })
    const text = await response.text()
    expect(text).toContain('malformed stream event')
    expect(text).not.toContain('not json at all')
    expect(text).not.toContain('[DONE]')
    const log = await lastLog()
    expect(log).toMatchObject({model_id: 'garbled', error_class: 'stream_interrupted', usage_source: 'estimate'})
    expect(log.output_tokens).toBeLessThanOrEqual(5)
    // The gateway stopped reading: the upstream saw its request cancelled rather than finishing 200 chunks.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(fx.openai.aborted).toBe(abortedBefore + 1)
    // Garbage before anything went out fails over instead (the request succeeds on the next model).
    fx.openai.behave('garbled', {garbageAfterChunks: 0})
    await fx.daemon.admin('PUT', '/admin/v1/aliases/garbled-pair', {variants: [{model_id: 'garbled', weight: 1}, {model_id: 'stalls', weight: 0}]})
    fx.openai.behave('stalls', {})
    const failover = await client.chat.completions.create({model: 'garbled-pair', stream: true, messages: [{role: 'user', content: 'a b'}]})
    let content = ''
    for await (const chunk of failover) content += chunk.choices[0]?.delta?.content ?? ''
    expect(content).toBe('echo: a b')
    // (a transient failure: tried once more, then the next model)
    expect((await lastLog()).attempts.map((a: {model_id: string}) => a.model_id)).toEqual(['garbled', 'garbled', 'stalls'])
  })

  it('gives up at the request deadline across retries and failover', async () => {
    fx.openai.behave('slow-a', {hang: true})
    fx.openai.behave('slow-b', {hang: true})
    await fx.daemon.admin('PUT', '/admin/v1/aliases/slow-pair', {variants: [{model_id: 'slow-a', weight: 1}, {model_id: 'slow-b', weight: 0}]})
    const started = Date.now()
    const error = await client.chat.completions.create({model: 'slow-pair', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error.status).toBe(504)
    expect(error.message).toContain('deadline')
    // Without the deadline: 2 models x 2 tries x 2 s first-byte timeout = 8 s.
    expect(Date.now() - started).toBeLessThan(6000)
  })
})

describe('accounting integrity', () => {
  it('holds a budget under concurrency: parallel requests cannot overspend it', async () => {
    // The upstream reports exactly what a request may cost at most (input estimate + max_tokens),
    // so each reservation equals the real cost R. A budget of 3.5 R admits 4 requests at most.
    fx.openai.behave('budgeted', {usage: {input: 5, output: 5}})
    const probeKey = await fx.newKey()
    await new OpenAI({apiKey: probeKey.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'budgeted', max_tokens: 5, messages: [{role: 'user', content: 'hi'}]})
    const perRequest = (await lastLog()).cost_usd as number
    expect(perRequest).toBeCloseTo(0.00001, 9)
    const budget = 3.5 * perRequest
    const {key, id} = await fx.newKey({monthly_budget_usd: budget})
    const parallel = new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const results = await Promise.allSettled(
      Array.from({length: 20}, () => parallel.chat.completions.create({model: 'budgeted', max_tokens: 5, messages: [{role: 'user', content: 'hi'}]})),
    )
    const ok = results.filter((r) => r.status === 'fulfilled').length
    expect(ok).toBeGreaterThanOrEqual(1)
    expect(ok).toBeLessThanOrEqual(4)
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    expect(refused.every((r) => r.reason.status === 429 && r.reason.error.code === 'BUDGET_EXCEEDED')).toBe(true)
    const spend = (await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)).body.current_spend_usd
    // Documented overrun: at most one request's maximum cost beyond the budget.
    expect(spend).toBeLessThanOrEqual(budget + perRequest + 1e-12)
  })

  it('pads each hold by the estimate headroom: an upstream counting up to 15 % more input than the estimate cannot overspend either', async () => {
    // "hi" is estimated at 5 input tokens; this upstream counts 6 (a tokenizer like Claude's). Each
    // hold is ceil(5 x 1.15) = 6 input + 5 output tokens, the real cost R. Unpadded (5 + 5), 14
    // requests in flight at once fit a budget of 12.5 R and spend 14 R, beyond budget + R.
    fx.openai.behave('budgeted', {usage: {input: 6, output: 5}, chunkDelayMs: 150})
    const perRequest = 0.000011
    const budget = 12.5 * perRequest
    const {key, id} = await fx.newKey({monthly_budget_usd: budget})
    const parallel = new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const drain = async () => {
      for await (const _chunk of await parallel.chat.completions.create({model: 'budgeted', max_tokens: 5, stream: true, messages: [{role: 'user', content: 'hi'}]}));
    }
    try {
      const results = await Promise.allSettled(Array.from({length: 20}, drain))
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1)
      const spend = (await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)).body.current_spend_usd
      expect(spend).toBeLessThanOrEqual(budget + perRequest + 1e-12)
    } finally {
      fx.openai.behave('budgeted', {usage: {input: 5, output: 5}})
    }
  })

  it('clamps nonsense usage to what the request could produce, flags it, and bills what the header says', async () => {
    fx.openai.behave('nonsense-usage', {usage: {input: -50, output: 1e15}})
    const {data, response} = await client.chat.completions.create({model: 'nonsense-usage', max_tokens: 10, messages: [{role: 'user', content: 'x'}]}).withResponse()
    expect(data.choices[0].message.content).toBeTruthy()
    const log = await lastLog()
    // No answer to max_tokens 10 has more than 10 output tokens: that is the most it is billed.
    // A negative input is no input, which a prompt that has some cannot be: billed the estimate.
    expect(log).toMatchObject({usage_flagged: true, output_tokens: 10, usage_source: 'upstream'})
    expect(log.input_tokens).toBeGreaterThan(0)
    expect(Number(response.headers.get('x-tokenhub-cost-usd'))).toBeCloseTo(log.cost_usd, 12)
    // n answers are n times the output: 8 x 100 is billed in full, not clamped to 100.
    fx.openai.behave('nonsense-usage', {usage: {input: 5, output: 800}})
    await client.chat.completions.create({model: 'nonsense-usage', n: 8, max_tokens: 100, messages: [{role: 'user', content: 'x'}]})
    expect(await lastLog()).toMatchObject({output_tokens: 800, usage_flagged: false})
    fx.openai.behave('nonsense-usage', {usage: {input: -50, output: 1e15}})
    // Without max_tokens the model's context window bounds it.
    await client.chat.completions.create({model: 'nonsense-usage', messages: [{role: 'user', content: 'x'}]})
    const unbounded = await lastLog()
    const model = (await fx.daemon.admin('GET', '/admin/v1/models/nonsense-usage')).body
    expect(unbounded.output_tokens).toBe(Math.min(model.max_output_tokens ?? Infinity, model.max_context_tokens))
    expect(Number.isFinite(unbounded.cost_usd)).toBe(true)
  })

  it('bills an aborted stream that reported no usage for what was relayed, never 0', async () => {
    fx.openai.behave('no-usage', {chunkDelayMs: 200})
    const controller = new AbortController()
    const stream = await client.chat.completions.create({model: 'no-usage', stream: true, max_tokens: 100, messages: [{role: 'user', content: 'a b c d e f'}]}, {signal: controller.signal})
    for await (const _chunk of stream) {
      controller.abort()
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 800))
    const log = await lastLog()
    expect(log).toMatchObject({model_id: 'no-usage', status_code: 499, usage_source: 'estimate'})
    expect(log.cost_usd).toBeGreaterThan(0)
    // Not the 100 tokens max_tokens allowed: one per relayed event, the role chunk and a word or two.
    expect(log.output_tokens).toBeGreaterThanOrEqual(1)
    expect(log.output_tokens).toBeLessThan(10)
    // The stream had started: its time to first token is known.
    expect(log.ttft_ms).toEqual(expect.any(Number))
  })

  it('bills an answer without usage at the answering model\'s maximum, not at the dearest candidate\'s hold', async () => {
    // The alias may fail over to a model 1,000x dearer, so the hold is taken at its prices; the cheap one answers.
    await fx.daemon.admin('PUT', '/admin/v1/aliases/silent-pair', {variants: [{model_id: 'cheap-silent', weight: 1}, {model_id: 'dear-spare', weight: 0}]})
    const body = JSON.stringify({id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: 'cheap-silent', choices: [{index: 0, message: {role: 'assistant', content: 'hi'}, finish_reason: 'stop'}]})
    fx.openai.behave('cheap-silent', {status: 200, body})
    const {key, id} = await fx.newKey({monthly_budget_usd: 10})
    const {data: answer, response} = await new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
      .chat.completions.create({model: 'silent-pair', max_tokens: 10, messages: [{role: 'user', content: 'hello'}]})
      .withResponse()
    expect(answer.choices[0].message.content).toBe('hi')
    const log = await lastLog()
    // The output billed (max_tokens) is what the record says, so tokens times prices make the cost.
    expect(log).toMatchObject({model_id: 'cheap-silent', alias_from: 'silent-pair', usage_source: 'reservation', output_tokens: 10})
    const expected = (log.input_tokens * 0.001 + 10 * 0.002) / 1000
    expect(log.cost_usd).toBeCloseTo(expected, 12)
    // The header says what the answer is billed.
    expect(Number(response.headers.get('x-tokenhub-cost-usd'))).toBeCloseTo(expected, 8)
    expect((await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)).body.current_spend_usd).toBeCloseTo(expected, 12)
  })

  it('a 502 after failover says when the fallback was skipped for the key\'s budget (SDKs would retry it in vain)', async () => {
    await fx.daemon.admin('PUT', '/admin/v1/aliases/cheap-then-dear', {variants: [{model_id: 'cheap-silent', weight: 1}, {model_id: 'dear-spare', weight: 0}]})
    fx.openai.behave('cheap-silent', {status: 500})
    const {key} = await fx.newKey({monthly_budget_usd: 0.01})
    const error = await new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
      .chat.completions.create({model: 'cheap-then-dear', max_tokens: 10, messages: [{role: 'user', content: 'hello'}]})
      .catch((e) => e)
    expect(error.status).toBe(502)
    expect(error.message).toContain("monthly budget: dear-spare")
    expect(error.error.attempts.map((a: {model_id: string; error_class: string}) => [a.model_id, a.error_class])).toEqual([
      ['cheap-silent', 'transient'],
      ['cheap-silent', 'transient'],
      ['dear-spare', 'over_budget'],
    ])
  })

  it('refuses a model without a price unless allowed, and says why', async () => {
    const error = await client.chat.completions.create({model: 'no-price', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error.status).toBe(503)
    expect(error.error.skipped).toEqual([expect.objectContaining({model_id: 'no-price', reason: 'unpriced'})])
    const simulated = (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {})).body
    expect(simulated.candidates.find((c: {model_id: string}) => c.model_id === 'no-price').skip_reason).toBe('unpriced')
  })
})

describe('client strings are data', () => {
  it('keeps log lines whole and renders control characters inert in the CLI', async () => {
    const evil = 'evil\nmodel\u001b[31mRED\u0007'
    await client.chat.completions.create({model: evil, messages: [{role: 'user', content: 'x'}]}).catch(() => {})
    const log = await lastLog()
    expect(log.requested_model).toBe(evil)
    const table = await runCli(['logs', '--limit', '1'], {env: fx.daemon.cliEnv})
    expect(table.stdout).not.toContain('\u001b')
    expect(table.stdout).not.toContain('\u0007')
    expect(table.stdout.trim().split('\n')).toHaveLength(2)
    const events = await runCli(['logs', '--limit', '1', '--json'], {env: fx.daemon.cliEnv})
    expect(JSON.parse(events.stdout)[0].requested_model).toBe(evil)
    const csv = await runCli(['logs', '--csv', '--status', '404'], {env: fx.daemon.cliEnv})
    expect(csv.stdout).not.toContain('\u001b')
  })
})


describe('a store that cannot be written', () => {
  it('an admin change that cannot be saved is undone and answered 503 STORE_WRITE_FAILED: a rotated key keeps its old secret, nothing half-made stays', async () => {
    const {key, id} = await fx.newKey({name: 'survivor'})
    const ask = (apiKey: string) => new OpenAI({apiKey, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'stalls', messages: [{role: 'user', content: 'x'}]})
    fx.openai.behave('stalls', {})
    expect((await ask(key)).choices[0].message.content).toBe('echo: x')
    // The store file's place is taken by a directory: every write of it fails (root ignores permissions).
    const file = join(fx.daemon.dataDir, 'store.age')
    await rename(file, `${file}.aside`)
    await mkdir(file)
    try {
      const rotated = await fx.daemon.admin('POST', `/admin/v1/apikeys/${id}/rotate`)
      expect(rotated.status).toBe(503)
      expect(rotated.body.error).toMatchObject({code: 'STORE_WRITE_FAILED', message: expect.stringContaining('so it was undone')})
      expect(JSON.stringify(rotated.body)).not.toContain('th-')
      // The old secret still works; the key list shows the key as it was.
      expect((await ask(key)).choices[0].message.content).toBe('echo: x')
      const provider = await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'half-made', type: 'openai', base_url: 'http://127.0.0.1:9'})
      expect(provider.status).toBe(503)
      expect((await fx.daemon.admin('GET', '/admin/v1/providers/half-made')).status).toBe(404)
      const revoked = await fx.daemon.admin('DELETE', `/admin/v1/apikeys/${id}`)
      expect(revoked.status).toBe(503)
      expect((await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)).body.status).toBe('active')
      // Lists agree with what is on disk.
      const providers = (await fx.daemon.admin('GET', '/admin/v1/providers')).body
      expect(JSON.stringify(providers)).not.toContain('half-made')
      const keys = (await fx.daemon.admin('GET', '/admin/v1/apikeys?limit=5000')).body
      expect(JSON.stringify(keys)).toContain(id)
      // The admin token: a rotation that cannot be saved does not happen; the old token still works.
      const rotation = await fx.daemon.admin('POST', '/admin/v1/admin-token/rotate')
      expect(rotation.status).toBe(503)
      expect((await fx.daemon.admin('GET', '/admin/v1/info')).status).toBe(200)
    } finally {
      await rmdir(file)
      await rename(`${file}.aside`, file)
    }
    // Writable again: the rotation goes through.
    const rotated = await fx.daemon.admin('POST', `/admin/v1/apikeys/${id}/rotate`)
    expect(rotated.status).toBe(200)
    await expect(ask(key)).rejects.toMatchObject({status: 401})
    expect((await ask(rotated.body.key)).choices[0].message.content).toBe('echo: x')
  })
})

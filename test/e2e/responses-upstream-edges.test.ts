import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

/**
 * OpenAI's reasoning models send nothing while they think: an upstream that stays silent longer
 * than the configured first-byte and idle timeouts (1 s here) is still waited for when the model
 * is one of them, and cut as before when it is not.
 */
type Script = {frames?: string[]; body?: string; status?: number; delayMs?: number; stallMs?: number; stallAfter?: number}
let scripts: Script[] = []
let requests = 0
let server: Server
let fx: GatewayFixture
let client: OpenAI

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let seq = 0
const ev = (type: string, fields: Record<string, unknown> = {}) => `event: ${type}\ndata: ${JSON.stringify({type, ...fields, sequence_number: seq++})}\n\n`
const usage = {input_tokens: 30, input_tokens_details: {cached_tokens: 0}, output_tokens: 9, output_tokens_details: {reasoning_tokens: 4}, total_tokens: 39}
const response = (status: string, extra: Record<string, unknown> = {}) => ({id: 'resp_1', object: 'response', model: 'gpt-5-codex', status, output: [], usage: status === 'in_progress' ? null : usage, error: null, incomplete_details: null, ...extra})
const message = {id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{type: 'output_text', text: 'thought it over', annotations: []}]}
/** created, a reasoning item, [the stall], then the answer. */
const reasoningStream = (): string[] => [
  ev('response.created', {response: response('in_progress')}),
  ev('response.output_item.added', {output_index: 0, item: {id: 'rs_1', type: 'reasoning', summary: []}}),
  ev('response.output_item.added', {output_index: 1, item: {...message, status: 'in_progress', content: []}}),
  ev('response.output_text.delta', {item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'thought it over'}),
  ev('response.completed', {response: response('completed', {output: [message]})}),
]
const chatChunk = (delta: Record<string, unknown>, finish: string | null = null) => `data: ${JSON.stringify({id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{index: 0, delta, finish_reason: finish}]})}\n\n`

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', async () => {
      requests++
      const script = scripts.shift() ?? {status: 500, body: '{"error":{"message":"no script"}}'}
      if (script.delayMs) await sleep(script.delayMs)
      if (!script.frames) {
        res.writeHead(script.status ?? 200, {'content-type': 'application/json'})
        res.end(script.body)
        return
      }
      res.writeHead(200, {'content-type': 'text/event-stream'})
      for (const [i, frame] of script.frames.entries()) {
        if (res.destroyed) return
        res.write(frame)
        if (script.stallMs && i === (script.stallAfter ?? 1)) await sleep(script.stallMs)
      }
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  fx = await startGatewayFixture({env: {TOKENHUB_STREAM_IDLE_TIMEOUT_SECS: '1', TOKENHUB_PROVIDER_TIMEOUT_SECS: '1'}})
  await fx.daemon.admin('POST', '/admin/v1/providers', {id: 'scripted', type: 'openai', base_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, api_key: 'sk-scripted-0123456789'})
  await fx.addModel({id: 'codex', provider_id: 'scripted', upstream_model: 'gpt-5-codex', max_output_tokens: 128_000})
  await fx.addModel({id: 'plain', provider_id: 'scripted', upstream_model: 'gpt-4o', max_output_tokens: 16_000})
  fx.key = (await fx.newKey()).key
  client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
}, 60_000)

afterAll(async () => {
  await fx?.close()
  server?.close()
})

const lastLog = async () => (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]

describe('timeouts for models that reason unseen', () => {
  it('a reasoning model silent past the idle timeout before its first content is waited for, once', async () => {
    scripts = [{frames: reasoningStream(), stallMs: 2500}]
    requests = 0
    const stream = await client.chat.completions.create({model: 'codex', stream: true, messages: [{role: 'user', content: 'think hard'}]})
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe('thought it over')
    expect(requests).toBe(1)
    expect((await lastLog()).attempts).toHaveLength(1)
  }, 20_000)

  it('a whole answer that takes longer than the first-byte timeout is waited for too', async () => {
    scripts = [{body: JSON.stringify(response('completed', {output: [message]})), delayMs: 2500}]
    requests = 0
    const answer = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'think hard'}]})
    expect(answer.choices[0].message.content).toBe('thought it over')
    expect(requests).toBe(1)
  }, 20_000)

  it('another model silent as long is cut at the configured idle timeout, as before', async () => {
    const stalled = () => ({frames: [chatChunk({role: 'assistant', content: ''}), chatChunk({content: 'late'}), chatChunk({}, 'stop'), 'data: [DONE]\n\n'], stallMs: 2500, stallAfter: 0})
    scripts = [stalled(), stalled(), stalled()]
    const failure = await client.chat.completions
      .create({model: 'plain', stream: true, messages: [{role: 'user', content: 'hi'}]})
      .then(async (stream) => {
        for await (const _ of stream) void _
        return null
      })
      .catch((error: {status?: number}) => error)
    expect(failure).not.toBeNull()
    const log = await lastLog()
    expect(log.attempts.length).toBeGreaterThan(0)
    expect(log.attempts.map((a: {error_class: string}) => a.error_class)).toEqual(log.attempts.map(() => 'timeout'))
  }, 20_000)
})

describe('a whole Responses answer that failed inside a 200', () => {
  it("is the request's 400 when the upstream says the request is at fault, not an empty answer", async () => {
    const failed = response('failed', {error: {code: 'invalid_prompt', message: 'Invalid prompt: it was flagged'}})
    scripts = [{body: JSON.stringify(failed)}]
    requests = 0
    const error = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'x'}]}).catch((e: {status?: number; code?: string}) => e)
    expect(error).toMatchObject({status: 400, code: 'invalid_prompt'})
    expect(requests).toBe(1)
  }, 20_000)

  it('fails over like a server error when it failed on the server, or was cancelled', async () => {
    for (const failed of [response('failed', {error: {code: 'server_error', message: 'The model crashed'}}), response('cancelled')]) {
      scripts = [{body: JSON.stringify(failed)}, {body: JSON.stringify(failed)}]
      requests = 0
      const error = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'x'}]}).catch((e: {status?: number}) => e)
      expect((error as {status?: number}).status).toBeGreaterThanOrEqual(500)
      expect(requests).toBe(2)
      const log = await lastLog()
      expect(log.attempts.map((a: {error_class: string}) => a.error_class)).toEqual(['transient', 'transient'])
    }
  }, 20_000)
})

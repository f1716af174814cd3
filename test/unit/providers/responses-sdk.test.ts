/**
 * The official OpenAI SDK (as the newer SDK-based agents use it) reads our Responses output through
 * an injected fetch, no network: translated JSON, translated streams, and passed-through streams.
 */
import OpenAI from 'openai'
import {describe, expect, it} from 'vitest'
import {AnthropicToOpenAIStream} from '../../../src/providers/anthropic/stream-to-openai.js'
import {ChatToResponsesStream} from '../../../src/providers/responses/chat-stream-to-responses.js'
import {chatToResponses} from '../../../src/providers/responses/from-chat-response.js'
import {ResponsesPassthroughStream} from '../../../src/providers/responses/passthrough-stream.js'
import type {SseEvent} from '../../../src/providers/stream.js'
import {fixtureJson, fixtureText, parseSse, run} from './sse-helpers.js'

const CREATED_AT = 1754563012
const seen: Array<{url: string; body: unknown}> = []

/** A client whose every request is answered with this body; the requests are recorded in `seen`. */
function client(body: string, contentType = 'text/event-stream'): OpenAI {
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({url: String(url), body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined})
    return new Response(body, {status: 200, headers: {'content-type': contentType}})
  }
  return new OpenAI({apiKey: 'x', baseURL: 'http://fake/v1', fetch, maxRetries: 0})
}

const translatedStream = (events: SseEvent[], request?: Record<string, unknown>) =>
  run(new ChatToResponsesStream({model: 'qwen3-coder', createdAt: CREATED_AT, request}), events)
const fromFixture = (name: string) => translatedStream(parseSse(fixtureText(name)))

describe('the OpenAI SDK reading translated Responses answers', () => {
  it('client.responses.create() parses a translated text answer: output_text, usage', async () => {
    const body = JSON.stringify(chatToResponses(fixtureJson('openai-chat-completion-text.json'), {model: 'qwen3-coder', createdAt: CREATED_AT}))
    const response = await client(body, 'application/json').responses.create({model: 'qwen3-coder', input: 'Umbrella in Paris?'})
    expect(seen.at(-1)?.url).toBe('http://fake/v1/responses')
    expect(response.object).toBe('response')
    expect(response.status).toBe('completed')
    expect(response.output_text).toBe('Yes, pack an umbrella: light rain is expected in Paris all afternoon.')
    expect(response.usage).toMatchObject({input_tokens: 148, output_tokens: 17, total_tokens: 165})
  })

  it('client.responses.create() parses translated function calls', async () => {
    const body = JSON.stringify(chatToResponses(fixtureJson('openai-chat-completion-tool-calls.json'), {model: 'qwen3-coder', createdAt: CREATED_AT}))
    const response = await client(body, 'application/json').responses.create({model: 'qwen3-coder', input: 'Weather?'})
    expect(response.output_text).toBe('')
    const calls = response.output.flatMap((item) => (item.type === 'function_call' ? [[item.call_id, item.name, JSON.parse(item.arguments)]] : []))
    expect(calls).toEqual([
      ['call_q8UfHzX1nXbQ2oA7rT4mVwLk', 'get_weather', {city: 'Lisbon', unit: 'celsius'}],
      ['call_Z3vD0pJk9sLe7WbN1yQc5hRt', 'get_weather', {city: 'Paris', unit: 'celsius'}],
    ])
    expect(response.usage?.input_tokens_details.cached_tokens).toBe(2048)
  })

  it('client.responses.create({stream: true}) yields every typed event, ending with response.completed', async () => {
    const stream = await client(fromFixture('responses-chat-stream-text-tool.sse')).responses.create({model: 'qwen3-coder', input: 'Why does npm test fail?', stream: true})
    const events: OpenAI.Responses.ResponseStreamEvent[] = []
    for await (const event of stream) events.push(event)
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i))
    expect(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta)).toEqual(['Running', ' the tests.'])
    const last = events.at(-1)
    expect(last?.type).toBe('response.completed')
    if (last?.type !== 'response.completed') throw new Error('unreachable')
    expect(last.response.usage).toMatchObject({input_tokens: 1480, output_tokens: 38, output_tokens_details: {reasoning_tokens: 6}})
  })

  it('client.responses.stream().finalResponse() assembles text, a function call split mid-JSON, and usage', async () => {
    const deltas: string[] = []
    const argumentSnapshots: string[] = []
    const stream = client(fromFixture('responses-chat-stream-text-tool.sse'))
      .responses.stream({model: 'qwen3-coder', input: 'Why does npm test fail?'})
      .on('response.output_text.delta', (event) => deltas.push(event.snapshot))
      .on('response.function_call_arguments.delta', (event) => argumentSnapshots.push(event.snapshot))
    const final = await stream.finalResponse()
    expect(deltas).toEqual(['Running', 'Running the tests.'])
    expect(argumentSnapshots).toEqual(['{"command": ["np', '{"command": ["npm", "test"], "workdir": "/home/dev/app"}'])
    expect(final.status).toBe('completed')
    expect(final.output_text).toBe('Running the tests.')
    const call = final.output.find((item) => item.type === 'function_call')
    expect(call?.type === 'function_call' && [call.call_id, call.name, JSON.parse(call.arguments)]).toEqual([
      'call_7d1e9b3f5a2c4e6f8a0b2c4d',
      'shell',
      {command: ['npm', 'test'], workdir: '/home/dev/app'},
    ])
    expect(final.usage).toMatchObject({input_tokens: 1480, input_tokens_details: {cached_tokens: 1024}, output_tokens: 38, total_tokens: 1518})
  })

  it('assembles a Claude stream translated twice (Anthropic -> Chat -> Responses)', async () => {
    const chat = run(new AnthropicToOpenAIStream({model: 'claude-sonnet-4-5', created: CREATED_AT, includeUsage: true}), parseSse(fixtureText('anthropic-stream-tool-use.sse')))
    const final = await client(translatedStream(parseSse(chat))).responses.stream({model: 'claude-sonnet-4-5', input: 'Weather?'}).finalResponse()
    expect(final.output_text).toBe("I'll check both cities.")
    expect(final.output.flatMap((item) => (item.type === 'function_call' ? [JSON.parse(item.arguments)] : []))).toEqual([{city: 'Lisbon', unit: 'celsius'}, {city: 'Paris'}])
    expect(final.usage).toMatchObject({input_tokens: 2008, output_tokens: 89})
  })

  it('reports a length-cut stream as incomplete', async () => {
    const chunk = (delta: object, finish: string | null = null) => ({data: JSON.stringify({id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{index: 0, delta, finish_reason: finish}]})})
    const text = translatedStream([chunk({content: 'The first step'}), chunk({}, 'length'), {data: '[DONE]'}])
    const final = await client(text).responses.stream({model: 'qwen3-coder', input: 'x'}).finalResponse()
    expect(final.status).toBe('incomplete')
    expect(final.incomplete_details).toEqual({reason: 'max_output_tokens'})
    expect(final.output_text).toBe('The first step')
  })

  it('throws on a truncated stream instead of returning a short answer', async () => {
    const truncated = translatedStream(parseSse(fixtureText('responses-chat-stream-text-tool.sse')).slice(0, 5))
    const stream = await client(truncated).responses.create({model: 'qwen3-coder', input: 'x', stream: true})
    const read = async () => {
      for await (const _event of stream) {
        // drain
      }
    }
    await expect(read()).rejects.toThrow(/ended before the response was complete/)
    await expect(client(truncated).responses.stream({model: 'qwen3-coder', input: 'x'}).finalResponse()).rejects.toThrow(/ended before the response was complete/)
  })

  it('throws on a translated upstream error', async () => {
    const errored = fromFixture('openai-stream-error.sse')
    await expect(client(errored).responses.stream({model: 'qwen3-coder', input: 'x'}).finalResponse()).rejects.toThrow(/server had an error/)
  })
})

describe('the OpenAI SDK reading a passed-through Responses stream', () => {
  it('assembles the final response', async () => {
    const transformer = new ResponsesPassthroughStream()
    const out = run(transformer, parseSse(fixtureText('responses-openai-stream-text.sse')))
    const final = await client(out).responses.stream({model: 'gpt-4.1', input: 'Hi'}).finalResponse()
    expect(final.id).toBe('resp_68c1f3b2a4d08190b9e8f7a6c5d4e3f2')
    expect(final.output_text).toBe('Hello! How can I help?')
    expect(final.usage).toMatchObject({input_tokens: 19, output_tokens: 9})
  })

  it('throws when the passed-through stream was cut off', async () => {
    const out = run(new ResponsesPassthroughStream(), parseSse(fixtureText('responses-openai-stream-text.sse')).slice(0, 6))
    await expect(client(out).responses.stream({model: 'gpt-4.1', input: 'Hi'}).finalResponse()).rejects.toThrow(/ended before the response was complete/)
  })
})

import {describe, expect, it} from 'vitest'
import {AnthropicToOpenAIStream} from '../../../src/providers/anthropic/stream-to-openai.js'
import {ChainedStream, parseFrames} from '../../../src/providers/responses/chained-stream.js'
import {ChatToResponsesStream} from '../../../src/providers/responses/chat-stream-to-responses.js'
import {ResponsesPassthroughStream} from '../../../src/providers/responses/passthrough-stream.js'
import {TRUNCATED_STREAM_MESSAGE, sseFrame, type SseEvent} from '../../../src/providers/stream.js'
import {fixtureText, frames, interleavedToolCalls, parseSse, run, type Frame} from './sse-helpers.js'

const CREATED_AT = 1754563012
const stream = (extra: {id?: string; request?: Record<string, unknown>} = {}) => new ChatToResponsesStream({model: 'qwen3-coder', createdAt: CREATED_AT, ...extra})

/** Expected frames: each event named by its type, numbered from 0 in order. */
function transcript(...events: Array<[string, Record<string, unknown>]>): Frame[] {
  return events.map(([type, fields], sequence) => ({event: type, data: {type, ...fields, sequence_number: sequence}}))
}

/** The response object in created / in_progress / completed events. */
const responseObject = (id: string, status: string, output: unknown[], usage: unknown, extra: Record<string, unknown> = {}) => ({
  id,
  object: 'response',
  created_at: CREATED_AT,
  status,
  background: false,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: 'qwen3-coder',
  output,
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: {effort: null, summary: null},
  store: false,
  temperature: null,
  text: {format: {type: 'text'}},
  tool_choice: 'auto',
  tools: [],
  top_p: null,
  truncation: 'disabled',
  usage,
  metadata: {},
  ...extra,
})

const types = (out: string) => frames(out).map((frame) => frame.event)

/** Every frame is named by its payload type and numbered 0, 1, 2... */
function expectWellFormed(out: string): void {
  const parsed = frames(out)
  parsed.forEach((frame, i) => {
    expect(frame.event).toBe(frame.data.type)
    expect(frame.data.sequence_number).toBe(i)
  })
}

const chunkEvent = (delta: Record<string, unknown>, finishReason: string | null = null): SseEvent => ({
  data: JSON.stringify({id: 'chatcmpl-x1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{index: 0, delta, finish_reason: finishReason}]}),
})

describe('ChatToResponsesStream', () => {
  it('translates text then a tool call with arguments split mid-JSON, event by event, with usage', () => {
    const transformer = stream()
    const out = run(transformer, parseSse(fixtureText('responses-chat-stream-text-tool.sse')))
    const id = 'resp_b7e41c0a9d2f4e6a8c1b3d5f7a9e2c4d'
    const msg = 'msg_b7e41c0a9d2f4e6a8c1b3d5f7a9e2c4d'
    const fc = 'fc_7d1e9b3f5a2c4e6f8a0b2c4d'
    const args = '{"command": ["npm", "test"], "workdir": "/home/dev/app"}'
    const textPart = {type: 'output_text', text: 'Running the tests.', annotations: [], logprobs: []}
    const message = {type: 'message', id: msg, status: 'completed', role: 'assistant', content: [textPart]}
    const call = {type: 'function_call', id: fc, call_id: 'call_7d1e9b3f5a2c4e6f8a0b2c4d', name: 'shell', arguments: args, status: 'completed'}
    const usage = {input_tokens: 1480, input_tokens_details: {cached_tokens: 1024}, output_tokens: 38, output_tokens_details: {reasoning_tokens: 6}, total_tokens: 1518}
    expect(frames(out)).toEqual(
      transcript(
        ['response.created', {response: responseObject(id, 'in_progress', [], null)}],
        ['response.in_progress', {response: responseObject(id, 'in_progress', [], null)}],
        ['response.output_item.added', {output_index: 0, item: {...message, status: 'in_progress', content: []}}],
        ['response.content_part.added', {item_id: msg, output_index: 0, content_index: 0, part: {...textPart, text: ''}}],
        ['response.output_text.delta', {item_id: msg, output_index: 0, content_index: 0, delta: 'Running', logprobs: []}],
        ['response.output_text.delta', {item_id: msg, output_index: 0, content_index: 0, delta: ' the tests.', logprobs: []}],
        ['response.output_text.done', {item_id: msg, output_index: 0, content_index: 0, text: 'Running the tests.', logprobs: []}],
        ['response.content_part.done', {item_id: msg, output_index: 0, content_index: 0, part: textPart}],
        ['response.output_item.done', {output_index: 0, item: message}],
        ['response.output_item.added', {output_index: 1, item: {...call, arguments: '', status: 'in_progress'}}],
        ['response.function_call_arguments.delta', {item_id: fc, output_index: 1, delta: '{"command": ["np'}],
        ['response.function_call_arguments.delta', {item_id: fc, output_index: 1, delta: 'm", "test"], "workdir": "/home/dev/app"}'}],
        ['response.function_call_arguments.done', {item_id: fc, output_index: 1, name: 'shell', arguments: args}],
        ['response.output_item.done', {output_index: 1, item: call}],
        ['response.completed', {response: responseObject(id, 'completed', [message, call], usage)}],
      ),
    )
    expect(JSON.parse(args)).toEqual({command: ['npm', 'test'], workdir: '/home/dev/app'})
    expect(transformer.complete).toBe(true)
    expect(transformer.usage).toEqual({input: 1480, output: 38, cacheRead: 1024})
    expect(transformer.end()).toBe('')
  })

  it('translates a text stream', () => {
    const transformer = stream({id: 'resp_tokenhub_7'})
    const out = run(transformer, parseSse(fixtureText('openai-stream-text.sse')))
    expectWellFormed(out)
    expect(types(out)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    const completed = frames(out).at(-1)?.data.response
    expect(completed.id).toBe('resp_tokenhub_7')
    expect(completed.output).toEqual([
      {
        type: 'message',
        id: 'msg_tokenhub_7',
        status: 'completed',
        role: 'assistant',
        content: [{type: 'output_text', text: 'Hello! How can I help?', annotations: [], logprobs: []}],
      },
    ])
    expect(completed.usage).toMatchObject({input_tokens: 19, output_tokens: 9, total_tokens: 28})
    expect(out).toMatch(/^event: response\.created\ndata: \{/)
  })

  it('translates two parallel tool calls into two function_call items', () => {
    const out = run(stream(), parseSse(fixtureText('openai-stream-tool-calls.sse')))
    expectWellFormed(out)
    expect(types(out)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      // Calls after the first come whole at the end (a server may interleave their fragments).
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ])
    const completed = frames(out).at(-1)?.data.response
    expect(completed.output.map((item: any) => [item.id, item.call_id, JSON.parse(item.arguments)])).toEqual([
      ['fc_q8UfHzX1nXbQ2oA7rT4mVwLk', 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', {city: 'Lisbon'}],
      ['fc_Z3vD0pJk9sLe7WbN1yQc5hRt', 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', {city: 'Paris'}],
    ])
    expect(completed.usage).toEqual({input_tokens: 3210, input_tokens_details: {cached_tokens: 2048}, output_tokens: 52, output_tokens_details: {reasoning_tokens: 0}, total_tokens: 3262})
  })

  it('gives calls to flattened namespace functions their namespace and name back, in every event', () => {
    const toolNames = new Map([['weather__get_weather', {namespace: 'weather', name: 'get_weather'}]])
    const fixture = fixtureText('openai-stream-tool-calls.sse').replaceAll('"name":"get_weather"', '"name":"weather__get_weather"')
    const out = run(new ChatToResponsesStream({model: 'qwen3-coder', createdAt: CREATED_AT, toolNames}), parseSse(fixture))
    expectWellFormed(out)
    const events = frames(out).map((f) => f.data)
    const added = events.filter((e) => e.type === 'response.output_item.added')
    expect(added.map((e) => [e.item.namespace, e.item.name])).toEqual([
      ['weather', 'get_weather'],
      ['weather', 'get_weather'],
    ])
    expect(events.filter((e) => e.type === 'response.function_call_arguments.done').map((e) => e.name)).toEqual(['get_weather', 'get_weather'])
    expect(events.at(-1)!.response.output.map((item: any) => [item.namespace, item.name])).toEqual([
      ['weather', 'get_weather'],
      ['weather', 'get_weather'],
    ])
    expect(JSON.stringify(out)).not.toContain('weather__get_weather')
  })

  it('ends a length-cut answer with response.incomplete, its last item incomplete, and no response.completed', () => {
    const transformer = stream()
    const out = run(transformer, [chunkEvent({role: 'assistant', content: 'The first'}), chunkEvent({content: ' step is'}, 'length'), {data: '[DONE]'}])
    expectWellFormed(out)
    const parsed = frames(out)
    expect(parsed.at(-2)).toMatchObject({event: 'response.output_item.done', data: {item: {status: 'incomplete'}}})
    expect(parsed.at(-1)?.event).toBe('response.incomplete')
    expect(parsed.at(-1)?.data.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: {reason: 'max_output_tokens'},
      output: [{content: [{text: 'The first step is'}], status: 'incomplete'}],
    })
    expect(out).not.toContain('response.completed')
    expect(transformer.complete).toBe(true)
  })

  it('a truncated stream ends with an error event and never with response.completed', () => {
    const transformer = stream()
    const events = parseSse(fixtureText('responses-chat-stream-text-tool.sse'))
    const out = run(transformer, events.slice(0, 5))
    expectWellFormed(out)
    const parsed = frames(out)
    expect(parsed.at(-2)?.event).toBe('response.function_call_arguments.delta')
    expect(parsed.at(-1)).toEqual({
      event: 'error',
      data: {
        type: 'error',
        code: 'server_error',
        message: TRUNCATED_STREAM_MESSAGE,
        param: null,
        sequence_number: parsed.length - 1,
        error: {type: 'server_error', code: 'server_error', message: TRUNCATED_STREAM_MESSAGE, param: null},
      },
    })
    expect(out).not.toContain('response.completed')
    // The cut-off call is never closed: no arguments.done, no item.done for it.
    expect(out).not.toContain('function_call_arguments.done')
    expect(parsed.filter((f) => f.event === 'response.output_item.done').map((f) => f.data.item.type)).toEqual(['message'])
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toBeNull()
    expect(transformer.end()).toBe('')
  })

  it('an empty upstream body is truncated too', () => {
    const out = run(stream(), [])
    expect(frames(out)).toEqual([{event: 'error', data: expect.objectContaining({type: 'error', message: TRUNCATED_STREAM_MESSAGE, sequence_number: 0})}])
  })

  it('a finish_reason without [DONE] is complete: end() sends the closing events', () => {
    const transformer = stream()
    transformer.push(chunkEvent({content: 'Hi'}))
    transformer.push(chunkEvent({}, 'stop'))
    expect(transformer.complete).toBe(true)
    expect(types(transformer.end())).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(transformer.end()).toBe('')
  })

  it('turns an upstream error chunk into an error event, with nothing after it', () => {
    const transformer = stream()
    const out = run(transformer, parseSse(fixtureText('openai-stream-error.sse')))
    expectWellFormed(out)
    expect(frames(out).at(-1)?.data).toMatchObject({
      type: 'error',
      code: 'server_error',
      message: 'The server had an error while processing your request. Sorry about that!',
      error: {code: 'server_error'},
    })
    expect(out).not.toContain('response.completed')
    expect(out).not.toContain(TRUNCATED_STREAM_MESSAGE)
    expect(transformer.complete).toBe(false)
  })

  it('fail() gives an error event mid-stream, silences further input, and is a no-op after completion', () => {
    const events = parseSse(fixtureText('openai-stream-text.sse'))
    const transformer = stream()
    const head = transformer.push(events[0]) + transformer.push(events[1])
    const failed = transformer.fail('upstream idle for 60s')
    expect(frames(failed)).toEqual([
      {
        event: 'error',
        data: {
          type: 'error',
          code: 'server_error',
          message: 'upstream idle for 60s',
          param: null,
          sequence_number: frames(head).length,
          error: {type: 'server_error', code: 'server_error', message: 'upstream idle for 60s', param: null},
        },
      },
    ])
    expect(transformer.push(events[2])).toBe('')
    expect(transformer.end()).toBe('')

    const done = stream()
    run(done, events)
    expect(done.fail('socket reset')).toBe('')
  })

  it('streams a refusal as a refusal content part', () => {
    const out = run(stream(), [chunkEvent({role: 'assistant', content: null, refusal: "I can't"}), chunkEvent({refusal: ' help with that.'}), chunkEvent({}, 'stop'), {data: '[DONE]'}])
    expectWellFormed(out)
    expect(types(out).slice(2, -1)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.refusal.delta',
      'response.refusal.delta',
      'response.refusal.done',
      'response.content_part.done',
      'response.output_item.done',
    ])
    expect(frames(out).at(-1)?.data.response.output[0].content).toEqual([{type: 'refusal', refusal: "I can't help with that."}])
  })

  it('opens a new message item for text after a tool call, and follows servers that omit the tool-call index', () => {
    const out = run(stream({id: 'resp_abc'}), [
      chunkEvent({tool_calls: [{id: 'call_1', type: 'function', function: {name: 'a', arguments: '{"x"'}}]}),
      chunkEvent({tool_calls: [{function: {arguments: ':1}'}}]}),
      chunkEvent({tool_calls: [{id: 'call_2', type: 'function', function: {name: 'b', arguments: '{}'}}]}),
      chunkEvent({content: 'Done.'}),
      chunkEvent({}, 'stop'),
      {data: '[DONE]'},
    ])
    expectWellFormed(out)
    const output = frames(out).at(-1)?.data.response.output
    expect(output.map((item: any) => [item.type, item.id, item.arguments ?? item.content[0].text])).toEqual([
      ['function_call', 'fc_1', '{"x":1}'],
      ['function_call', 'fc_2', '{}'],
      ['message', 'msg_abc', 'Done.'],
    ])
  })

  it('parallel calls all sent at index 0, each with its own id (Ollama, SGLang), become separate function_call items', () => {
    const out = run(stream(), [
      chunkEvent({tool_calls: [{index: 0, id: 'call_a', type: 'function', function: {name: 'write', arguments: '{"path":'}}]}),
      chunkEvent({tool_calls: [{index: 0, function: {arguments: '"a.py"}'}}]}),
      chunkEvent({tool_calls: [{index: 0, id: 'call_b', type: 'function', function: {name: 'write', arguments: '{"path":"b.py"}'}}]}),
      chunkEvent({}, 'tool_calls'),
      {data: '[DONE]'},
    ])
    expectWellFormed(out)
    const output = frames(out).at(-1)?.data.response.output
    expect(output.map((item: any) => [item.call_id, JSON.parse(item.arguments)])).toEqual([
      ['call_a', {path: 'a.py'}],
      ['call_b', {path: 'b.py'}],
    ])
  })

  it('calls streamed without ids get call ids of their own, different in every answer', () => {
    const callIds = () =>
      frames(run(stream(), [chunkEvent({tool_calls: [{index: 0, type: 'function', function: {name: 'a', arguments: '{}'}}]}), chunkEvent({}, 'tool_calls'), {data: '[DONE]'}]))
        .at(-1)!
        .data.response.output.map((item: any) => item.call_id as string)
    const [first, second] = [callIds(), callIds()]
    expect(first[0]).toMatch(/^call_[A-Za-z0-9_-]{8,}$/)
    expect(first[0]).not.toBe(second[0])
  })

  it('interleaved fragments of parallel calls (some compatible servers) reach their own items, and no item is done before its arguments are whole', () => {
    const out = run(stream(), interleavedToolCalls(chunkEvent))
    expectWellFormed(out)
    const events = frames(out).map((f) => f.data)
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => [e.item.call_id, e.item.arguments, e.item.status])
    expect(done).toEqual([
      ['call_a', '{"x":1}', 'completed'],
      ['call_b', '{"y":2}', 'completed'],
    ])
    const doneAt = new Map(events.filter((e) => e.type === 'response.output_item.done').map((e) => [e.output_index, events.indexOf(e)]))
    for (const delta of events.filter((e) => e.type === 'response.function_call_arguments.delta')) expect(events.indexOf(delta)).toBeLessThan(doneAt.get(delta.output_index)!)
    expect(events.at(-1)!.response.output.map((item: any) => item.arguments)).toEqual(['{"x":1}', '{"y":2}'])
  })

  it('text between interleaved call fragments is held and becomes a message after the calls, which stay whole', () => {
    const out = run(stream(), interleavedToolCalls(chunkEvent, 'Checking both.'))
    expectWellFormed(out)
    const events = frames(out).map((f) => f.data)
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item.arguments ?? e.item.content[0].text)
    expect(done).toEqual(['{"x":1}', '{"y":2}', 'Checking both.'])
  })

  it('echoes the request settings in every response object', () => {
    const out = run(stream({request: {input: 'x', instructions: 'Be brief.', metadata: {run: '7'}, tools: [{type: 'function', name: 'f', parameters: null, strict: null}]}}), parseSse(fixtureText('openai-stream-text.sse')))
    for (const frame of frames(out).filter((f) => f.data.response)) {
      expect(frame.data.response).toMatchObject({instructions: 'Be brief.', metadata: {run: '7'}, tools: [{name: 'f'}]})
    }
  })

  it('ends with an error event on malformed data; ignores blank data, other choices and empty deltas', () => {
    const broken = stream()
    expect(broken.push({data: ''})).toBe('')
    const error = frames(broken.push({data: 'not json'}))
    expect(error.at(-1)?.data).toMatchObject({type: 'error', message: expect.stringContaining('malformed stream event')})
    expect(broken.push(chunkEvent({content: 'late'}))).toBe('')
    const transformer = stream()
    transformer.push(chunkEvent({role: 'assistant', content: ''}))
    expect(transformer.push({data: JSON.stringify({id: 'x', choices: [{index: 1, delta: {content: 'other'}, finish_reason: null}]})})).toBe('')
    expect(transformer.push(chunkEvent({content: ''}))).toBe('')
  })

  it('composes with AnthropicToOpenAIStream: a Claude stream reaches a Responses client with tool calls and usage', () => {
    const claude = new AnthropicToOpenAIStream({model: 'claude-sonnet-4-5', created: CREATED_AT, includeUsage: true})
    const chatText = run(claude, parseSse(fixtureText('anthropic-stream-tool-use.sse')))
    const transformer = new ChatToResponsesStream({model: 'claude-sonnet-4-5', createdAt: CREATED_AT})
    const out = run(transformer, parseSse(chatText))
    expectWellFormed(out)
    const completed = frames(out).at(-1)
    expect(completed?.event).toBe('response.completed')
    expect(completed?.data.response.id).toBe('resp_01XFDUDYJgAACzvnptvVoYEL')
    expect(completed?.data.response.output.map((item: any) => (item.type === 'message' ? item.content[0].text : [item.call_id, JSON.parse(item.arguments)]))).toEqual([
      "I'll check both cities.",
      ['toolu_01T1x1fJ34qAmk2tNTrN7Up6', {city: 'Lisbon', unit: 'celsius'}],
      ['toolu_01UNv3Y8bR3X5pKq7mWzL2cd', {city: 'Paris'}],
    ])
    expect(transformer.usage).toEqual({input: 2008, output: 89, cacheRead: 1536})
    expect(completed?.data.response.usage).toMatchObject({input_tokens: 2008, input_tokens_details: {cached_tokens: 1536}, output_tokens: 89})
  })
})

describe('ResponsesPassthroughStream', () => {
  const events = parseSse(fixtureText('responses-openai-stream-text.sse'))

  it('passes every event through unchanged and records usage from response.completed', () => {
    const transformer = new ResponsesPassthroughStream()
    expect(run(transformer, events)).toBe(fixtureText('responses-openai-stream-text.sse'))
    expect(transformer.usage).toEqual({input: 19, output: 9})
    expect(transformer.complete).toBe(true)
    expect(transformer.end()).toBe('')
    expect(transformer.fail('late')).toBe('')
  })

  it('a truncated stream ends with an error event numbered after the last event, and no completion', () => {
    const transformer = new ResponsesPassthroughStream()
    const out = run(transformer, events.slice(0, 6))
    const parsed = frames(out)
    expect(parsed.at(-1)).toEqual({
      event: 'error',
      data: {
        type: 'error',
        code: 'server_error',
        message: TRUNCATED_STREAM_MESSAGE,
        param: null,
        sequence_number: 6,
        error: {type: 'server_error', code: 'server_error', message: TRUNCATED_STREAM_MESSAGE, param: null},
      },
    })
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toBeNull()
  })

  it.each(['response.incomplete', 'response.failed'])('%s is terminal and carries usage', (type) => {
    const transformer = new ResponsesPassthroughStream()
    transformer.push(events[0])
    const data = JSON.stringify({type, sequence_number: 1, response: {id: 'resp_1', status: type.slice(9), usage: {input_tokens: 7, output_tokens: 3, total_tokens: 10}}})
    expect(transformer.push({event: type, data})).toBe(`event: ${type}\ndata: ${data}\n\n`)
    expect(transformer.complete).toBe(true)
    expect(transformer.usage).toEqual({input: 7, output: 3})
    expect(transformer.end()).toBe('')
  })

  it('passes an upstream error event through and adds nothing after it', () => {
    const transformer = new ResponsesPassthroughStream()
    transformer.push(events[0])
    const data = '{"type":"error","sequence_number":1,"error":{"type":"too_many_requests","code":"too_many_requests","message":"Too Many Requests","param":null}}'
    expect(transformer.push({event: 'error', data})).toBe(`event: error\ndata: ${data}\n\n`)
    expect(transformer.end()).toBe('')
    expect(transformer.complete).toBe(false)
  })

  it('fail() mid-stream sends an error event', () => {
    const transformer = new ResponsesPassthroughStream()
    for (const event of events.slice(0, 3)) transformer.push(event)
    expect(frames(transformer.fail('upstream idle for 60s'))[0].data).toMatchObject({type: 'error', message: 'upstream idle for 60s', sequence_number: 3})
    expect(transformer.push(events[3])).toBe('')
  })
})

describe('ChainedStream (Anthropic -> Chat -> Responses)', () => {
  const chained = () =>
    new ChainedStream(
      new AnthropicToOpenAIStream({model: 'claude-sonnet-4-5', created: CREATED_AT, includeUsage: true}),
      new ChatToResponsesStream({model: 'claude-sonnet-4-5', createdAt: CREATED_AT, id: 'resp_th_1'}),
    )

  it('gives exactly what the two steps give one after the other', () => {
    const events = parseSse(fixtureText('anthropic-stream-tool-use.sse'))
    const chat = run(new AnthropicToOpenAIStream({model: 'claude-sonnet-4-5', created: CREATED_AT, includeUsage: true}), events)
    const twoSteps = run(new ChatToResponsesStream({model: 'claude-sonnet-4-5', createdAt: CREATED_AT, id: 'resp_th_1'}), parseSse(chat))
    const transformer = chained()
    expect(run(transformer, events)).toBe(twoSteps)
    expect(transformer.complete).toBe(true)
    expect(transformer.usage).toEqual({input: 2008, output: 89, cacheRead: 1536})
  })

  it('a truncated Claude stream ends with an error event and no completion', () => {
    const transformer = chained()
    const out = run(transformer, parseSse(fixtureText('anthropic-stream-text.sse')).slice(0, 5))
    expectWellFormed(out)
    expect(frames(out).at(-1)?.data).toMatchObject({type: 'error', message: TRUNCATED_STREAM_MESSAGE})
    expect(out).not.toContain('response.completed')
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toEqual({input: 25, output: 1})
    expect(transformer.end()).toBe('')
  })

  it('a Claude error event becomes an error event with its type as code', () => {
    const out = run(chained(), parseSse(fixtureText('anthropic-stream-error.sse')))
    expectWellFormed(out)
    expect(frames(out).at(-1)?.data).toMatchObject({type: 'error', code: 'overloaded_error', message: 'Overloaded'})
  })

  it('fail() sends one error event and silences both steps', () => {
    const events = parseSse(fixtureText('anthropic-stream-text.sse'))
    const transformer = chained()
    const head = transformer.push(events[0])
    expect(frames(transformer.fail('upstream idle for 60s'))).toEqual([
      {event: 'error', data: expect.objectContaining({message: 'upstream idle for 60s', sequence_number: frames(head).length})},
    ])
    expect(transformer.push(events[1])).toBe('')
    expect(transformer.end()).toBe('')
  })

  it('parseFrames reads back multi-line data and event names', () => {
    expect(parseFrames(sseFrame('a\nb', 'x') + sseFrame('{"k":1}'))).toEqual([{event: 'x', data: 'a\nb'}, {data: '{"k":1}'}])
  })
})

import {describe, expect, it} from 'vitest'
import {OpenAIToAnthropicStream} from '../../../src/providers/openai/stream-to-anthropic.js'
import {openAIResponseToAnthropic} from '../../../src/providers/openai/to-anthropic-response.js'
import {TRUNCATED_STREAM_MESSAGE, type SseEvent} from '../../../src/providers/stream.js'
import {fixtureText, frames, interleavedToolCalls, parseSse, run} from './sse-helpers.js'

const stream = (id?: string) => new OpenAIToAnthropicStream({model: 'gpt-4o', created: 1754562255, includeUsage: false, id})
const event = (type: string, data: Record<string, unknown>) => ({event: type, data: {type, ...data}})
const messageStart = (id: string, inputTokens = 0) =>
  event('message_start', {
    message: {id, type: 'message', role: 'assistant', model: 'gpt-4o', content: [], stop_reason: null, stop_sequence: null, usage: {input_tokens: inputTokens, output_tokens: 0}},
  })

/** An OpenAI chunk as the upstream sends it. */
const openAIChunk = (delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}): SseEvent => ({
  data: JSON.stringify({
    id: 'chatcmpl-C3g9MixedQ1w2e3r4t5y6u7i',
    object: 'chat.completion.chunk',
    created: 1754562400,
    model: 'gpt-4o-2024-08-06',
    choices: [{index: 0, delta, logprobs: null, finish_reason: finishReason}],
    usage: null,
    ...extra,
  }),
})

/** Each content block's text or JSON, put together from its deltas; fails on a delta after the block's stop. */
function blockContents(out: ReturnType<typeof frames>): Map<number, string> {
  const stopped = new Set<number>()
  const content = new Map<number, string>()
  for (const frame of out) {
    if (frame.event === 'content_block_stop') stopped.add(frame.data.index)
    if (frame.event === 'content_block_delta') {
      expect(stopped.has(frame.data.index), 'delta after stop').toBe(false)
      content.set(frame.data.index, (content.get(frame.data.index) ?? '') + (frame.data.delta.partial_json ?? frame.data.delta.text))
    }
  }
  return content
}

describe('OpenAIToAnthropicStream', () => {
  it('translates a parallel tool-call stream event by event, arguments split mid-JSON, usage at the end', () => {
    const transformer = stream()
    const out = run(transformer, parseSse(fixtureText('openai-stream-tool-calls.sse')))
    expect(frames(out)).toEqual([
      messageStart('msg_C3g2Yb4NfU7xQe1cRk9wJm3A'),
      event('content_block_start', {index: 0, content_block: {type: 'tool_use', id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', name: 'get_weather', input: {}}}),
      event('content_block_delta', {index: 0, delta: {type: 'input_json_delta', partial_json: '{"ci'}}),
      event('content_block_delta', {index: 0, delta: {type: 'input_json_delta', partial_json: 'ty": "Lisbon"}'}}),
      event('content_block_stop', {index: 0}),
      event('content_block_start', {index: 1, content_block: {type: 'tool_use', id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', name: 'get_weather', input: {}}}),
      // Calls after the first come whole at the end (a server may interleave their fragments).
      event('content_block_delta', {index: 1, delta: {type: 'input_json_delta', partial_json: '{"city": "Paris"}'}}),
      event('content_block_stop', {index: 1}),
      event('message_delta', {delta: {stop_reason: 'tool_use', stop_sequence: null}, usage: {input_tokens: 3210 - 2048, output_tokens: 52, cache_read_input_tokens: 2048}}),
      event('message_stop', {}),
    ])
    expect(transformer.complete).toBe(true)
    expect(transformer.usage).toEqual({input: 3210, output: 52, cacheRead: 2048})
  })

  it('translates a text stream; the empty first delta opens no block', () => {
    const transformer = stream()
    const out = run(transformer, parseSse(fixtureText('openai-stream-text.sse')))
    expect(frames(out)).toEqual([
      messageStart('msg_C3g1kP8wQ2fX9vLr0TnB6yHs'),
      event('content_block_start', {index: 0, content_block: {type: 'text', text: ''}}),
      event('content_block_delta', {index: 0, delta: {type: 'text_delta', text: 'Hello'}}),
      event('content_block_delta', {index: 0, delta: {type: 'text_delta', text: '! How can I help?'}}),
      event('content_block_stop', {index: 0}),
      event('message_delta', {delta: {stop_reason: 'end_turn', stop_sequence: null}, usage: {input_tokens: 19, output_tokens: 9}}),
      event('message_stop', {}),
    ])
    expect(transformer.usage).toEqual({input: 19, output: 9})
  })

  it('closes the text block before opening a tool_use block, and uses the id it is given', () => {
    const transformer = stream('msg_tokenhub_1')
    const out = run(transformer, [
      openAIChunk({role: 'assistant', content: 'Let me check.'}),
      openAIChunk({tool_calls: [{index: 0, id: 'call_abc', type: 'function', function: {name: 'lookup', arguments: '{"id":'}}]}),
      openAIChunk({tool_calls: [{index: 0, function: {arguments: '7}'}}]}),
      openAIChunk({}, 'tool_calls'),
      {data: '[DONE]'},
    ])
    expect(frames(out).map((f) => [f.event, f.data.index ?? null])).toEqual([
      ['message_start', null],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
      ['content_block_delta', 1],
      ['content_block_stop', 1],
      ['message_delta', null],
      ['message_stop', null],
    ])
    expect(frames(out)[0].data.message.id).toBe('msg_tokenhub_1')
    // Without a usage chunk the client is told an estimate (Claude Code sizes its context by it);
    // for accounting the usage stays unknown.
    // 'Let me check.' (13) + 'lookup' (6) + '{"id":7}' (8) = 27 characters, ~7 tokens; no prompt estimate given.
    expect(frames(out)[8].data).toEqual({type: 'message_delta', delta: {stop_reason: 'tool_use', stop_sequence: null}, usage: {input_tokens: 0, output_tokens: 7}})
    expect(transformer.usage).toBeNull()
  })

  it("tells the client the gateway's prompt estimate when the upstream reports no usage, and the upstream's count when it does", () => {
    const events = [openAIChunk({role: 'assistant', content: 'Hello there, friend!'}), openAIChunk({}, 'stop'), {data: '[DONE]'}]
    const estimated = run(new OpenAIToAnthropicStream({model: 'gpt-4o', created: 1, includeUsage: false, inputEstimate: 1234}), events)
    expect(frames(estimated).find((frame) => frame.event === 'message_delta')?.data.usage).toEqual({input_tokens: 1234, output_tokens: 5})
    // message_start says it from the start, as Anthropic does with its own count.
    expect(frames(estimated).find((frame) => frame.event === 'message_start')?.data.message.usage).toEqual({input_tokens: 1234, output_tokens: 0})
    const usageChunk = openAIChunk({}, null, {choices: [], usage: {prompt_tokens: 1500, completion_tokens: 6}})
    const reported = run(new OpenAIToAnthropicStream({model: 'gpt-4o', created: 1, includeUsage: false, inputEstimate: 1234}), [...events.slice(0, 2), usageChunk, events[2]])
    expect(frames(reported).find((frame) => frame.event === 'message_delta')?.data.usage).toEqual({input_tokens: 1500, output_tokens: 6})
    const whole = openAIResponseToAnthropic({id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{index: 0, message: {role: 'assistant', content: 'Hello there, friend!'}, finish_reason: 'stop'}]} as never, {model: 'gpt-4o', inputEstimate: 99})
    expect(whole.usage).toEqual({input_tokens: 99, output_tokens: 5})
  })

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
  ])('maps finish_reason %s to stop_reason %s', (finishReason, stopReason) => {
    const out = frames(run(stream(), [openAIChunk({content: 'x'}), openAIChunk({}, finishReason), {data: '[DONE]'}]))
    expect(out.find((f) => f.event === 'message_delta')?.data.delta.stop_reason).toBe(stopReason)
  })

  it('a refusal (delta.refusal, finish_reason stop) ends with stop_reason refusal, in streams and whole answers', async () => {
    const out = frames(run(stream(), [openAIChunk({role: 'assistant', refusal: "I can't help with that."}), openAIChunk({}, 'stop'), {data: '[DONE]'}]))
    expect(out.find((f) => f.event === 'content_block_delta')?.data.delta.text).toBe("I can't help with that.")
    expect(out.find((f) => f.event === 'message_delta')?.data.delta.stop_reason).toBe('refusal')
    const {openAIResponseToAnthropic} = await import('../../../src/providers/openai/to-anthropic-response.js')
    const whole = openAIResponseToAnthropic({id: 'c', choices: [{index: 0, message: {role: 'assistant', content: null, refusal: 'No.'}, finish_reason: 'stop'}]} as never, {model: 'm'})
    expect(whole).toMatchObject({content: [{type: 'text', text: 'No.'}], stop_reason: 'refusal'})
  })

  it('finish_reason followed by end() without [DONE] still closes the message', () => {
    const transformer = stream()
    let out = transformer.push(openAIChunk({content: 'Done.'}))
    out += transformer.push(openAIChunk({}, 'stop'))
    expect(transformer.complete).toBe(true)
    out += transformer.end()
    expect(frames(out).map((f) => f.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'])
    expect(transformer.end()).toBe('')
  })

  it('a truncated stream ends with an error event and no message_stop', () => {
    const events = parseSse(fixtureText('openai-stream-text.sse')).slice(0, 3)
    const transformer = stream()
    const out = run(transformer, events)
    const result = frames(out)
    expect(result.at(-1)).toEqual({event: 'error', data: {type: 'error', error: {type: 'api_error', message: TRUNCATED_STREAM_MESSAGE}}})
    expect(result.map((f) => f.event)).not.toContain('message_stop')
    expect(result.map((f) => f.event)).not.toContain('message_delta')
    expect(transformer.complete).toBe(false)
  })

  it('turns an error chunk into an Anthropic error event, with nothing after it', () => {
    const transformer = stream()
    const out = run(transformer, parseSse(fixtureText('openai-stream-error.sse')))
    const result = frames(out)
    expect(result.map((f) => f.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'error'])
    expect(result[3].data).toEqual({
      type: 'error',
      error: {type: 'api_error', message: 'The server had an error while processing your request. Sorry about that!'},
    })
    expect(transformer.complete).toBe(false)
    expect(transformer.push({data: '[DONE]'})).toBe('')
  })

  it('fail() gives an error event and never a message_stop', () => {
    const transformer = stream()
    transformer.push(openAIChunk({content: 'partial'}))
    expect(frames(transformer.fail('upstream connection reset'))).toEqual([
      {event: 'error', data: {type: 'error', error: {type: 'api_error', message: 'upstream connection reset'}}},
    ])
    expect(transformer.end()).toBe('')
  })

  it('reads usage a server sends on the finish chunk, and ignores blank data', () => {
    const transformer = stream()
    transformer.push({data: ' '})
    transformer.push(openAIChunk({content: 'ok'}))
    const out = transformer.push(openAIChunk({}, 'stop', {usage: {prompt_tokens: 11, completion_tokens: 2, total_tokens: 13}})) + transformer.end()
    expect(frames(out).find((f) => f.event === 'message_delta')?.data.usage).toEqual({input_tokens: 11, output_tokens: 2})
    expect(transformer.usage).toEqual({input: 11, output: 2})
  })

  it('tool calls without an index (some compatible servers) still become separate blocks', () => {
    const out = frames(
      run(stream(), [
        openAIChunk({tool_calls: [{id: 'call_1', type: 'function', function: {name: 'a', arguments: '{}'}}]}),
        openAIChunk({tool_calls: [{id: 'call_2', type: 'function', function: {name: 'b', arguments: '{"x":'}}]}),
        openAIChunk({tool_calls: [{function: {arguments: '1}'}}]}),
        openAIChunk({}, 'tool_calls'),
        {data: '[DONE]'},
      ]),
    )
    const starts = out.filter((f) => f.event === 'content_block_start').map((f) => [f.data.index, f.data.content_block.name])
    expect(starts).toEqual([
      [0, 'a'],
      [1, 'b'],
    ])
    const deltas = out.filter((f) => f.event === 'content_block_delta').map((f) => [f.data.index, f.data.delta.partial_json])
    expect(deltas).toEqual([
      [0, '{}'],
      [1, '{"x":1}'],
    ])
  })

  it('parallel calls all sent at index 0, each with its own id (Ollama, SGLang), become separate blocks with whole JSON', () => {
    const out = frames(
      run(stream(), [
        openAIChunk({tool_calls: [{index: 0, id: 'call_a', type: 'function', function: {name: 'write', arguments: '{"path":'}}]}),
        openAIChunk({tool_calls: [{index: 0, function: {arguments: '"a.py"}'}}]}),
        openAIChunk({tool_calls: [{index: 0, id: 'call_b', type: 'function', function: {name: 'write', arguments: '{"path":"b.py"}'}}]}),
        openAIChunk({}, 'tool_calls'),
        {data: '[DONE]'},
      ]),
    )
    expect(out.filter((f) => f.event === 'content_block_start').map((f) => f.data.content_block.id)).toEqual(['call_a', 'call_b'])
    expect([...blockContents(out)].map(([, json]) => JSON.parse(json))).toEqual([{path: 'a.py'}, {path: 'b.py'}])
  })

  it('calls streamed without ids get ids of their own, different in every answer', () => {
    const ids = () =>
      frames(
        run(stream(), [
          openAIChunk({tool_calls: [{index: 0, type: 'function', function: {name: 'a', arguments: '{}'}}]}),
          openAIChunk({tool_calls: [{index: 1, type: 'function', function: {name: 'b', arguments: '{}'}}]}),
          openAIChunk({}, 'tool_calls'),
          {data: '[DONE]'},
        ]),
      )
        .filter((f) => f.event === 'content_block_start')
        .map((f) => f.data.content_block.id as string)
    const [first, second] = [ids(), ids()]
    for (const id of [...first, ...second]) expect(id).toMatch(/^toolu_[A-Za-z0-9_-]{8,}$/)
    expect(new Set([...first, ...second]).size).toBe(4)
  })

  it('interleaved fragments of parallel calls (some compatible servers) each reach their own block, and no block gets a delta after its stop', () => {
    const out = frames(
      run(stream(), interleavedToolCalls(openAIChunk)),
    )
    expect([...blockContents(out)]).toEqual([
      [0, '{"x":1}'],
      [1, '{"y":2}'],
    ])
    expect(out.filter((f) => f.event === 'content_block_start').map((f) => f.data.content_block.id)).toEqual(['call_a', 'call_b'])
    expect(out.at(-2)?.data.delta.stop_reason).toBe('tool_use')
  })

  it('text between interleaved fragments is held too and goes out after the calls, which stay whole', () => {
    const out = frames(
      run(stream(), interleavedToolCalls(openAIChunk, 'Checking both.')),
    )
    expect([...blockContents(out)]).toEqual([
      [0, '{"x":1}'],
      [1, '{"y":2}'],
      [2, 'Checking both.'],
    ])
    expect(out.filter((f) => f.event === 'content_block_start').map((f) => f.data.content_block.name ?? f.data.content_block.type)).toEqual(['a', 'b', 'text'])
  })

  it('[DONE] before any content or finish reason is a cut-off answer, not an empty end_turn', () => {
    const transformer = stream()
    const out = frames(run(transformer, [{data: '[DONE]'}]))
    expect(out.map((f) => f.event)).toEqual(['error'])
    expect(transformer.complete).toBe(false)
    // With content, [DONE] without a finish reason is taken as the end (lenient servers).
    const lenient = frames(run(stream(), [openAIChunk({content: 'hi'}), {data: '[DONE]'}]))
    expect(lenient.at(-1)?.event).toBe('message_stop')
  })

  it('malformed data ends the stream with an error event, never message_stop', () => {
    const transformer = stream()
    const out = frames(run(transformer, [openAIChunk({role: 'assistant', content: ''}), {data: '{not json at all'}, {data: '[DONE]'}]))
    expect(out.at(-1)).toMatchObject({event: 'error', data: {error: {message: expect.stringContaining('malformed stream event')}}})
    expect(out.map((f) => f.event)).not.toContain('message_stop')
    expect(transformer.complete).toBe(false)
  })
})

import {describe, expect, it} from 'vitest'
import {AnthropicToOpenAIStream} from '../../../src/providers/anthropic/stream-to-openai.js'
import {TRUNCATED_STREAM_MESSAGE} from '../../../src/providers/stream.js'
import {fixtureText, frames, parseSse, run} from './sse-helpers.js'

const CREATED = 1754562255
const stream = (includeUsage: boolean, id?: string) => new AnthropicToOpenAIStream({model: 'claude-sonnet-4-5', created: CREATED, includeUsage, id})

/** The chunk envelope every frame carries. */
const chunk = (id: string, delta: Record<string, unknown>, finishReason: string | null = null) => ({
  data: {id, object: 'chat.completion.chunk', created: CREATED, model: 'claude-sonnet-4-5', choices: [{index: 0, delta, finish_reason: finishReason}]},
})

describe('AnthropicToOpenAIStream', () => {
  it('translates a tool-use stream event by event: thinking dropped, text, two tool calls with split JSON, usage', () => {
    const transformer = stream(true)
    const out = run(transformer, parseSse(fixtureText('anthropic-stream-tool-use.sse')))
    const id = 'chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL'
    expect(frames(out)).toEqual([
      chunk(id, {role: 'assistant', content: ''}),
      chunk(id, {content: "I'll check"}),
      chunk(id, {content: ' both cities.'}),
      chunk(id, {tool_calls: [{index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: {name: 'get_weather', arguments: ''}}]}),
      chunk(id, {tool_calls: [{index: 0, function: {arguments: '{"city": "Lis'}}]}),
      chunk(id, {tool_calls: [{index: 0, function: {arguments: 'bon", "unit": "cel'}}]}),
      chunk(id, {tool_calls: [{index: 0, function: {arguments: 'sius"}'}}]}),
      chunk(id, {tool_calls: [{index: 1, id: 'toolu_01UNv3Y8bR3X5pKq7mWzL2cd', type: 'function', function: {name: 'get_weather', arguments: ''}}]}),
      chunk(id, {tool_calls: [{index: 1, function: {arguments: '{"city": "Paris"}'}}]}),
      chunk(id, {}, 'tool_calls'),
      {
        data: {
          id,
          object: 'chat.completion.chunk',
          created: CREATED,
          model: 'claude-sonnet-4-5',
          choices: [],
          usage: {prompt_tokens: 472 + 1536, completion_tokens: 89, total_tokens: 472 + 1536 + 89, prompt_tokens_details: {cached_tokens: 1536}},
        },
      },
      {data: '[DONE]'},
    ])
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(transformer.complete).toBe(true)
    expect(transformer.usage).toEqual({input: 2008, output: 89, cacheRead: 1536})
  })

  it('assembles tool-call arguments that parse as the JSON Anthropic streamed', () => {
    const out = frames(run(stream(false), parseSse(fixtureText('anthropic-stream-tool-use.sse'))))
    const args = ['', '']
    for (const frame of out) {
      for (const call of frame.data?.choices?.[0]?.delta?.tool_calls ?? []) args[call.index] += call.function.arguments
    }
    expect(args.map((a) => JSON.parse(a))).toEqual([{city: 'Lisbon', unit: 'celsius'}, {city: 'Paris'}])
  })

  it('a tool call without arguments ends with "{}" (as OpenAI sends it), streamed or given whole, and only once', () => {
    const transformer = stream(false)
    const ev = (data: Record<string, unknown>) => ({event: String(data.type), data: JSON.stringify(data)})
    const out = run(transformer, [
      ev({type: 'message_start', message: {id: 'msg_01E', usage: {input_tokens: 5, output_tokens: 1}}}),
      ev({type: 'content_block_start', index: 0, content_block: {type: 'tool_use', id: 'toolu_1', name: 'list_files', input: {}}}),
      ev({type: 'content_block_delta', index: 0, delta: {type: 'input_json_delta', partial_json: ''}}),
      ev({type: 'content_block_stop', index: 0}),
      ev({type: 'content_block_start', index: 1, content_block: {type: 'tool_use', id: 'toolu_2', name: 'read', input: {}}}),
      ev({type: 'content_block_delta', index: 1, delta: {type: 'input_json_delta', partial_json: '{"path":"a"}'}}),
      ev({type: 'content_block_stop', index: 1}),
      ev({type: 'content_block_start', index: 2, content_block: {type: 'tool_use', id: 'toolu_3', name: 'now', input: {tz: 'UTC'}}}),
      ev({type: 'content_block_stop', index: 2}),
      ev({type: 'content_block_start', index: 3, content_block: {type: 'text', text: ''}}),
      ev({type: 'content_block_stop', index: 3}),
      ev({type: 'message_delta', delta: {stop_reason: 'tool_use'}, usage: {output_tokens: 9}}),
      ev({type: 'message_stop'}),
    ])
    const args = ['', '', '']
    let pieces = 0
    for (const frame of frames(out)) {
      for (const call of frame.data?.choices?.[0]?.delta?.tool_calls ?? []) {
        args[call.index] += call.function.arguments
        pieces++
      }
    }
    expect(args).toEqual(['{}', '{"path":"a"}', '{"tz":"UTC"}'])
    expect(pieces).toBe(5) // three openings, "{}" for the first, one delta for the second
  })

  it('translates a text stream and sends no usage chunk when the client did not ask for it', () => {
    const transformer = stream(false)
    const out = run(transformer, parseSse(fixtureText('anthropic-stream-text.sse')))
    const id = 'chatcmpl-msg_01HCDu5LRGeP2o7s2xGmxyx8'
    expect(frames(out)).toEqual([
      chunk(id, {role: 'assistant', content: ''}),
      chunk(id, {content: 'Hello'}),
      chunk(id, {content: '! How can I help?'}),
      chunk(id, {}, 'stop'),
      {data: '[DONE]'},
    ])
    // Usage is still recorded for accounting.
    expect(transformer.usage).toEqual({input: 25, output: 12})
  })

  it('uses the id it is given', () => {
    const out = frames(run(stream(false, 'chatcmpl-tokenhub-42'), parseSse(fixtureText('anthropic-stream-text.sse'))))
    expect(out[0].data.id).toBe('chatcmpl-tokenhub-42')
  })

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['refusal', 'content_filter'],
    ['end_turn', 'stop'],
  ])('maps stop_reason %s to finish_reason %s', (stopReason, finishReason) => {
    const transformer = stream(false)
    transformer.push({event: 'message_start', data: JSON.stringify({type: 'message_start', message: {id: 'msg_01A', usage: {input_tokens: 5, output_tokens: 1}}})})
    const out = transformer.push({
      event: 'message_delta',
      data: JSON.stringify({type: 'message_delta', delta: {stop_reason: stopReason, stop_sequence: null}, usage: {output_tokens: 7}}),
    })
    expect(frames(out)[0].data.choices[0]).toEqual({index: 0, delta: {}, finish_reason: finishReason})
  })

  it('turns an upstream error event into an OpenAI error frame, with no [DONE] after it', () => {
    const transformer = stream(true)
    const out = run(transformer, parseSse(fixtureText('anthropic-stream-error.sse')))
    const result = frames(out)
    expect(result.at(-1)).toEqual({data: {error: {message: 'Overloaded', type: 'overloaded_error'}}})
    expect(result.slice(0, 2).map((f) => f.data.choices[0].delta)).toEqual([{role: 'assistant', content: ''}, {content: 'The first step is'}])
    expect(out).not.toContain('[DONE]')
    expect(transformer.complete).toBe(false)
    expect(transformer.end()).toBe('')
  })

  it('a truncated stream ends with an error frame and no [DONE]', () => {
    const events = parseSse(fixtureText('anthropic-stream-text.sse'))
    const transformer = stream(true)
    let out = ''
    for (const event of events.slice(0, 5)) out += transformer.push(event)
    const tail = transformer.end()
    expect(frames(tail)).toEqual([{data: {error: {message: TRUNCATED_STREAM_MESSAGE, type: 'api_error'}}}])
    expect(out + tail).not.toContain('[DONE]')
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toEqual({input: 25, output: 1})
  })

  it('message_delta without message_stop is still incomplete', () => {
    const events = parseSse(fixtureText('anthropic-stream-text.sse')).filter((e) => e.event !== 'message_stop')
    const out = run(stream(false), events)
    expect(out).not.toContain('[DONE]')
    expect(frames(out).at(-1)?.data.error.message).toBe(TRUNCATED_STREAM_MESSAGE)
  })

  it('fail() gives an error frame mid-stream, nothing after completion, and silences further input', () => {
    const events = parseSse(fixtureText('anthropic-stream-text.sse'))
    const transformer = stream(false)
    transformer.push(events[0])
    expect(frames(transformer.fail('upstream idle for 60s'))).toEqual([{data: {error: {message: 'upstream idle for 60s', type: 'api_error'}}}])
    expect(transformer.push(events[3])).toBe('')
    expect(transformer.end()).toBe('')

    const done = stream(false)
    run(done, events)
    expect(done.fail('socket reset')).toBe('')
  })

  it('ignores pings, unknown events and blank data; malformed data ends the stream with an error', () => {
    const transformer = stream(false)
    expect(transformer.push({event: 'ping', data: '{"type": "ping"}'})).toBe('')
    expect(transformer.push({event: 'future_event', data: '{"type":"future_event"}'})).toBe('')
    expect(transformer.push({data: ''})).toBe('')
    expect(transformer.usage).toBeNull()
    const out = transformer.push({data: 'not json'})
    expect(out).toContain('malformed stream event')
    expect(out).not.toContain('[DONE]')
    expect(transformer.end()).toBe('')
  })

  it('takes cumulative input counts from message_delta when newer API versions send them', () => {
    const transformer = stream(true)
    transformer.push({event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_01B","usage":{"input_tokens":0,"output_tokens":1}}}'})
    transformer.push({
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":310,"cache_read_input_tokens":90,"output_tokens":40}}',
    })
    const out = frames(transformer.push({event: 'message_stop', data: '{"type":"message_stop"}'}))
    expect(out[0].data.usage).toEqual({prompt_tokens: 400, completion_tokens: 40, total_tokens: 440, prompt_tokens_details: {cached_tokens: 90}})
    expect(transformer.usage).toEqual({input: 400, output: 40, cacheRead: 90})
  })

  it('a whole stream whose message_delta reports no usage has none (billed as an answer without a report, not 1 output token)', () => {
    const transformer = stream(false)
    run(transformer, [
      {event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":200,"output_tokens":1}}}'},
      {event: 'content_block_start', data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'},
      {event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a long answer"}}'},
      {event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}'},
      {event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"}}'},
      {event: 'message_stop', data: '{"type":"message_stop"}'},
    ])
    expect(transformer.complete).toBe(true)
    expect(transformer.usage).toBeNull()
  })
})

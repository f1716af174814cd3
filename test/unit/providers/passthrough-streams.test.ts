import {describe, expect, it} from 'vitest'
import {AnthropicPassthroughStream} from '../../../src/providers/anthropic/passthrough-stream.js'
import {OpenAIPassthroughStream} from '../../../src/providers/openai/passthrough-stream.js'
import {ResponsesPassthroughStream} from '../../../src/providers/responses/passthrough-stream.js'
import {TRUNCATED_STREAM_MESSAGE, sseFrame} from '../../../src/providers/stream.js'
import {fixtureText, frames, parseSse, run} from './sse-helpers.js'

describe('OpenAIPassthroughStream', () => {
  const events = parseSse(fixtureText('openai-stream-text.sse'))

  it('strips the usage-only chunk the client did not ask for, records usage, keeps [DONE]', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: false})
    const out = run(transformer, events)
    const expected = events.filter((_, i) => i !== 4)
    expect(out).toBe(expected.map((e) => `data: ${e.data}\n\n`).join(''))
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(out).not.toContain('"prompt_tokens"')
    expect(transformer.usage).toEqual({input: 19, output: 9})
    expect(transformer.complete).toBe(true)
  })

  it('passes every event through unchanged when the client asked for usage', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: true})
    expect(run(transformer, events)).toBe(fixtureText('openai-stream-text.sse'))
    expect(transformer.usage).toEqual({input: 19, output: 9})
  })

  it('keeps a usage field that rides on a chunk with choices (it carries content)', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: false})
    const data = '{"id":"chatcmpl-x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}'
    expect(transformer.push({data})).toBe(`data: ${data}\n\n`)
    expect(transformer.usage).toEqual({input: 4, output: 2})
  })

  it('reads state only from real keys: content that talks about usage, errors and finish_reason is just content', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: false})
    const content = '{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"set \\"usage\\": 1, \\"error\\": x, \\"finish_reason\\": \\"stop\\""},"finish_reason":null}]}'
    expect(JSON.parse(content).choices[0].delta.content).toBe('set "usage": 1, "error": x, "finish_reason": "stop"')
    expect(transformer.push({data: content})).toBe(`data: ${content}\n\n`)
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toBeNull()
    // Spacing around the colon does not hide a finish reason; a usage-only chunk is still recognised.
    transformer.push({data: '{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason" : "length"}]}'})
    expect(transformer.complete).toBe(true)
    expect(transformer.push({data: '{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}'})).toBe('')
    expect(transformer.usage).toEqual({input: 3, output: 5})
  })

  it('a truncated stream ends with an error frame and no [DONE]', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: true})
    const out = run(transformer, events.slice(0, 3))
    expect(frames(out).at(-1)).toEqual({data: {error: {message: TRUNCATED_STREAM_MESSAGE, type: 'api_error'}}})
    expect(out).not.toContain('[DONE]')
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toBeNull()
  })

  it('a finish_reason without [DONE] is complete: end() sends the [DONE]', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: false})
    for (const e of events.slice(0, 4)) transformer.push(e)
    expect(transformer.complete).toBe(true)
    expect(transformer.end()).toBe('data: [DONE]\n\n')
    expect(transformer.end()).toBe('')
  })

  it('passes an upstream error chunk through and adds nothing after it', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: false})
    const out = run(transformer, parseSse(fixtureText('openai-stream-error.sse')))
    expect(frames(out).at(-1)?.data.error.type).toBe('server_error')
    expect(out).not.toContain('[DONE]')
    expect(out).not.toContain(TRUNCATED_STREAM_MESSAGE)
  })

  it('fail() sends an error frame, but nothing once [DONE] went out', () => {
    const midway = new OpenAIPassthroughStream({includeUsage: false})
    midway.push(events[0])
    expect(frames(midway.fail('upstream idle timeout'))).toEqual([{data: {error: {message: 'upstream idle timeout', type: 'api_error'}}}])
    const finished = new OpenAIPassthroughStream({includeUsage: false})
    run(finished, events)
    expect(finished.fail('late reset')).toBe('')
  })
})

describe('passthrough streams and garbage from the upstream', () => {
  it('OpenAI: a line that is not a JSON object ends the stream with an error frame, not relayed, no [DONE]', () => {
    const transformer = new OpenAIPassthroughStream({includeUsage: false})
    const first = '{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}'
    expect(transformer.push({data: first})).toBe(`data: ${first}\n\n`)
    expect(transformer.push({data: ''})).toBe('')
    const out = transformer.push({data: '{not json at all'})
    expect(out).not.toContain('not json at all')
    expect(frames(out)[0].data).toMatchObject({error: {message: expect.stringContaining('malformed stream event')}})
    expect(transformer.push({data: '[DONE]'}) + transformer.end()).toBe('')
    expect(transformer.complete).toBe(false)
    // Braces around garbage that would carry state are parsed, and caught too.
    const other = new OpenAIPassthroughStream({includeUsage: false})
    expect(other.push({data: '{"usage": oops}'})).toContain('malformed stream event')
  })

  it('Anthropic: the same, before the garbage reaches the client', () => {
    const transformer = new AnthropicPassthroughStream()
    const out = transformer.push({event: 'content_block_delta', data: 'data-that-is-not-json'})
    expect(out).not.toContain('data-that-is-not-json')
    expect(frames(out)[0]).toMatchObject({event: 'error', data: {error: {message: expect.stringContaining('malformed stream event')}}})
    expect(transformer.end()).toBe('')
  })
})

describe('AnthropicPassthroughStream', () => {
  it('re-frames every event unchanged and records usage from message_start and message_delta', () => {
    const transformer = new AnthropicPassthroughStream()
    const text = fixtureText('anthropic-stream-tool-use.sse')
    expect(run(transformer, parseSse(text))).toBe(text)
    expect(transformer.usage).toEqual({input: 472 + 1536, output: 89, cacheRead: 1536})
    expect(transformer.complete).toBe(true)
  })

  it('a truncated stream ends with an error event and no message_stop', () => {
    const transformer = new AnthropicPassthroughStream()
    const events = parseSse(fixtureText('anthropic-stream-text.sse')).slice(0, -1)
    const out = run(transformer, events)
    expect(frames(out).at(-1)).toEqual({event: 'error', data: {type: 'error', error: {type: 'api_error', message: TRUNCATED_STREAM_MESSAGE}}})
    expect(out).not.toContain('message_stop')
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toEqual({input: 25, output: 12})
  })

  it('passes an upstream error event through and adds nothing after it', () => {
    const transformer = new AnthropicPassthroughStream()
    const text = fixtureText('anthropic-stream-error.sse')
    expect(run(transformer, parseSse(text))).toBe(text)
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toEqual({input: 1830, output: 1})
  })

  it('fail() sends an error event, but nothing after message_stop', () => {
    const events = parseSse(fixtureText('anthropic-stream-text.sse'))
    const midway = new AnthropicPassthroughStream()
    midway.push(events[0])
    expect(midway.fail('upstream reset')).toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"upstream reset"}}\n\n')
    const finished = new AnthropicPassthroughStream()
    run(finished, events)
    expect(finished.fail('late')).toBe('')
  })

  it('reads events that arrive without an event name', () => {
    const transformer = new AnthropicPassthroughStream()
    transformer.push({data: '{"type":"message_start","message":{"id":"msg_01C","usage":{"input_tokens":7,"output_tokens":1}}}'})
    transformer.push({data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12}}'})
    transformer.push({data: '{"type":"message_stop"}'})
    expect(transformer.usage).toEqual({input: 7, output: 12})
    expect(transformer.complete).toBe(true)
  })

  it('a whole stream without a final usage report has no usage (message_start\'s 1 output token is a placeholder); a cut-off one keeps its partial counts', () => {
    const whole = new AnthropicPassthroughStream()
    whole.push({event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_01D","usage":{"input_tokens":200,"output_tokens":1}}}'})
    expect(whole.usage).toEqual({input: 200, output: 1})
    whole.push({event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"}}'})
    whole.push({event: 'message_stop', data: '{"type":"message_stop"}'})
    expect(whole.complete).toBe(true)
    expect(whole.usage).toBeNull()
  })
})

describe('an upstream error relayed by a pass-through stream', () => {
  const words = 'Rate limit reached in organization org-AbCdEf123456; see https://platform.openai.com/account/limits'
  const scrubbed = (out: string) => {
    expect(out).toContain('org-[REDACTED]')
    expect(out).toContain('[URL]')
    expect(out).not.toContain('AbCdEf123456')
    expect(out).not.toContain('platform.openai.com')
  }

  it('has its words scrubbed as on the HTTP error path (account ids, URLs), its shape kept; harmless words go byte for byte', () => {
    const openai = run(new OpenAIPassthroughStream({includeUsage: false}), [{data: JSON.stringify({error: {message: words, type: 'tokens', code: 'rate_limit_exceeded'}})}])
    scrubbed(openai)
    expect(frames(openai)[0].data.error).toMatchObject({type: 'tokens', code: 'rate_limit_exceeded'})
    const anthropic = run(new AnthropicPassthroughStream(), [{event: 'error', data: JSON.stringify({type: 'error', error: {type: 'rate_limit_error', message: words}})}])
    scrubbed(anthropic)
    expect(anthropic.startsWith('event: error\n')).toBe(true)
    const failed = JSON.stringify({type: 'response.failed', sequence_number: 3, response: {id: 'resp_1', object: 'response', status: 'failed', error: {code: 'rate_limit_exceeded', message: words}, usage: null}})
    const responses = run(new ResponsesPassthroughStream(), [{event: 'response.failed', data: failed}])
    scrubbed(responses)
    expect(frames(responses)[0].data.response).toMatchObject({id: 'resp_1', status: 'failed', error: {code: 'rate_limit_exceeded'}})
    const flat = run(new ResponsesPassthroughStream(), [{event: 'error', data: JSON.stringify({type: 'error', code: 'rate_limit_exceeded', message: words, sequence_number: 2})}])
    scrubbed(flat)
    const plain = JSON.stringify({error: {message: 'The server had an error while processing your request.', type: 'server_error'}})
    expect(run(new OpenAIPassthroughStream({includeUsage: false}), [{data: plain}])).toBe(`data: ${plain}\n\n`)
  })
})

describe('sseFrame', () => {
  it('writes event and data lines, splitting multi-line data', () => {
    expect(sseFrame('{"a":1}')).toBe('data: {"a":1}\n\n')
    expect(sseFrame('{"type":"ping"}', 'ping')).toBe('event: ping\ndata: {"type":"ping"}\n\n')
    expect(sseFrame('line1\nline2\r\nline3')).toBe('data: line1\ndata: line2\ndata: line3\n\n')
  })
})

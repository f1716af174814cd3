/**
 * A gpt-5-codex Responses stream to a Chat client (ResponsesToChatStream) and, chained with the
 * Chat -> Anthropic step, to an Anthropic client (Claude Code); the official SDKs read the results.
 */
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {describe, expect, it} from 'vitest'
import {OpenAIToAnthropicStream} from '../../../src/providers/openai/stream-to-anthropic.js'
import {ChainedStream} from '../../../src/providers/responses/chained-stream.js'
import {ResponsesToChatStream} from '../../../src/providers/responses/stream-to-chat.js'
import {MALFORMED_STREAM_MESSAGE, TRUNCATED_STREAM_MESSAGE, type SseEvent} from '../../../src/providers/stream.js'
import {fixtureText, frames, parseSse, run} from './sse-helpers.js'

const CREATED = 1758634700
const ID = 'chatcmpl-68d2a1c4e0b48193a6f1d2c3b4a59687'
const stream = (includeUsage = true) => new ResponsesToChatStream({model: 'codex', created: CREATED, includeUsage})
const fixture = () => parseSse(fixtureText('responses-openai-stream-reasoning-tool.sse'))

/** Expected chunks: each a delta (or a usage chunk), with the envelope every chunk has. */
const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  data: {id: ID, object: 'chat.completion.chunk', created: CREATED, model: 'codex', choices: [{index: 0, delta, finish_reason: finishReason}]},
})

let sequence = 0
/** One upstream event, numbered. */
const event = (type: string, fields: Record<string, unknown> = {}): SseEvent => ({event: type, data: JSON.stringify({type, ...fields, sequence_number: sequence++})})
const created = () => event('response.created', {response: {id: 'resp_68d2a1c4e0b48193a6f1d2c3b4a59687', status: 'in_progress', output: [], usage: null}})
const usage = {input_tokens: 30, input_tokens_details: {cached_tokens: 0}, output_tokens: 9, output_tokens_details: {reasoning_tokens: 4}, total_tokens: 39}
const terminal = (type: string, extra: Record<string, unknown> = {}) =>
  event(type, {response: {id: 'resp_68d2a1c4e0b48193a6f1d2c3b4a59687', status: type.slice('response.'.length), output: [], usage, ...extra}})
const textDelta = (delta: string, itemId = 'msg_1') => event('response.output_text.delta', {item_id: itemId, output_index: 0, content_index: 0, delta})

describe('ResponsesToChatStream', () => {
  it('translates reasoning, text and a tool call with split arguments, event by event, then finish_reason, usage and [DONE]', () => {
    const transformer = stream()
    const out = run(transformer, fixture())
    expect(frames(out)).toEqual([
      chunk({role: 'assistant', content: ''}),
      chunk({reasoning_content: '**Planning the test run**\n\n'}),
      chunk({reasoning_content: 'I should run the tests first.'}),
      chunk({content: "I'll run"}),
      chunk({content: ' the test suite.'}),
      chunk({tool_calls: [{index: 0, id: 'call_Qm4vT7xR2kP9sW1nB6yH3jLc', type: 'function', function: {name: 'shell', arguments: ''}}]}),
      chunk({tool_calls: [{index: 0, function: {arguments: '{"command":'}}]}),
      chunk({tool_calls: [{index: 0, function: {arguments: '["npm",'}}]}),
      chunk({tool_calls: [{index: 0, function: {arguments: '"test"]}'}}]}),
      chunk({}, 'tool_calls'),
      {
        data: {
          id: ID,
          object: 'chat.completion.chunk',
          created: CREATED,
          model: 'codex',
          choices: [],
          usage: {prompt_tokens: 2140, completion_tokens: 212, total_tokens: 2352, prompt_tokens_details: {cached_tokens: 1792}, completion_tokens_details: {reasoning_tokens: 128}},
        },
      },
      {data: '[DONE]'},
    ])
    expect(transformer.complete).toBe(true)
    expect(transformer.failed).toBe(false)
    expect(transformer.usage).toEqual({input: 2140, output: 212, cacheRead: 1792})
    expect(transformer.end()).toBe('')
  })

  it('sends no usage chunk unless the client asked, but still records the usage', () => {
    const transformer = stream(false)
    const out = run(transformer, fixture())
    expect(frames(out).filter((f) => f.data.usage !== undefined)).toEqual([])
    expect(frames(out).at(-2)?.data.choices[0].finish_reason).toBe('tool_calls')
    expect(transformer.usage).toEqual({input: 2140, output: 212, cacheRead: 1792})
  })

  it('writes nothing before content: response.created, in_progress and an unseen reasoning item leave an error still able to fail over', () => {
    const transformer = stream()
    for (const e of fixture().slice(0, 4)) expect(transformer.push(e)).toBe('')
    const silent = stream()
    expect(silent.push(created())).toBe('')
    expect(silent.push(event('response.output_item.added', {output_index: 0, item: {id: 'rs_1', type: 'reasoning', summary: []}}))).toBe('')
    expect(silent.push(event('response.output_item.done', {output_index: 0, item: {id: 'rs_1', type: 'reasoning', summary: []}}))).toBe('')
  })

  it('response.incomplete (max_output_tokens) ends with finish_reason length; content_filter with content_filter', () => {
    const out = run(stream(), [created(), textDelta('Half an'), terminal('response.incomplete', {incomplete_details: {reason: 'max_output_tokens'}})])
    const finishes = frames(out).map((f) => (f.data === '[DONE]' ? f.data : f.data.usage ? 'usage' : f.data.choices[0].finish_reason))
    expect(finishes).toEqual([null, null, 'length', 'usage', '[DONE]'])
    const filtered = run(stream(false), [created(), terminal('response.incomplete', {incomplete_details: {reason: 'content_filter'}})])
    // An empty answer still opens with the role chunk.
    expect(frames(filtered)).toEqual([chunk({role: 'assistant', content: ''}), chunk({}, 'content_filter'), {data: '[DONE]'}])
  })

  it('response.failed mid-stream ends with an error chunk and no [DONE]; the usage it reports is kept', () => {
    const transformer = stream()
    const out = run(transformer, [created(), textDelta('Hel'), terminal('response.failed', {error: {code: 'server_error', message: 'The model crashed'}})])
    expect(frames(out).at(-1)).toEqual({data: {error: {message: 'The model crashed', type: 'server_error', param: null, code: 'server_error'}}})
    expect(out).not.toContain('[DONE]')
    expect(transformer.failed).toBe(true)
    expect(transformer.complete).toBe(false)
    expect(transformer.usage).toEqual({input: 30, output: 9})
    expect(transformer.end()).toBe('')
  })

  it('an error event becomes an error chunk with its code (invalid_* as invalid_request_error)', () => {
    const rate = run(stream(), [created(), textDelta('a'), event('error', {code: 'rate_limit_exceeded', message: 'Slow down', param: null})])
    expect(frames(rate).at(-1)?.data).toEqual({error: {message: 'Slow down', type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded'}})
    const nested = run(stream(), [created(), textDelta('a'), event('error', {error: {type: 'invalid_request_error', code: 'invalid_prompt', message: 'Bad prompt'}})])
    expect(frames(nested).at(-1)?.data.error).toMatchObject({type: 'invalid_request_error', code: 'invalid_prompt'})
    const bare = run(stream(), [created(), textDelta('a'), event('error', {code: 'invalid_image', message: 'Bad image'})])
    expect(frames(bare).at(-1)?.data.error).toMatchObject({type: 'invalid_request_error', code: 'invalid_image'})
  })

  it('a stream cut before its terminal event ends with an error chunk; garbage does too; fail() sends the gateway code', () => {
    const cut = stream()
    expect(frames(run(cut, fixture().slice(0, 12))).at(-1)?.data).toEqual({error: {message: TRUNCATED_STREAM_MESSAGE, type: 'api_error'}})
    expect(cut.complete).toBe(false)
    expect(cut.usage).toBeNull()
    const garbage = stream()
    expect(frames(garbage.push({event: 'response.output_text.delta', data: '{not json'}))[0].data.error.message).toBe(MALFORMED_STREAM_MESSAGE)
    expect(garbage.failed).toBe(true)
    expect(garbage.push(textDelta('late'))).toBe('')
    const failing = stream()
    failing.push(created())
    failing.push(textDelta('a'))
    expect(frames(failing.fail('the daemon is shutting down', {code: 'SHUTTING_DOWN', type: 'server_error'}))[0].data).toEqual({
      error: {message: 'the daemon is shutting down', type: 'server_error', param: null, code: 'SHUTTING_DOWN'},
    })
    expect(failing.end()).toBe('')
  })

  it('numbers parallel calls 0, 1 and sends arguments that came only whole (done events) once', () => {
    const call = (n: number) => ({id: `fc_${n}`, type: 'function_call', status: 'in_progress', call_id: `call_${n}`, name: `tool${n}`, arguments: ''})
    const out = run(stream(false), [
      created(),
      event('response.output_item.added', {output_index: 0, item: call(0)}),
      event('response.function_call_arguments.delta', {item_id: 'fc_0', output_index: 0, delta: '{"a":1}'}),
      event('response.function_call_arguments.done', {item_id: 'fc_0', output_index: 0, arguments: '{"a":1}'}),
      event('response.output_item.done', {output_index: 0, item: {...call(0), status: 'completed', arguments: '{"a":1}'}}),
      event('response.output_item.added', {output_index: 1, item: call(1)}),
      event('response.function_call_arguments.done', {item_id: 'fc_1', output_index: 1, arguments: '{"b":2}'}),
      event('response.output_item.done', {output_index: 1, item: {...call(1), status: 'completed', arguments: '{"b":2}'}}),
      // Announced only when done, without arguments: "{}", as OpenAI clients parse the text.
      event('response.output_item.done', {output_index: 2, item: {...call(2), status: 'completed'}}),
      terminal('response.completed'),
    ])
    const calls = frames(out).flatMap((f) => f.data.choices?.[0]?.delta?.tool_calls ?? [])
    expect(calls).toEqual([
      {index: 0, id: 'call_0', type: 'function', function: {name: 'tool0', arguments: ''}},
      {index: 0, function: {arguments: '{"a":1}'}},
      {index: 1, id: 'call_1', type: 'function', function: {name: 'tool1', arguments: ''}},
      {index: 1, function: {arguments: '{"b":2}'}},
      {index: 2, id: 'call_2', type: 'function', function: {name: 'tool2', arguments: ''}},
      {index: 2, function: {arguments: '{}'}},
    ])
  })

  it('relays refusals, separates two message items, and sends text that came only in a done event or the terminal event', () => {
    const refused = run(stream(false), [created(), event('response.refusal.delta', {item_id: 'msg_1', output_index: 0, content_index: 0, delta: "I can't"}), terminal('response.completed')])
    expect(frames(refused)[1]).toEqual(chunk({refusal: "I can't"}))
    const two = run(stream(false), [created(), textDelta('Looking.', 'msg_a'), textDelta('Done.', 'msg_b'), terminal('response.completed')])
    expect(frames(two).slice(1, 3)).toEqual([chunk({content: 'Looking.'}), chunk({content: '\n\nDone.'})])
    const whole = (text: string) => ({id: 'msg_w', type: 'message', status: 'completed', role: 'assistant', content: [{type: 'output_text', text, annotations: []}]})
    const doneOnly = run(stream(false), [created(), event('response.output_item.done', {output_index: 0, item: whole('Whole.')}), terminal('response.completed', {output: [whole('Whole.')]})])
    expect(frames(doneOnly).filter((f) => f.data.choices?.[0]?.delta?.content === 'Whole.')).toHaveLength(1)
    const terminalOnly = run(stream(false), [created(), terminal('response.completed', {output: [whole('Only here.')]})])
    expect(frames(terminalOnly)[1]).toEqual(chunk({content: 'Only here.'}))
  })
})

/** What planRequest builds for an Anthropic client of a Responses-only model. */
const chained = (thinking: boolean) =>
  new ChainedStream(
    new ResponsesToChatStream({model: 'codex', created: CREATED, includeUsage: true}),
    new OpenAIToAnthropicStream({model: 'codex', created: CREATED, includeUsage: false, thinking, inputEstimate: 2000}),
  )

describe('ChainedStream (Responses -> Chat -> Anthropic), as Claude Code gets a gpt-5-codex stream', () => {
  const types = (out: string) => frames(out).map((f) => (f.data.type === 'content_block_delta' ? f.data.delta.type : f.data.type))

  it('gives thinking (asked for), text, a tool_use block and stop_reason tool_use, with the upstream usage', () => {
    const transformer = chained(true)
    const out = run(transformer, fixture())
    expect(types(out)).toEqual([
      'message_start',
      'content_block_start',
      'thinking_delta',
      'thinking_delta',
      'content_block_stop',
      'content_block_start',
      'text_delta',
      'text_delta',
      'content_block_stop',
      'content_block_start',
      'input_json_delta',
      'input_json_delta',
      'input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    const parsed = frames(out)
    expect(parsed[0].data.message).toMatchObject({id: 'msg_68d2a1c4e0b48193a6f1d2c3b4a59687', model: 'codex', usage: {input_tokens: 2000}})
    expect(parsed[9].data.content_block).toEqual({type: 'tool_use', id: 'call_Qm4vT7xR2kP9sW1nB6yH3jLc', name: 'shell', input: {}})
    expect(parsed.at(-2)?.data).toEqual({
      type: 'message_delta',
      delta: {stop_reason: 'tool_use', stop_sequence: null},
      usage: {input_tokens: 348, output_tokens: 212, cache_read_input_tokens: 1792},
    })
    expect(transformer.usage).toEqual({input: 2140, output: 212, cacheRead: 1792})
    expect(transformer.complete).toBe(true)
  })

  it('without thinking asked for, the reasoning is not shown', () => {
    expect(types(run(chained(false), fixture()))).not.toContain('thinking_delta')
  })

  it('an incomplete answer stops with max_tokens; a failed one ends with an Anthropic error event', () => {
    const cut = run(chained(false), [created(), textDelta('Half'), terminal('response.incomplete', {incomplete_details: {reason: 'max_output_tokens'}})])
    expect(frames(cut).at(-2)?.data.delta.stop_reason).toBe('max_tokens')
    const failed = run(chained(false), [created(), textDelta('Half'), terminal('response.failed', {error: {code: 'server_error', message: 'The model crashed'}})])
    expect(frames(failed).at(-1)?.data).toEqual({type: 'error', error: {type: 'api_error', message: 'The model crashed'}})
    expect(failed).not.toContain('message_stop')
  })

  it("a mid-stream error's words reach the client scrubbed: no account ids, URLs or keys (as the HTTP error path)", () => {
    const words = 'Rate limit reached for gpt-5-codex in organization org-AbCdEf123456 on tokens per min. Key sk-proj-abcdefghijklmnopqrstuvwxyz0123 used. Visit https://platform.openai.com/account/rate-limits to learn more.'
    for (const transformer of [stream(), chained(false)]) {
      const out = run(transformer, [created(), textDelta('Half'), terminal('response.failed', {error: {code: 'rate_limit_exceeded', message: words}})])
      const last = JSON.stringify(frames(out).at(-1)?.data)
      expect(last).toContain('org-[REDACTED]')
      expect(last).toContain('[URL]')
      for (const secret of ['AbCdEf123456', 'platform.openai.com', 'sk-proj-abcdefghijklmnopqrstuvwxyz0123']) expect(last).not.toContain(secret)
    }
  })
})

describe('the official SDKs reading a translated gpt-5-codex stream', () => {
  const answering = (body: string) => async () => new Response(body, {status: 200, headers: {'content-type': 'text/event-stream'}})

  it('the OpenAI SDK assembles the tool call, reasoning-free content and usage', async () => {
    const client = new OpenAI({apiKey: 'test', baseURL: 'http://gateway.invalid/v1', fetch: answering(run(stream(), fixture())), maxRetries: 0})
    const final = await client.chat.completions.stream({model: 'codex', messages: [{role: 'user', content: 'test'}], stream_options: {include_usage: true}}).finalChatCompletion()
    expect(final.choices[0].message.content).toBe("I'll run the test suite.")
    expect(final.choices[0].message.tool_calls?.map((c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['call_Qm4vT7xR2kP9sW1nB6yH3jLc', 'shell', {command: ['npm', 'test']}],
    ])
    expect(final.choices[0].finish_reason).toBe('tool_calls')
    expect(final.usage).toMatchObject({prompt_tokens: 2140, completion_tokens: 212})
  })

  it('the Anthropic SDK (as Claude Code uses it) assembles thinking, text and tool_use with parsed input', async () => {
    const client = new Anthropic({apiKey: 'test', baseURL: 'http://gateway.invalid', fetch: answering(run(chained(true), fixture())), maxRetries: 0})
    const final = await client.messages.stream({model: 'codex', max_tokens: 1024, messages: [{role: 'user', content: 'test'}]}).finalMessage()
    expect(final.content).toEqual([
      {type: 'thinking', thinking: '**Planning the test run**\n\nI should run the tests first.', signature: ''},
      {type: 'text', text: "I'll run the test suite."},
      {type: 'tool_use', id: 'call_Qm4vT7xR2kP9sW1nB6yH3jLc', name: 'shell', input: {command: ['npm', 'test']}},
    ])
    expect(final.stop_reason).toBe('tool_use')
  })
})

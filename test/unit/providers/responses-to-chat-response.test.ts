import {describe, expect, it} from 'vitest'
import {openAIResponseToAnthropic} from '../../../src/providers/openai/to-anthropic-response.js'
import {usageOf} from '../../../src/providers/plan.js'
import {responseToChatCompletion} from '../../../src/providers/responses/to-chat-response.js'

const CREATED = 1758634700

const usage = {input_tokens: 2140, input_tokens_details: {cached_tokens: 1792}, output_tokens: 212, output_tokens_details: {reasoning_tokens: 128}, total_tokens: 2352}
const chatUsage = {prompt_tokens: 2140, completion_tokens: 212, total_tokens: 2352, prompt_tokens_details: {cached_tokens: 1792}, completion_tokens_details: {reasoning_tokens: 128}}

/** A gpt-5-codex answer as OpenAI's Responses API sends it (store: false). */
const response = (output: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'resp_68d2a1c4e0b48193a6f1d2c3b4a59687',
  object: 'response',
  created_at: 1758634692,
  status: 'completed',
  background: false,
  error: null,
  incomplete_details: null,
  model: 'gpt-5-codex',
  output,
  store: false,
  usage,
  ...extra,
})

const reasoning = {id: 'rs_1', type: 'reasoning', summary: [{type: 'summary_text', text: '**Planning**\n\nRun the tests.'}, {type: 'summary_text', text: 'Then read the config.'}]}
const message = (text: string, id = 'msg_1') => ({id, type: 'message', status: 'completed', role: 'assistant', content: [{type: 'output_text', annotations: [], logprobs: [], text}]})
const call = (callId: string, name: string, args: string) => ({id: `fc_${callId}`, type: 'function_call', status: 'completed', call_id: callId, name, arguments: args})

const translate = (body: unknown) => responseToChatCompletion(body, {model: 'codex', created: CREATED})

describe('responseToChatCompletion', () => {
  it('translates reasoning, text and two function calls, with usage', () => {
    const out = translate(response([reasoning, message("I'll run both."), call('call_a', 'shell', '{"command":["npm","test"]}'), call('call_b', 'shell', '{"command":["cat","a"]}')]))
    expect(out).toEqual({
      id: 'chatcmpl-68d2a1c4e0b48193a6f1d2c3b4a59687',
      object: 'chat.completion',
      created: CREATED,
      model: 'codex',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "I'll run both.",
            refusal: null,
            reasoning_content: '**Planning**\n\nRun the tests.\n\nThen read the config.',
            tool_calls: [
              {id: 'call_a', type: 'function', function: {name: 'shell', arguments: '{"command":["npm","test"]}'}},
              {id: 'call_b', type: 'function', function: {name: 'shell', arguments: '{"command":["cat","a"]}'}},
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: chatUsage,
    })
  })

  it('a text answer: finish_reason stop, no reasoning_content without reasoning text (OpenAI shows none unless asked)', () => {
    const out = translate(response([{id: 'rs_2', type: 'reasoning', summary: []}, message('Hello!')]))
    expect(out.choices[0]).toEqual({index: 0, message: {role: 'assistant', content: 'Hello!', refusal: null}, logprobs: null, finish_reason: 'stop'})
  })

  it('content is null for an answer that only calls tools (arguments never empty), "" for an empty one', () => {
    expect(translate(response([call('call_a', 'now', '')])).choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{id: 'call_a', type: 'function', function: {name: 'now', arguments: '{}'}}],
    })
    expect(translate(response([])).choices[0]).toMatchObject({message: {content: ''}, finish_reason: 'stop'})
  })

  it('an incomplete answer finishes with length (max_output_tokens) or content_filter', () => {
    const cut = translate(response([message('Half an ans')], {status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}}))
    expect(cut.choices[0]).toMatchObject({message: {content: 'Half an ans'}, finish_reason: 'length'})
    // A reasoning model that spent the whole limit thinking: no text at all, still length.
    expect(translate(response([{id: 'rs_3', type: 'reasoning', summary: []}], {status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}})).choices[0]).toMatchObject({
      message: {content: ''},
      finish_reason: 'length',
    })
    expect(translate(response([], {status: 'incomplete', incomplete_details: {reason: 'content_filter'}})).choices[0].finish_reason).toBe('content_filter')
  })

  it('a refusal is message.refusal with content null', () => {
    const out = translate(response([{id: 'msg_r', type: 'message', status: 'completed', role: 'assistant', content: [{type: 'refusal', refusal: "I can't help with that."}]}]))
    expect(out.choices[0].message).toEqual({role: 'assistant', content: null, refusal: "I can't help with that."})
  })

  it('joins the texts of two message items (a commentary, then the answer) with a blank line', () => {
    expect(translate(response([message('Looking.', 'msg_a'), message('Done.', 'msg_b')])).choices[0].message.content).toBe('Looking.\n\nDone.')
  })

  it('prefers raw reasoning_text content over a summary', () => {
    const raw = {id: 'rs_4', type: 'reasoning', summary: [{type: 'summary_text', text: 'short'}], content: [{type: 'reasoning_text', text: 'the whole thought'}]}
    expect(translate(response([raw, message('ok')])).choices[0].message.reasoning_content).toBe('the whole thought')
  })

  it('has no usage when the response has none, and survives garbage', () => {
    expect(translate(response([message('x')], {usage: null}))).not.toHaveProperty('usage')
    expect(translate(null)).toMatchObject({id: 'chatcmpl-tokenhub', choices: [{message: {content: ''}, finish_reason: 'stop'}]})
  })

  it('reaches an Anthropic client as thinking (when asked), text and tool_use, with cache reads split out', () => {
    const chat = translate(response([reasoning, message('Running.'), call('call_a', 'Bash', '{"command":"npm test"}')]))
    const anthropic = openAIResponseToAnthropic(chat, {model: 'codex', thinking: true})
    expect(anthropic).toMatchObject({
      id: 'msg_68d2a1c4e0b48193a6f1d2c3b4a59687',
      content: [
        {type: 'thinking', thinking: '**Planning**\n\nRun the tests.\n\nThen read the config.', signature: ''},
        {type: 'text', text: 'Running.'},
        {type: 'tool_use', id: 'call_a', name: 'Bash', input: {command: 'npm test'}},
      ],
      stop_reason: 'tool_use',
      usage: {input_tokens: 348, output_tokens: 212, cache_read_input_tokens: 1792},
    })
    expect(openAIResponseToAnthropic(chat, {model: 'codex'}).content.map((b) => b.type)).toEqual(['text', 'tool_use'])
    const cut = translate(response([message('Half')], {status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}}))
    expect(openAIResponseToAnthropic(cut, {model: 'codex'}).stop_reason).toBe('max_tokens')
  })

  it('accounting reads the upstream Responses body itself: input with cached tokens, output with reasoning tokens', () => {
    expect(usageOf('openai', 'chat', response([message('x')]))).toEqual({input: 2140, output: 212, cacheRead: 1792})
  })
})

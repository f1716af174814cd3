/**
 * The reasoning text of OpenAI-compatible reasoning models (DeepSeek's `reasoning_content`, vLLM's
 * and Ollama's `reasoning`) reaching Anthropic and Responses clients, read back with the official
 * SDKs (injected fetch, no network); and the way back: thinking settings and unsigned thinking blocks.
 */
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {describe, expect, it} from 'vitest'
import {forAnthropicThinking, withoutUnsignedThinking} from '../../../src/providers/anthropic/unsigned-thinking.js'
import {anthropicToOpenAIChat, effortForBudget} from '../../../src/providers/openai/from-anthropic-request.js'
import {OpenAIToAnthropicStream} from '../../../src/providers/openai/stream-to-anthropic.js'
import {openAIResponseToAnthropic} from '../../../src/providers/openai/to-anthropic-response.js'
import {ChatToResponsesStream} from '../../../src/providers/responses/chat-stream-to-responses.js'
import {chatToResponses} from '../../../src/providers/responses/from-chat-response.js'
import type {SseEvent} from '../../../src/providers/stream.js'
import {planRequest} from '../../../src/providers/plan.js'
import type {RoutableModel} from '../../../src/core/routing/types.js'
import {frames, run} from './sse-helpers.js'

const answering = (body: string, contentType: string) => async () => new Response(body, {status: 200, headers: {'content-type': contentType}})
const anthropicClient = (body: string, contentType = 'text/event-stream') =>
  new Anthropic({apiKey: 'test', baseURL: 'http://gateway.invalid', fetch: answering(body, contentType), maxRetries: 0})
const openAIClient = (body: string, contentType = 'text/event-stream') =>
  new OpenAI({apiKey: 'test', baseURL: 'http://gateway.invalid/v1', fetch: answering(body, contentType), maxRetries: 0})

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, usage: Record<string, unknown> | null = null): SseEvent => ({
  data: JSON.stringify({id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner', choices: [{index: 0, delta, finish_reason: finishReason}], usage}),
})

/** A DeepSeek-style stream: reasoning deltas, then the answer, then usage. */
function reasoningStream(field: 'reasoning_content' | 'reasoning', reasoningDeltas = ['Two plus two ', 'is four.']): SseEvent[] {
  return [
    chunk({role: 'assistant', content: null, [field]: ''}),
    ...reasoningDeltas.map((text) => chunk({[field]: text, content: null})),
    chunk({content: 'The answer'}),
    chunk({content: ' is 4.'}),
    chunk({}, 'stop'),
    chunk({}, null, {prompt_tokens: 12, completion_tokens: 40, completion_tokens_details: {reasoning_tokens: 30}}),
    {data: '[DONE]'},
  ]
}

const completion = (message: Record<string, unknown>) => ({
  id: 'chatcmpl-r1',
  object: 'chat.completion',
  created: 1,
  model: 'deepseek-reasoner',
  choices: [{index: 0, message: {role: 'assistant', ...message}, finish_reason: 'stop'}],
  usage: {prompt_tokens: 12, completion_tokens: 40},
})

const ask = {model: 'deepseek-r1', max_tokens: 2048, messages: [{role: 'user' as const, content: '2+2?'}]}

describe('reasoning to an Anthropic client (Claude Code on DeepSeek / vLLM)', () => {
  it('streams the reasoning as a thinking block before the answer when the client asked for thinking', async () => {
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      const body = run(new OpenAIToAnthropicStream({model: 'deepseek-r1', created: 1, includeUsage: false, thinking: true}), reasoningStream(field))
      const final = await anthropicClient(body).messages.stream({...ask, thinking: {type: 'enabled', budget_tokens: 1024}}).finalMessage()
      expect(final.content).toEqual([
        {type: 'thinking', thinking: 'Two plus two is four.', signature: ''},
        {type: 'text', text: 'The answer is 4.'},
      ])
      expect(final.stop_reason).toBe('end_turn')
      expect(final.usage.output_tokens).toBe(40)
    }
  })

  it('leaves the reasoning out without thinking, and keeps a long one alive with pings', async () => {
    const deltas = Array.from({length: 60}, (_, i) => `step ${i}. `)
    const body = run(new OpenAIToAnthropicStream({model: 'deepseek-r1', created: 1, includeUsage: false}), reasoningStream('reasoning_content', deltas))
    expect(frames(body).filter((frame) => frame.event === 'ping')).toHaveLength(2)
    expect(body).not.toContain('step 1.')
    const final = await anthropicClient(body).messages.stream(ask).finalMessage()
    expect(final.content).toEqual([{type: 'text', text: 'The answer is 4.'}])
  })

  it('answers a whole response with the thinking block first, only when asked', async () => {
    const upstream = completion({content: 'The answer is 4.', reasoning_content: 'Two plus two is four.'})
    const withThinking = openAIResponseToAnthropic(upstream as never, {model: 'deepseek-r1', thinking: true})
    const message = await anthropicClient(JSON.stringify(withThinking), 'application/json').messages.create(ask)
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text'])
    expect(message.content[0]).toEqual({type: 'thinking', thinking: 'Two plus two is four.', signature: ''})
    expect(openAIResponseToAnthropic(upstream as never, {model: 'deepseek-r1'}).content).toEqual([{type: 'text', text: 'The answer is 4.'}])
  })
})

describe('reasoning to a Responses client (Codex on DeepSeek / vLLM)', () => {
  const request = {model: 'deepseek-r1', input: '2+2?', reasoning: {effort: 'medium', summary: 'auto'}}

  it('streams a reasoning item with reasoning_text before the message when the request asked for reasoning', async () => {
    const body = run(new ChatToResponsesStream({model: 'deepseek-r1', createdAt: 1, request: request as never}), reasoningStream('reasoning'))
    const types = frames(body).map((frame) => frame.event)
    expect(types.slice(0, 8)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
    ])
    const final = await openAIClient(body).responses.stream(request as never).finalResponse()
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message'])
    const reasoning = final.output[0]
    expect(reasoning.type === 'reasoning' && reasoning.content).toEqual([{type: 'reasoning_text', text: 'Two plus two is four.'}])
    expect(final.output_text).toBe('The answer is 4.')
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(30)
  })

  it('without reasoning asked: only the message, with SSE comments the SDK skips during a long reasoning', async () => {
    const deltas = Array.from({length: 30}, (_, i) => `step ${i}. `)
    const body = run(new ChatToResponsesStream({model: 'deepseek-r1', createdAt: 1, request: {model: 'deepseek-r1', input: 'x'} as never}), reasoningStream('reasoning_content', deltas))
    expect(body).toContain('\n: reasoning\n\n')
    expect(body).not.toContain('step 1.')
    const final = await openAIClient(body).responses.stream({model: 'deepseek-r1', input: 'x'}).finalResponse()
    expect(final.output.map((item) => item.type)).toEqual(['message'])
    expect(final.output_text).toBe('The answer is 4.')
  })

  it('answers a whole response with the reasoning item first, only when asked', async () => {
    const upstream = completion({content: 'The answer is 4.', reasoning: 'Two plus two is four.'})
    const asked = chatToResponses(upstream as never, {model: 'deepseek-r1', createdAt: 1, request: request as never})
    const response = await openAIClient(JSON.stringify(asked), 'application/json').responses.create(request as never)
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message'])
    expect(response.output_text).toBe('The answer is 4.')
    expect(chatToResponses(upstream as never, {model: 'deepseek-r1', createdAt: 1}).output.map((item) => item.type)).toEqual(['message'])
  })
})

describe('thinking on the way to the upstream', () => {
  const body = (thinking: unknown) => ({model: 'x', max_tokens: 32000, messages: [{role: 'user', content: 'hi'}], thinking}) as never

  it('sends an OpenAI reasoning model an effort by the thinking budget', () => {
    expect(anthropicToOpenAIChat(body({type: 'enabled', budget_tokens: 4000}), {model: 'o3', reasoningEffort: true}).body.reasoning_effort).toBe('low')
    expect(anthropicToOpenAIChat(body({type: 'enabled', budget_tokens: 10000}), {model: 'o3', reasoningEffort: true}).body.reasoning_effort).toBe('medium')
    const ultra = anthropicToOpenAIChat(body({type: 'enabled', budget_tokens: 31999}), {model: 'o3', reasoningEffort: true})
    expect(ultra.body.reasoning_effort).toBe('high')
    expect(ultra.dropped).not.toContain('thinking')
    expect(effortForBudget(1024)).toBe('low')
  })

  it('tells a client that other models were not sent its thinking setting; a disabled one is nothing lost', () => {
    const other = anthropicToOpenAIChat(body({type: 'enabled', budget_tokens: 4000}), {model: 'deepseek-reasoner'})
    expect(other.body.reasoning_effort).toBeUndefined()
    expect(other.dropped).toContain('thinking')
    expect(anthropicToOpenAIChat(body({type: 'disabled'}), {model: 'deepseek-reasoner'}).dropped).not.toContain('thinking')
  })

  it('leaves unsigned thinking blocks out before a conversation goes to an Anthropic model', () => {
    const signed = {type: 'thinking', thinking: 'claude thought', signature: 'EqQBCkYIBxgCKkBz'}
    const request = {
      model: 'claude-sonnet-4-5',
      messages: [
        {role: 'user', content: '2+2?'},
        {role: 'assistant', content: [{type: 'thinking', thinking: 'deepseek thought', signature: ''}, {type: 'text', text: '4'}]},
        {role: 'user', content: 'and 3+3?'},
        {role: 'assistant', content: [signed, {type: 'text', text: '6'}]},
        {role: 'assistant', content: [{type: 'thinking', thinking: 'only thinking', signature: ''}]},
        {role: 'user', content: 'thanks'},
      ],
    }
    const out = withoutUnsignedThinking(request)
    expect(out.messages).toEqual([
      {role: 'user', content: '2+2?'},
      {role: 'assistant', content: [{type: 'text', text: '4'}]},
      {role: 'user', content: 'and 3+3?'},
      {role: 'assistant', content: [signed, {type: 'text', text: '6'}]},
      {role: 'user', content: 'thanks'},
    ])
    expect(request.messages[1].content).toHaveLength(2)
    const clean = {model: 'x', messages: [{role: 'assistant', content: [signed]}]}
    expect(withoutUnsignedThinking(clean)).toBe(clean)
  })
})

describe('the request plan', () => {
  const model = (providerType: 'vllm' | 'anthropic' | 'openai', upstreamModel: string): RoutableModel => ({
    id: 'reasoner',
    providerId: 'p',
    providerType,
    upstreamModel,
    kind: 'chat',
    weight: 5,
    maxContextTokens: 128_000,
    maxOutputTokens: 8192,
    inputPer1k: 0,
    outputPer1k: 0,
    enabled: true,
    providerEnabled: true,
    pricingSource: 'manual',
  })
  const anthropicRequest = (thinking?: unknown) => ({
    dialect: 'anthropic' as const,
    endpoint: 'chat' as const,
    body: {model: 'reasoner', max_tokens: 4096, messages: [{role: 'user', content: 'hi'}], stream: true, ...(thinking ? {thinking} : {})},
    stream: true,
    requestId: 'req-1',
  })

  it('relays thinking to an Anthropic client only when its request turned thinking on', () => {
    const on = planRequest(anthropicRequest({type: 'enabled', budget_tokens: 2048}), model('vllm', 'deepseek-r1'), null)
    expect(run(on.streamTransformer(), reasoningStream('reasoning_content'))).toContain('thinking_delta')
    const off = planRequest(anthropicRequest(), model('vllm', 'deepseek-r1'), null)
    expect(run(off.streamTransformer(), reasoningStream('reasoning_content'))).not.toContain('thinking_delta')
    const disabled = planRequest(anthropicRequest({type: 'disabled'}), model('vllm', 'deepseek-r1'), null)
    expect(run(disabled.streamTransformer(), reasoningStream('reasoning_content'))).not.toContain('thinking_delta')
  })

  it('sends reasoning_effort to an OpenAI reasoning model only', () => {
    const thinking = {type: 'enabled', budget_tokens: 31999}
    expect(JSON.parse(planRequest(anthropicRequest(thinking), model('openai', 'o3'), null).body).reasoning_effort).toBe('high')
    expect(JSON.parse(planRequest(anthropicRequest(thinking), model('openai', 'gpt-4o'), null).body).reasoning_effort).toBeUndefined()
    expect(JSON.parse(planRequest(anthropicRequest(thinking), model('vllm', 'deepseek-r1'), null).body).reasoning_effort).toBeUndefined()
    // The chat variants of gpt-5 are not reasoning models.
    expect(JSON.parse(planRequest(anthropicRequest(thinking), model('openai', 'gpt-5.1-chat-latest'), null).body).reasoning_effort).toBeUndefined()
  })

  it('turns thinking off for an Anthropic model when a tool loop\'s assistant turn does not start with its signed thinking (another model began it)', () => {
    const thinking = {type: 'enabled', budget_tokens: 10000}
    const signed = {type: 'thinking', thinking: 'claude thought', signature: 'EqQBCkYIBxgCKkBz'}
    const call = (id: string) => ({type: 'tool_use', id, name: 'read', input: {path: 'a'}})
    const result = (id: string) => ({role: 'user', content: [{type: 'tool_result', tool_use_id: id, content: 'file'}]})
    const ask = {role: 'user', content: 'fix the bug'}
    const body = (messages: unknown[], on: unknown = thinking) => ({model: 'claude', max_tokens: 16000, thinking: on, messages})

    // gpt-4o began the turn (no thinking), or DeepSeek did (unsigned thinking, left out): off, and said so.
    for (const began of [[call('t1')], [{type: 'thinking', thinking: 'deepseek thought', signature: ''}, call('t1')], [{type: 'text', text: 'Reading.'}, call('t1')]]) {
      const out = forAnthropicThinking(body([ask, {role: 'assistant', content: began}, result('t1')]))
      expect(out.body).not.toHaveProperty('thinking')
      expect(out.dropped).toEqual(['thinking'])
      expect((out.body.messages as {content: unknown[]}[])[1].content.some((b) => (b as {type: string}).type === 'thinking')).toBe(false)
    }
    // Claude Code adds text after the tool results (system reminders): the same turn, so the same rule.
    const withReminder = (id: string) => ({role: 'user', content: [{type: 'tool_result', tool_use_id: id, content: 'file'}, {type: 'text', text: '<system-reminder>x</system-reminder>'}]})
    expect(forAnthropicThinking(body([ask, {role: 'assistant', content: [call('t1')]}, withReminder('t1')])).dropped).toEqual(['thinking'])
    const claudeWithReminders = body([ask, {role: 'assistant', content: [signed, call('t1')]}, withReminder('t1'), {role: 'assistant', content: [call('t2')]}, withReminder('t2')])
    expect(forAnthropicThinking(claudeWithReminders)).toEqual({body: claudeWithReminders, dropped: []})
    const reminderMidTurn = body([ask, {role: 'assistant', content: [signed, call('t1')]}, withReminder('t1'), {role: 'assistant', content: [call('t2')]}, result('t2')])
    expect(forAnthropicThinking(reminderMidTurn)).toEqual({body: reminderMidTurn, dropped: []})
    // Claude began it: thinking stays, through several tool steps (later steps carry no thinking).
    const claudeLoop = body([ask, {role: 'assistant', content: [signed, call('t1')]}, result('t1'), {role: 'assistant', content: [call('t2')]}, result('t2')])
    expect(forAnthropicThinking(claudeLoop)).toEqual({body: claudeLoop, dropped: []})
    const redacted = body([ask, {role: 'assistant', content: [{type: 'redacted_thinking', data: 'xyz'}, call('t1')]}, result('t1')])
    expect(forAnthropicThinking(redacted).dropped).toEqual([])
    // A new user turn after another model's tool loop: Anthropic asks nothing of past turns.
    const newTurn = body([ask, {role: 'assistant', content: [call('t1')]}, result('t1'), {role: 'assistant', content: [{type: 'text', text: 'Done.'}]}, {role: 'user', content: 'thanks'}])
    expect(forAnthropicThinking(newTurn)).toEqual({body: newTurn, dropped: []})
    // Thinking off or absent: nothing to do; adaptive thinking lets the model skip thinking, so a turn without it is valid.
    const off = body([ask, {role: 'assistant', content: [call('t1')]}, result('t1')], {type: 'disabled'})
    expect(forAnthropicThinking(off)).toEqual({body: off, dropped: []})
    const adaptive = body([ask, {role: 'assistant', content: [call('t1')]}, result('t1')], {type: 'adaptive'})
    expect(forAnthropicThinking(adaptive)).toEqual({body: adaptive, dropped: []})

    // Through the plan: the request goes without thinking and the client is told (x-tokenhub-dropped).
    const base = anthropicRequest(thinking)
    const request = {...base, body: {...base.body, messages: [ask, {role: 'assistant', content: [call('t1')]}, result('t1')]}}
    const plan = planRequest(request as never, model('anthropic', 'claude-sonnet-4-5'), null)
    expect(JSON.parse(plan.body)).not.toHaveProperty('thinking')
    expect(plan.dropped).toEqual(['thinking'])
    expect(planRequest(anthropicRequest(thinking), model('anthropic', 'claude-sonnet-4-5'), null).dropped).toEqual([])
  })

  it('sends OpenAI at most 4 stop sequences (it refuses more), the first ones; other servers get them all', () => {
    const base = anthropicRequest(undefined)
    const stops = ['a', 'b', 'c', 'd', 'e', 'f']
    const request = {...base, body: {...base.body, stop_sequences: stops}}
    const openai = planRequest(request as never, model('openai', 'gpt-4o'), null)
    expect(JSON.parse(openai.body).stop).toEqual(['a', 'b', 'c', 'd'])
    expect(openai.dropped).toContain('stop_sequences[4..]')
    const vllm = planRequest(request as never, model('vllm', 'qwen3'), null)
    expect(JSON.parse(vllm.body).stop).toEqual(stops)
    expect(vllm.dropped).toEqual([])
  })

  it('leaves out the sampling an OpenAI reasoning model refuses, and lists it in dropped', () => {
    const base = anthropicRequest(undefined)
    const request = {...base, body: {...base.body, temperature: 0.3}}
    const gpt5 = planRequest(request as never, model('openai', 'gpt-5'), null)
    expect(JSON.parse(gpt5.body)).not.toHaveProperty('temperature')
    expect(gpt5.dropped).toContain('temperature')
    expect(JSON.parse(planRequest(request as never, model('openai', 'gpt-4o'), null).body).temperature).toBe(0.3)
    expect(JSON.parse(planRequest(request as never, model('openai', 'gpt-5-chat-latest'), null).body).temperature).toBe(0.3)
  })

  it('leaves unsigned thinking out of a request to an Anthropic model', () => {
    const request = anthropicRequest({type: 'enabled', budget_tokens: 2048})
    request.body.messages = [
      {role: 'user', content: 'hi'},
      {role: 'assistant', content: [{type: 'thinking', thinking: 'deepseek thought', signature: ''}, {type: 'text', text: 'hello'}]} as never,
      {role: 'user', content: 'again'},
    ]
    const sent = JSON.parse(planRequest(request, model('anthropic', 'claude-sonnet-4-5'), null).body)
    expect(sent.messages[1].content).toEqual([{type: 'text', text: 'hello'}])
  })
})

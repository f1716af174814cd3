/**
 * Chat Completions and Anthropic Messages clients (the openai SDK, Claude Code's Anthropic SDK)
 * served by an OpenAI model only the Responses API serves (gpt-5-codex): through the real daemon
 * to a fake OpenAI upstream's /v1/responses, answers, streams, tool round trips, failures, logs and spend.
 */
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

let fx: GatewayFixture
let keyId: string
let client: OpenAI
let claude: Anthropic

const INPUT_PER_1K = 0.00125
const OUTPUT_PER_1K = 0.01
const costOf = (input: number, output: number) => (input * INPUT_PER_1K + output * OUTPUT_PER_1K) / 1000

const lookup = {type: 'function' as const, function: {name: 'lookup', description: 'Look a city up', parameters: {type: 'object', properties: {query: {type: 'string'}}, required: ['query']}}}

/** Claude Code's request shape: system blocks with cache_control, its Bash tool, thinking on, 32000 output tokens. */
const claudeCodeRequest = (messages: Anthropic.MessageParam[]) => ({
  model: 'codex',
  max_tokens: 32000,
  system: [
    {type: 'text' as const, text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: {type: 'ephemeral' as const}},
    {type: 'text' as const, text: 'You are an interactive CLI tool that helps users with software engineering tasks.'},
  ],
  tools: [
    {
      name: 'Bash',
      description: 'Executes a bash command.',
      input_schema: {type: 'object' as const, properties: {command: {type: 'string'}, description: {type: 'string'}}, required: ['command']},
    },
  ],
  thinking: {type: 'enabled' as const, budget_tokens: 31999},
  metadata: {user_id: 'user_4f2c_account_9a8b_session_1c2d'},
  messages,
})

async function lastLog() {
  return (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1')).body.logs[0]
}

const lastUpstream = () => fx.openai.requests.at(-1)!

beforeAll(async () => {
  fx = await startGatewayFixture()
  const created = await fx.newKey({name: 'codex-user'})
  keyId = created.id
  client = new OpenAI({apiKey: created.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
  claude = new Anthropic({apiKey: created.key, baseURL: fx.daemon.url, maxRetries: 0})
  await fx.addModel({id: 'codex', provider_id: 'oa', upstream_model: 'gpt-5-codex', weight: 5, max_output_tokens: 128_000, input_per_1k: INPUT_PER_1K, output_per_1k: OUTPUT_PER_1K})
  await fx.daemon.admin('PUT', '/admin/v1/aliases/codex-or-backup', {variants: [{model_id: 'codex', weight: 1}, {model_id: 'cheap-gpt', weight: 0}]})
})
afterAll(() => fx?.close())
beforeEach(() => {
  fx.openai.reset()
  fx.anthropic.reset()
})

describe('a Chat Completions client on gpt-5-codex', () => {
  it('non-stream: sent to /v1/responses as a Responses request that stores nothing, answered as a chat.completion, usage logged and billed', async () => {
    const spendBefore = (await fx.daemon.admin('GET', `/admin/v1/apikeys/${keyId}`)).body.current_spend_usd as number
    const {data, response} = await client.chat.completions
      .create({model: 'codex', messages: [{role: 'system', content: 'Be brief.'}, {role: 'user', content: 'hello'}], max_tokens: 200, temperature: 0.3, seed: 7})
      .withResponse()
    expect(data).toMatchObject({object: 'chat.completion', model: 'codex', choices: [{index: 0, message: {role: 'assistant', content: 'echo: hello'}, finish_reason: 'stop'}]})
    expect(data.id).toMatch(/^chatcmpl-/)
    expect(data.usage).toMatchObject({prompt_tokens: 13, completion_tokens: 2, total_tokens: 15})
    expect(response.headers.get('x-tokenhub-model')).toBe('codex')
    // A reasoning model takes no temperature; the Responses API has no seed.
    expect(response.headers.get('x-tokenhub-dropped')).toBe('temperature, seed')

    const sent = lastUpstream()
    expect(sent.path).toBe('/v1/responses')
    expect(sent.headers.authorization).toMatch(/^Bearer sk-fixture/)
    expect(sent.json).toEqual({model: 'gpt-5-codex', instructions: 'Be brief.', input: [{role: 'user', content: 'hello'}], store: false, max_output_tokens: 200})

    const log = await lastLog()
    expect(log).toMatchObject({endpoint: '/v1/chat/completions', model_id: 'codex', provider_id: 'oa', stream: false, status_code: 200, input_tokens: 13, output_tokens: 2, usage_source: 'upstream'})
    expect(log.cost_usd).toBeCloseTo(costOf(13, 2), 12)
    const spendAfter = (await fx.daemon.admin('GET', `/admin/v1/apikeys/${keyId}`)).body.current_spend_usd as number
    expect(spendAfter - spendBefore).toBeCloseTo(costOf(13, 2), 12)
  })

  it('stream with a tool call, then the tool result: tool_calls deltas with the call_id, finish_reason tool_calls, usage chunk, logged usage', async () => {
    const stream = client.chat.completions.stream({model: 'codex', messages: [{role: 'user', content: 'Lisbon'}], tools: [lookup], stream_options: {include_usage: true}})
    const chunks: OpenAI.ChatCompletionChunk[] = []
    stream.on('chunk', (chunk) => chunks.push(chunk))
    const first = await stream.finalChatCompletion()
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall
    expect(call.id).toMatch(/^call_/)
    expect(call.function.name).toBe('lookup')
    expect(JSON.parse(call.function.arguments)).toEqual({query: 'Lisbon'})
    expect(first.choices[0].finish_reason).toBe('tool_calls')
    expect(first.usage).toMatchObject({prompt_tokens: 13, completion_tokens: 12})
    // The arguments came in pieces, each a delta at index 0.
    expect(chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.index)).toEqual([0, 0, 0])
    expect(lastUpstream().json).toMatchObject({
      model: 'gpt-5-codex',
      stream: true,
      store: false,
      tools: [{type: 'function', name: 'lookup', description: 'Look a city up', parameters: lookup.function.parameters, strict: false}],
    })
    expect(lastUpstream().json).not.toHaveProperty('stream_options')
    expect(await lastLog()).toMatchObject({endpoint: '/v1/chat/completions', model_id: 'codex', stream: true, status_code: 200, input_tokens: 13, output_tokens: 12, usage_source: 'upstream'})

    const second = await client.chat.completions.create({
      model: 'codex',
      tools: [lookup],
      messages: [{role: 'user', content: 'Lisbon'}, first.choices[0].message as OpenAI.ChatCompletionMessageParam, {role: 'tool', tool_call_id: call.id, content: 'sunny'}],
    })
    expect(second.choices[0].message.content).toBe('tool said: sunny')
    expect(lastUpstream().json.input).toEqual([
      {role: 'user', content: 'Lisbon'},
      {type: 'function_call', call_id: call.id, name: 'lookup', arguments: call.function.arguments},
      {type: 'function_call_output', call_id: call.id, output: 'sunny'},
    ])
  })

  it('a stream without include_usage gets no usage chunk, and the usage is still logged', async () => {
    const stream = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'quiet please'}], stream: true})
    let text = ''
    const usages: unknown[] = []
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usages.push(chunk.usage)
    }
    expect(text).toBe('echo: quiet please')
    expect(usages).toEqual([])
    expect(await lastLog()).toMatchObject({stream: true, input_tokens: 13, output_tokens: 3, usage_source: 'upstream'})
  })

  it('shows a reasoning summary as reasoning_content', async () => {
    fx.openai.behave('gpt-5-codex', {reasoningSummary: 'Thinking about greetings.'})
    const answer = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'hi'}], reasoning_effort: 'high'})
    expect(answer.choices[0].message).toMatchObject({content: 'echo: hi', reasoning_content: 'Thinking about greetings.'})
    expect(answer.usage).toMatchObject({completion_tokens: 14, completion_tokens_details: {reasoning_tokens: 12}})
    expect(lastUpstream().json.reasoning).toEqual({effort: 'high'})
  })
})

describe('Claude Code (Anthropic Messages) on gpt-5-codex', () => {
  it('streams thinking, then a Bash tool_use, then the answer to the tool result; usage logged', async () => {
    fx.openai.behave('gpt-5-codex', {reasoningSummary: 'I should run the command.', times: 1})
    const stream = claude.messages.stream(claudeCodeRequest([{role: 'user', content: 'Print the marker.'}]))
    const events: string[] = []
    stream.on('streamEvent', (event) => events.push(event.type === 'content_block_delta' ? event.delta.type : event.type))
    const first = await stream.finalMessage()
    expect(first.content.map((block) => block.type)).toEqual(['thinking', 'tool_use'])
    expect(first.content[0]).toMatchObject({type: 'thinking', thinking: 'I should run the command.'})
    const use = first.content[1] as Anthropic.ToolUseBlock
    const shell = fx.openai.shellCalls.at(-1)!
    expect(use).toMatchObject({name: 'Bash', input: shell.input})
    expect(use.id).toMatch(/^call_/)
    expect(first.stop_reason).toBe('tool_use')
    expect(first.model).toBe('codex')
    expect(first.usage).toMatchObject({input_tokens: 13, output_tokens: 12 + 20})
    expect(events[0]).toBe('message_start')
    expect(events).toContain('thinking_delta')
    expect(events.at(-1)).toBe('message_stop')

    const sent = lastUpstream()
    expect(sent.path).toBe('/v1/responses')
    expect(sent.json).toMatchObject({
      model: 'gpt-5-codex',
      instructions: "You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks.",
      input: [{role: 'user', content: 'Print the marker.'}],
      store: false,
      stream: true,
      max_output_tokens: 32000,
      reasoning: {effort: 'high'},
      user: 'user_4f2c_account_9a8b_session_1c2d',
      tools: [{type: 'function', name: 'Bash', strict: false}],
    })
    expect(sent.json).not.toHaveProperty('temperature')
    expect(await lastLog()).toMatchObject({endpoint: '/v1/messages', model_id: 'codex', stream: true, status_code: 200, input_tokens: 13, output_tokens: 32, usage_source: 'upstream'})

    const second = await claude.messages
      .stream(
        claudeCodeRequest([
          {role: 'user', content: 'Print the marker.'},
          {role: 'assistant', content: first.content},
          {role: 'user', content: [{type: 'tool_result', tool_use_id: use.id, content: shell.marker}]},
        ]),
      )
      .finalMessage()
    expect(second.content).toMatchObject([{type: 'text', text: `tool said: ${shell.marker}`}])
    expect(second.stop_reason).toBe('end_turn')
    const input = lastUpstream().json.input
    expect(input.slice(1)).toEqual([
      {type: 'function_call', call_id: use.id, name: 'Bash', arguments: JSON.stringify(shell.input)},
      {type: 'function_call_output', call_id: use.id, output: shell.marker},
    ])
  })

  it('non-stream, with x-tokenhub-dropped naming what Claude Code sent that OpenAI cannot take', async () => {
    const {data, response} = await claude.messages.create({...claudeCodeRequest([{role: 'user', content: 'hi'}]), max_tokens: 4096, thinking: {type: 'enabled', budget_tokens: 2048}, tools: undefined, top_k: 5} as Anthropic.MessageCreateParamsNonStreaming).withResponse()
    expect(data).toMatchObject({type: 'message', role: 'assistant', model: 'codex', content: [{type: 'text', text: 'echo: hi'}], stop_reason: 'end_turn', usage: {input_tokens: 13, output_tokens: 2}})
    expect(response.headers.get('x-tokenhub-dropped')).toBe('cache_control, top_k')
    expect(lastUpstream().json).toMatchObject({max_output_tokens: 4096, reasoning: {effort: 'low'}, store: false})
    expect(lastUpstream().json).not.toHaveProperty('stream')
  })
})

describe('what goes wrong upstream', () => {
  it('an upstream 400 goes back to the client as is, in its dialect, with no failover', async () => {
    const body = JSON.stringify({error: {message: "Invalid 'input[0].content': string too long.", type: 'invalid_request_error', param: 'input[0].content', code: 'string_above_max_length'}})
    fx.openai.behave('gpt-5-codex', {status: 400, body})
    const chat = await client.chat.completions.create({model: 'codex-or-backup', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(chat.status).toBe(400)
    expect(chat.message).toContain("Invalid 'input[0].content'")
    expect((await lastLog()).attempts.map((a: {model_id: string; status: number}) => [a.model_id, a.status])).toEqual([['codex', 400]])
    const messages = await claude.messages.create({model: 'codex', max_tokens: 100, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(messages.status).toBe(400)
    expect(messages.error).toMatchObject({type: 'error', error: {type: 'invalid_request_error', message: expect.stringContaining("Invalid 'input[0].content'")}})
  })

  it('response.failed before any content fails over like a 500 (the client sees nothing of it)', async () => {
    fx.openai.behave('gpt-5-codex', {streamError: {type: 'server_error', message: 'The server had an error processing your request.'}})
    const stream = await client.chat.completions.create({model: 'codex-or-backup', messages: [{role: 'user', content: 'again'}], stream: true})
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('echo: again')
    const log = await lastLog()
    expect(log.model_id).toBe('cheap-gpt')
    expect(log.attempts.map((a: {model_id: string; status: number}) => [a.model_id, a.status])).toEqual([
      ['codex', 500],
      ['codex', 500],
      ['cheap-gpt', 200],
    ])
  })

  it('response.failed mid-stream ends the chat stream with an error (no [DONE]) and Claude Code\'s with an error event', async () => {
    fx.openai.behave('gpt-5-codex', {failAfterChunks: 5})
    const stream = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'one two three four five'}], stream: true})
    let text = ''
    const read = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    }
    await expect(read()).rejects.toThrow(/The model failed mid-answer/)
    expect(text).toBe('echo: one two ')
    expect(await lastLog()).toMatchObject({model_id: 'codex', error_class: 'stream_interrupted', input_tokens: 13})

    const anthropic = claude.messages.stream({model: 'codex', max_tokens: 100, messages: [{role: 'user', content: 'one two three four five'}]})
    await expect(anthropic.finalMessage()).rejects.toThrow(/The model failed mid-answer/)
  })

  it('an answer cut off by max_output_tokens finishes with length / max_tokens, streamed or not', async () => {
    fx.openai.behave('gpt-5-codex', {incomplete: true})
    const whole = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'long'}], max_completion_tokens: 20})
    expect(whole.choices[0].finish_reason).toBe('length')
    expect(lastUpstream().json.max_output_tokens).toBe(20)
    const streamed = await client.chat.completions.stream({model: 'codex', messages: [{role: 'user', content: 'long'}]}).finalChatCompletion()
    expect(streamed.choices[0].finish_reason).toBe('length')
    const message = await claude.messages.create({model: 'codex', max_tokens: 20, messages: [{role: 'user', content: 'long'}]})
    expect(message.stop_reason).toBe('max_tokens')
    const streamedMessage = await claude.messages.stream({model: 'codex', max_tokens: 20, messages: [{role: 'user', content: 'long'}]}).finalMessage()
    expect(streamedMessage.stop_reason).toBe('max_tokens')
    expect(await lastLog()).toMatchObject({status_code: 200, error_class: null, usage_source: 'upstream'})
  })
})

describe('routing and simulate', () => {
  it('chat and messages reach gpt-5-codex; legacy completions and n above 1 are skipped for it, and simulate agrees', async () => {
    const simulate = async (body: Record<string, unknown>) => (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', body)).body
    expect((await simulate({model: 'codex-or-backup'})).chosen).toBe('codex')
    expect((await simulate({model: 'codex-or-backup', capability: 'responses'})).chosen).toBe('codex')
    for (const request of [{capability: 'completions'}, {n: 2}]) {
      const simulated = await simulate({model: 'codex-or-backup', ...request})
      expect(simulated.chosen, JSON.stringify(request)).toBe('cheap-gpt')
      expect(simulated.candidates.find((c: {model_id: string}) => c.model_id === 'codex')).toMatchObject({skip_reason: 'unsupported_endpoint'})
    }
    const legacy = await client.completions.create({model: 'codex-or-backup', prompt: 'x'}).withResponse()
    expect(legacy.response.headers.get('x-tokenhub-model')).toBe('cheap-gpt')
    const two = await client.chat.completions.create({model: 'codex-or-backup', messages: [{role: 'user', content: 'x'}], n: 2}).withResponse()
    expect(two.response.headers.get('x-tokenhub-model')).toBe('cheap-gpt')
    const named = await client.chat.completions.create({model: 'codex', messages: [{role: 'user', content: 'x'}], n: 2}).catch((e) => e)
    expect(named.status).toBe(400)
    expect(named.message).toContain("served only by OpenAI's Responses API")
    expect(fx.openai.requests.filter((r) => r.json?.model === 'gpt-5-codex')).toHaveLength(0)
  })
})

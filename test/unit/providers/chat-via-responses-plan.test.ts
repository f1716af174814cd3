import {describe, expect, it} from 'vitest'
import type {RoutableModel} from '../../../src/core/routing/types.js'
import {attemptTimeouts, planRequest} from '../../../src/providers/plan.js'
import {fixtureJson} from './sse-helpers.js'

const codex = (overrides: Partial<RoutableModel> = {}): RoutableModel => ({
  id: 'codex',
  providerId: 'oa',
  providerType: 'openai',
  upstreamModel: 'gpt-5-codex',
  kind: 'chat',
  weight: 5,
  maxContextTokens: 400_000,
  maxOutputTokens: 128_000,
  inputPer1k: 0.00125,
  outputPer1k: 0.01,
  enabled: true,
  providerEnabled: true,
  pricingSource: 'manual',
  ...overrides,
})

describe('planRequest for a model only the Responses API serves', () => {
  const chatClient = (body: Record<string, unknown>, stream = false) => ({dialect: 'openai' as const, endpoint: 'chat' as const, body, stream, requestId: 'req-1'})

  it('sends a Chat request to /v1/responses, and other OpenAI models to /v1/chat/completions as before', () => {
    const body = {model: 'codex', messages: [{role: 'user', content: 'hi'}], stream: true, stream_options: {include_usage: true}}
    const plan = planRequest(chatClient(body, true), codex(), 'sk-provider')
    expect(plan.path).toBe('/v1/responses')
    expect(plan.headers.authorization).toBe('Bearer sk-provider')
    expect(JSON.parse(plan.body)).toEqual({model: 'gpt-5-codex', input: [{role: 'user', content: 'hi'}], store: false, stream: true})
    expect(plan.dropped).toEqual([])
    for (const upstreamModel of ['gpt-5-pro', 'o3-pro', 'codex-mini-latest', 'gpt-5.1-codex-max']) expect(planRequest(chatClient(body), codex({upstreamModel}), null).path).toBe('/v1/responses')
    expect(planRequest(chatClient(body), codex({upstreamModel: 'gpt-5'}), null).path).toBe('/v1/chat/completions')
    // A vLLM server that names its model gpt-5-codex has Chat Completions.
    expect(planRequest(chatClient(body), codex({providerType: 'vllm'}), null).path).toBe('/v1/chat/completions')
  })

  it('sends a Claude Code request through Anthropic -> Chat -> Responses: system as instructions, tools flat and not strict, thinking as effort', () => {
    const request = fixtureJson('anthropic-messages-request.json')
    const plan = planRequest({dialect: 'anthropic', endpoint: 'chat', body: request, stream: true, requestId: 'req-2'}, codex(), null)
    expect(plan.path).toBe('/v1/responses')
    const body = JSON.parse(plan.body)
    expect(body).toMatchObject({
      model: 'gpt-5-codex',
      instructions: "You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks.",
      store: false,
      stream: true,
      max_output_tokens: 32000,
      // budget_tokens 8000: low (under 8192).
      reasoning: {effort: 'low'},
      tool_choice: 'auto',
      parallel_tool_calls: false,
      user: 'user_4f2c9e1b_account_9a8b_session_1c2d',
    })
    expect(body).not.toHaveProperty('temperature')
    expect(body.tools.map((t: Record<string, unknown>) => [t.type, t.name, t.strict])).toEqual([
      ['function', 'Read', false],
      ['function', 'Bash', false],
    ])
    expect(body.input.slice(1, 5)).toEqual([
      {role: 'assistant', content: 'Let me look at the build log and the config.'},
      {type: 'function_call', call_id: 'toolu_01A09q90qw90lq917835lq9', name: 'Read', arguments: '{"file_path":"/repo/build.log"}'},
      {type: 'function_call', call_id: 'toolu_01BxrVDgfkr4NnMK3tzsUoZ7', name: 'Bash', arguments: '{"command":"cat tsconfig.json","description":"Show the TypeScript config"}'},
      {type: 'function_call_output', call_id: 'toolu_01A09q90qw90lq917835lq9', output: "error TS2307: Cannot find module './util.js'"},
    ])
    // The screenshot is an input_image of the user turn.
    expect(body.input[0].content[1]).toEqual({type: 'input_image', image_url: expect.stringMatching(/^data:image\/png;base64,/), detail: 'auto'})
    expect(plan.dropped).toEqual(['cache_control', 'thinking blocks', 'tools[2] (web_search_20250305)', 'top_k'])
  })

  it('names a dropped stop sequence as the Anthropic client sent it', () => {
    const body = {model: 'x', max_tokens: 100, stop_sequences: ['END'], messages: [{role: 'user', content: 'hi'}]}
    // A non-reasoning model keeps stop through the Chat step; the Responses API has no stop at all.
    const plan = planRequest({dialect: 'anthropic', endpoint: 'chat', body, stream: false, requestId: 'r'}, codex({upstreamModel: 'computer-use-preview'}), null)
    expect(plan.dropped).toEqual(['stop_sequences'])
  })
})

describe('a PDF from an Anthropic client', () => {
  it('reaches an OpenAI model as a file (input_file through the Responses API), and stays out of requests to other servers', () => {
    const body = {model: 'x', max_tokens: 100, messages: [{role: 'user', content: [{type: 'document', title: 'spec', source: {type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjcK'}}, {type: 'text', text: 'Summarise.'}]}]}
    const plan = planRequest({dialect: 'anthropic', endpoint: 'chat', body, stream: false, requestId: 'r'}, codex(), null)
    const sent = JSON.parse(plan.body)
    expect(sent.input[0].content[0]).toEqual({type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0xLjcK', filename: 'spec.pdf'})
    expect(plan.dropped).toEqual([])
    const chat = planRequest({dialect: 'anthropic', endpoint: 'chat', body, stream: false, requestId: 'r'}, codex({upstreamModel: 'gpt-4o'}), null)
    expect(JSON.parse(chat.body).messages[0].content[0]).toMatchObject({type: 'file', file: {filename: 'spec.pdf'}})
    const vllm = planRequest({dialect: 'anthropic', endpoint: 'chat', body, stream: false, requestId: 'r'}, codex({providerType: 'vllm', upstreamModel: 'qwen'}), null)
    expect(vllm.dropped).toContain('messages[0].content[0] (document)')
  })
})

describe('attemptTimeouts', () => {
  const configured = {firstByteMs: 60_000, idleMs: 60_000, deadlineMs: 180_000}
  it('gives OpenAI reasoning models up to 300 s, but at most half the request deadline, so a failover still fits', () => {
    for (const upstreamModel of ['gpt-5-codex', 'o3', 'gpt-5-mini', 'o4-mini']) expect(attemptTimeouts(codex({upstreamModel}), configured), upstreamModel).toEqual({firstByteMs: 90_000, idleMs: 90_000})
    expect(attemptTimeouts(codex(), {...configured, deadlineMs: 900_000})).toEqual({firstByteMs: 300_000, idleMs: 300_000})
    // A longer setting wins; other models keep the settings.
    expect(attemptTimeouts(codex(), {firstByteMs: 400_000, idleMs: 30_000, deadlineMs: 900_000})).toEqual({firstByteMs: 400_000, idleMs: 300_000})
    for (const upstreamModel of ['gpt-4o', 'gpt-5-chat-latest', 'gpt-4.1']) expect(attemptTimeouts(codex({upstreamModel}), configured), upstreamModel).toEqual({firstByteMs: 60_000, idleMs: 60_000})
    expect(attemptTimeouts(codex({providerType: 'vllm'}), configured)).toEqual({firstByteMs: 60_000, idleMs: 60_000})
  })
})

import {describe, expect, it} from 'vitest'
import {planRequest, usageOf, type ClientRequest} from '../../../src/providers/plan.js'
import type {RoutableModel} from '../../../src/core/routing/types.js'
import type {ProviderType} from '../../../src/core/schemas/common.js'
import {translateErrorBody} from '../../../src/providers/errors.js'
import {fixtureJson, fixtureText, frames, parseSse, run} from './sse-helpers.js'

/**
 * One contract, every adapter: for each upstream type and each client dialect, the plan sends
 * the right request and turns recorded upstream traffic (answer, stream, tool calls, error) into
 * a well-formed answer in the client's dialect.
 */

const PROVIDER_TYPES: ProviderType[] = ['openai', 'vllm', 'anthropic']
const DIALECTS = ['openai', 'anthropic'] as const

function model(type: ProviderType): RoutableModel {
  return {
    id: `registered-${type}`,
    providerId: type,
    providerType: type,
    upstreamModel: `upstream-${type}`,
    kind: 'chat',
    weight: 5,
    maxContextTokens: 200_000,
    maxOutputTokens: 8192,
    inputPer1k: 0.001,
    outputPer1k: 0.002,
    enabled: true,
    providerEnabled: true,
    pricingSource: 'manual',
  }
}

function client(dialect: 'openai' | 'anthropic', stream: boolean): ClientRequest {
  const body = dialect === 'openai' ? fixtureJson('openai-chat-request.json') : fixtureJson('anthropic-messages-request.json')
  return {dialect, endpoint: 'chat', body: {...body, stream}, stream, requestId: 'req-1'}
}

const wireOf = (type: ProviderType) => (type === 'anthropic' ? 'anthropic' : 'openai')

describe.each(PROVIDER_TYPES)('%s upstream', (type) => {
  describe.each(DIALECTS)('%s client', (dialect) => {
    const upstreamWire = wireOf(type)

    it('sends the routed model to the right path with only the provider credential', () => {
      const plan = planRequest(client(dialect, false), model(type), 'provider-secret')
      const body = JSON.parse(plan.body)
      expect(body.model).toBe(`upstream-${type}`)
      expect(plan.path).toBe(upstreamWire === 'anthropic' ? '/v1/messages' : '/v1/chat/completions')
      if (upstreamWire === 'anthropic') {
        expect(plan.headers['x-api-key']).toBe('provider-secret')
        expect(plan.headers.authorization).toBeUndefined()
        expect(body.tools[0].input_schema).toBeDefined()
        // Translated requests are clamped to the model's output cap; Anthropic clients pass through untouched.
        if (dialect === 'openai') expect(body.max_tokens).toBeLessThanOrEqual(8192)
      } else {
        expect(plan.headers.authorization).toBe('Bearer provider-secret')
        expect(body.tools[0].type).toBe('function')
      }
      expect(Object.keys(plan.headers).sort()).toEqual(
        expect.arrayContaining(['accept', 'content-type', 'user-agent', 'x-request-id']),
      )
    })

    it('asks for stream usage from OpenAI-type upstreams', () => {
      const body = JSON.parse(planRequest(client(dialect, true), model(type), null).body)
      if (upstreamWire === 'openai') expect(body.stream_options).toEqual({include_usage: true})
      else expect(body.stream).toBe(true)
    })

    it('answers in the client dialect, with usage, for text and tool calls', () => {
      const plan = planRequest(client(dialect, false), model(type), null)
      const answers =
        upstreamWire === 'anthropic'
          ? [fixtureJson('anthropic-message-tool-use.json')]
          : [fixtureJson('openai-chat-completion-text.json'), fixtureJson('openai-chat-completion-tool-calls.json')]
      for (const answer of answers) {
        const out = plan.toClient(answer) as any
        if (dialect === 'openai') {
          expect(out.object).toBe('chat.completion')
          expect(out.choices[0].message.role).toBe('assistant')
        } else {
          expect(out.type).toBe('message')
          expect(Array.isArray(out.content)).toBe(true)
        }
        const usage = usageOf(dialect, 'chat', out)
        expect(usage?.input).toBeGreaterThan(0)
        expect(usage?.output).toBeGreaterThan(0)
      }
    })

    it('streams recorded transcripts as complete client streams with usage', () => {
      const transcripts = upstreamWire === 'anthropic' ? ['anthropic-stream-text.sse', 'anthropic-stream-tool-use.sse'] : ['openai-stream-text.sse', 'openai-stream-tool-calls.sse']
      for (const name of transcripts) {
        const plan = planRequest(client(dialect, true), model(type), null)
        const transformer = plan.streamTransformer()
        const output = run(transformer, parseSse(fixtureText(name)))
        expect(transformer.complete).toBe(true)
        expect(transformer.usage?.output).toBeGreaterThan(0)
        const out = frames(output)
        if (dialect === 'openai') expect(out.at(-1)?.data).toBe('[DONE]')
        else expect(out.at(-1)?.event).toBe('message_stop')
      }
    })

    it('ends a stream that breaks with an error event and no completion marker', () => {
      const transcript = upstreamWire === 'anthropic' ? 'anthropic-stream-error.sse' : 'openai-stream-error.sse'
      const plan = planRequest(client(dialect, true), model(type), null)
      const output = run(plan.streamTransformer(), parseSse(fixtureText(transcript)))
      expect(output).toContain('error')
      expect(output).not.toContain('[DONE]')
      expect(output).not.toContain('message_stop')
    })

    it('translates upstream errors into the client error shape', () => {
      const errors = fixtureJson<Record<string, {status: number; body: unknown}>>('errors.json')
      for (const [name, {status, body}] of Object.entries(errors)) {
        if (!name.startsWith(upstreamWire)) continue
        const out = JSON.parse(translateErrorBody(JSON.stringify(body), status, dialect))
        if (dialect === 'openai') expect(out.error.message).toEqual(expect.any(String))
        else expect(out).toMatchObject({type: 'error', error: {type: expect.any(String), message: expect.any(String)}})
        expect(JSON.stringify(out)).not.toMatch(/sk-(proj|ant)-[A-Za-z0-9]{6,}/)
      }
    })
  })
})

describe('a Responses request served by a Claude model', () => {
  it('reports what it dropped by the names the Responses client sent', () => {
    const plan = planRequest(
      {dialect: 'openai', endpoint: 'responses', body: {model: 'x', input: 'hi', text: {format: {type: 'json_object'}}}, stream: false, requestId: 'r'},
      model('anthropic'),
      'sk-test',
    )
    expect(plan.dropped).toContain('text.format')
    expect(plan.dropped).not.toContain('response_format')
  })
})

describe('an OpenAI client without max_tokens, served by an Anthropic model', () => {
  it('streams up to the model\'s output cap (OpenAI\'s "no limit"), and a whole answer at most 4096 tokens (it must beat the first-byte timeout)', () => {
    const ask = (stream: boolean) => {
      const body = {model: 'x', stream, messages: [{role: 'user', content: 'write a lot'}]}
      return JSON.parse(planRequest({dialect: 'openai', endpoint: 'chat', body, stream, requestId: 'r'}, model('anthropic'), null).body)
    }
    expect(ask(true).max_tokens).toBe(8192)
    expect(ask(false).max_tokens).toBe(4096)
  })
})

/**
 * The official SDKs read our translated output (through an injected fetch, no network): what an
 * OpenAI SDK client routed to Claude, or Claude Code routed to GPT, actually sees.
 */
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {describe, expect, it} from 'vitest'
import {AnthropicToOpenAIStream} from '../../../src/providers/anthropic/stream-to-openai.js'
import {anthropicResponseToOpenAI} from '../../../src/providers/anthropic/to-openai-response.js'
import {OpenAIToAnthropicStream} from '../../../src/providers/openai/stream-to-anthropic.js'
import {openAIResponseToAnthropic} from '../../../src/providers/openai/to-anthropic-response.js'
import {fixtureJson, fixtureText, parseSse, run} from './sse-helpers.js'

/** A fetch that answers every request with this body. */
const answering = (body: string, contentType: string, status = 200) => async () => new Response(body, {status, headers: {'content-type': contentType}})
const sse = 'text/event-stream'

const openAIClient = (body: string, contentType = sse) => new OpenAI({apiKey: 'test', baseURL: 'http://gateway.invalid/v1', fetch: answering(body, contentType), maxRetries: 0})
const anthropicClient = (body: string, contentType = sse) =>
  new Anthropic({apiKey: 'test', baseURL: 'http://gateway.invalid', fetch: answering(body, contentType), maxRetries: 0})

const translatedToOpenAI = (fixture: string, includeUsage: boolean) =>
  run(new AnthropicToOpenAIStream({model: 'claude-sonnet-4-5', created: 1754562255, includeUsage}), parseSse(fixtureText(fixture)))
const translatedToAnthropic = (fixture: string) => run(new OpenAIToAnthropicStream({model: 'gpt-4o', created: 1754562255, includeUsage: false}), parseSse(fixtureText(fixture)))

describe('the OpenAI SDK reading Claude answers', () => {
  it('assembles streamed tool calls and usage into the final completion', async () => {
    const client = openAIClient(translatedToOpenAI('anthropic-stream-tool-use.sse', true))
    const final = await client.chat.completions
      .stream({model: 'claude-sonnet-4-5', messages: [{role: 'user', content: 'Weather?'}], stream_options: {include_usage: true}})
      .finalChatCompletion()
    const message = final.choices[0].message
    expect(message.content).toBe("I'll check both cities.")
    expect(message.tool_calls?.map((call) => call.type === 'function' && [call.id, call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['toolu_01T1x1fJ34qAmk2tNTrN7Up6', 'get_weather', {city: 'Lisbon', unit: 'celsius'}],
      ['toolu_01UNv3Y8bR3X5pKq7mWzL2cd', 'get_weather', {city: 'Paris'}],
    ])
    expect(final.choices[0].finish_reason).toBe('tool_calls')
    expect(final.usage).toMatchObject({prompt_tokens: 2008, completion_tokens: 89})
  })

  it('throws on a translated upstream error instead of returning a short answer', async () => {
    const client = openAIClient(translatedToOpenAI('anthropic-stream-error.sse', false))
    const stream = await client.chat.completions.create({model: 'claude-sonnet-4-5', messages: [{role: 'user', content: 'go'}], stream: true})
    const read = async () => {
      for await (const _chunk of stream) {
        // drain
      }
    }
    await expect(read()).rejects.toThrow(/Overloaded/)
  })

  it('parses a translated non-stream response', async () => {
    const body = JSON.stringify(anthropicResponseToOpenAI(fixtureJson('anthropic-message-tool-use.json'), {model: 'claude-sonnet-4-5', created: 1754560321}))
    const completion = await openAIClient(body, 'application/json').chat.completions.create({model: 'claude-sonnet-4-5', messages: [{role: 'user', content: 'x'}]})
    expect(completion.choices[0].message.tool_calls).toHaveLength(2)
  })
})

describe('the Anthropic SDK (as Claude Code uses it) reading GPT answers', () => {
  it('assembles streamed tool_use blocks with parsed input and usage into the final message', async () => {
    const client = anthropicClient(translatedToAnthropic('openai-stream-tool-calls.sse'))
    const final = await client.messages.stream({model: 'gpt-4o', max_tokens: 1024, messages: [{role: 'user', content: 'Weather?'}]}).finalMessage()
    expect(final.content).toEqual([
      {type: 'tool_use', id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', name: 'get_weather', input: {city: 'Lisbon'}},
      {type: 'tool_use', id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', name: 'get_weather', input: {city: 'Paris'}},
    ])
    expect(final.stop_reason).toBe('tool_use')
    expect(final.usage).toMatchObject({input_tokens: 1162, cache_read_input_tokens: 2048, output_tokens: 52})
  })

  it('assembles a streamed text answer', async () => {
    const final = await anthropicClient(translatedToAnthropic('openai-stream-text.sse'))
      .messages.stream({model: 'gpt-4o', max_tokens: 1024, messages: [{role: 'user', content: 'Hi'}]})
      .finalMessage()
    expect(final.content).toMatchObject([{type: 'text', text: 'Hello! How can I help?'}])
    expect(final.stop_reason).toBe('end_turn')
  })

  it('throws on a translated upstream error and on a truncated stream', async () => {
    const errored = anthropicClient(translatedToAnthropic('openai-stream-error.sse'))
    await expect(errored.messages.stream({model: 'gpt-4o', max_tokens: 10, messages: [{role: 'user', content: 'go'}]}).finalMessage()).rejects.toThrow(
      /server had an error/,
    )
    const truncatedText = run(new OpenAIToAnthropicStream({model: 'gpt-4o', created: 0, includeUsage: false}), parseSse(fixtureText('openai-stream-text.sse')).slice(0, 3))
    const truncated = anthropicClient(truncatedText)
    await expect(truncated.messages.stream({model: 'gpt-4o', max_tokens: 10, messages: [{role: 'user', content: 'go'}]}).finalMessage()).rejects.toThrow(
      /ended before the response was complete/,
    )
  })

  it('parses a translated non-stream response', async () => {
    const body = JSON.stringify(openAIResponseToAnthropic(fixtureJson('openai-chat-completion-tool-calls.json'), {model: 'gpt-4o'}))
    const message = await anthropicClient(body, 'application/json').messages.create({model: 'gpt-4o', max_tokens: 10, messages: [{role: 'user', content: 'x'}]})
    expect(message.content.map((block) => block.type)).toEqual(['tool_use', 'tool_use'])
  })
})

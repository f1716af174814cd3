import {describe, expect, it} from 'vitest'
import {anthropicResponseToOpenAI} from '../../../src/providers/anthropic/to-openai-response.js'
import type {AnthropicMessage} from '../../../src/providers/anthropic/types.js'
import {openAIResponseToAnthropic} from '../../../src/providers/openai/to-anthropic-response.js'
import type {OpenAIChatCompletion} from '../../../src/providers/openai/types.js'
import {fixtureJson} from './sse-helpers.js'

const anthropicMessage = (fields: Partial<AnthropicMessage>): AnthropicMessage => ({
  id: 'msg_01EcyWo6m4hyW8KHs2y2pei5',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5-20251001',
  content: [{type: 'text', text: 'Hi!'}],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {input_tokens: 10, output_tokens: 3},
  ...fields,
})

const openAICompletion = (message: Record<string, unknown>, finishReason: string | null): OpenAIChatCompletion =>
  ({
    id: 'chatcmpl-C3fX0aB1cD2eF3gH4iJ5kL6m',
    object: 'chat.completion',
    created: 1754560400,
    model: 'gpt-4o-2024-08-06',
    choices: [{index: 0, message: {role: 'assistant', content: null, refusal: null, ...message}, logprobs: null, finish_reason: finishReason}],
    usage: {prompt_tokens: 20, completion_tokens: 5, total_tokens: 25},
  }) as OpenAIChatCompletion

describe('anthropicResponseToOpenAI', () => {
  const options = {model: 'claude-sonnet-4-5', created: 1754560321}

  it('translates text plus parallel tool use, dropping thinking and counting cached prompt tokens', () => {
    expect(anthropicResponseToOpenAI(fixtureJson('anthropic-message-tool-use.json'), options)).toEqual({
      id: 'chatcmpl-msg_01Aq9w938a90dw8q',
      object: 'chat.completion',
      created: 1754560321,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "I'll check the weather in both cities.",
            refusal: null,
            tool_calls: [
              {id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Lisbon","unit":"celsius"}'}},
              {id: 'toolu_01UNv3Y8bR3X5pKq7mWzL2cd', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}'}},
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {prompt_tokens: 412 + 1024 + 2048, completion_tokens: 96, total_tokens: 412 + 1024 + 2048 + 96, prompt_tokens_details: {cached_tokens: 2048}},
    })
  })

  it('gives content null when the answer is only tool calls, "" when it is empty', () => {
    const toolsOnly = anthropicResponseToOpenAI(
      anthropicMessage({content: [{type: 'tool_use', id: 'toolu_01A', name: 'f', input: {x: 1}}], stop_reason: 'tool_use'}),
      options,
    )
    expect(toolsOnly.choices[0].message.content).toBeNull()
    expect(toolsOnly.choices[0].message.tool_calls).toHaveLength(1)
    const empty = anthropicResponseToOpenAI(anthropicMessage({content: [], stop_reason: 'max_tokens'}), options)
    expect(empty.choices[0].message).toEqual({role: 'assistant', content: '', refusal: null})
  })

  it('joins text blocks split by citations into one content string', () => {
    const resp = anthropicMessage({
      content: [
        {type: 'text', text: 'The grass is '},
        {type: 'text', text: 'green', citations: [{type: 'char_location', cited_text: 'The grass is green.'}]},
        {type: 'text', text: '.'},
      ],
    })
    expect(anthropicResponseToOpenAI(resp, options).choices[0].message.content).toBe('The grass is green.')
  })

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
    [null, 'stop'],
  ])('stop_reason %s -> finish_reason %s', (stopReason, finishReason) => {
    const resp = anthropicMessage({stop_reason: stopReason as AnthropicMessage['stop_reason']})
    expect(anthropicResponseToOpenAI(resp, options).choices[0].finish_reason).toBe(finishReason)
  })

  it('reports usage without cache fields as plain counts', () => {
    expect(anthropicResponseToOpenAI(anthropicMessage({}), options).usage).toEqual({prompt_tokens: 10, completion_tokens: 3, total_tokens: 13})
  })
})

describe('openAIResponseToAnthropic', () => {
  it('translates parallel tool calls and splits cached prompt tokens out of input_tokens', () => {
    expect(openAIResponseToAnthropic(fixtureJson('openai-chat-completion-tool-calls.json'), {model: 'gpt-4o'})).toEqual({
      id: 'msg_C3fW9Qk2LxR8b7yTnM1pZ4sD',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        {type: 'tool_use', id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', name: 'get_weather', input: {city: 'Lisbon', unit: 'celsius'}},
        {type: 'tool_use', id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', name: 'get_weather', input: {city: 'Paris', unit: 'celsius'}},
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {input_tokens: 3210 - 2048, output_tokens: 52, cache_read_input_tokens: 2048},
    })
  })

  it('translates a text answer', () => {
    expect(openAIResponseToAnthropic(fixtureJson('openai-chat-completion-text.json'), {model: 'gpt-4o-mini'})).toEqual({
      id: 'msg_C3fWbT0yVq3nKd8sPz2mXh6J',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{type: 'text', text: 'Yes, pack an umbrella: light rain is expected in Paris all afternoon.'}],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {input_tokens: 148, output_tokens: 17},
    })
  })

  it('puts text before tool_use and parses malformed arguments to {}', () => {
    const resp = openAICompletion(
      {
        content: 'Searching now.',
        tool_calls: [{id: 'call_bad', type: 'function', function: {name: 'search', arguments: '{"q": "cut off'}}],
      },
      'tool_calls',
    )
    expect(openAIResponseToAnthropic(resp, {model: 'm'}).content).toEqual([
      {type: 'text', text: 'Searching now.'},
      {type: 'tool_use', id: 'call_bad', name: 'search', input: {}},
    ])
  })

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ])('finish_reason %s -> stop_reason %s', (finishReason, stopReason) => {
    expect(openAIResponseToAnthropic(openAICompletion({content: 'x'}, finishReason), {model: 'm'}).stop_reason).toBe(stopReason)
  })

  it('says tool_use when a compatible server ends a tool-calling turn with "stop"', () => {
    const resp = openAICompletion({tool_calls: [{id: 'call_1', type: 'function', function: {name: 'f', arguments: '{}'}}]}, 'stop')
    expect(openAIResponseToAnthropic(resp, {model: 'm'}).stop_reason).toBe('tool_use')
  })

  it('turns a refusal into text and an empty answer into no blocks', () => {
    expect(openAIResponseToAnthropic(openAICompletion({refusal: "I can't help with that."}, 'stop'), {model: 'm'}).content).toEqual([
      {type: 'text', text: "I can't help with that."},
    ])
    expect(openAIResponseToAnthropic(openAICompletion({content: ''}, 'length'), {model: 'm'}).content).toEqual([])
  })
})

import {describe, expect, it} from 'vitest'
import {anthropicResponseToOpenAI} from '../../../src/providers/anthropic/to-openai-response.js'
import type {OpenAIChatCompletion} from '../../../src/providers/openai/types.js'
import {chatToResponses, responsesUsageFromChat} from '../../../src/providers/responses/from-chat-response.js'
import {responsesUsage} from '../../../src/providers/responses/usage.js'
import {fixtureJson} from './sse-helpers.js'

const CREATED_AT = 1754560321

const completion = (message: Record<string, unknown>, finishReason: string | null, usage?: Record<string, unknown>): OpenAIChatCompletion =>
  ({
    id: 'chatcmpl-C3fX0aB1cD2eF3gH4iJ5kL6m',
    object: 'chat.completion',
    created: 1754560400,
    model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
    choices: [{index: 0, message: {role: 'assistant', content: null, refusal: null, ...message}, logprobs: null, finish_reason: finishReason}],
    usage: usage ?? {prompt_tokens: 20, completion_tokens: 5, total_tokens: 25},
  }) as OpenAIChatCompletion

/** The response fields that do not depend on the answer, for a request that set none of them. */
const defaults = {
  object: 'response',
  created_at: CREATED_AT,
  background: false,
  error: null,
  instructions: null,
  max_output_tokens: null,
  model: 'qwen3-coder',
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: {effort: null, summary: null},
  store: false,
  temperature: null,
  text: {format: {type: 'text'}},
  tool_choice: 'auto',
  tools: [],
  top_p: null,
  truncation: 'disabled',
  metadata: {},
}

describe('chatToResponses', () => {
  const options = {model: 'qwen3-coder', createdAt: CREATED_AT}

  it('translates a text answer into one completed message item', () => {
    expect(chatToResponses(completion({content: 'Hello! How can I help?'}, 'stop'), options)).toEqual({
      ...defaults,
      id: 'resp_C3fX0aB1cD2eF3gH4iJ5kL6m',
      status: 'completed',
      incomplete_details: null,
      output: [
        {
          type: 'message',
          id: 'msg_C3fX0aB1cD2eF3gH4iJ5kL6m',
          status: 'completed',
          role: 'assistant',
          content: [{type: 'output_text', text: 'Hello! How can I help?', annotations: []}],
        },
      ],
      usage: {input_tokens: 20, input_tokens_details: {cached_tokens: 0}, output_tokens: 5, output_tokens_details: {reasoning_tokens: 0}, total_tokens: 25},
    })
  })

  it('gives a call to a flattened namespace function its namespace and name back', () => {
    const chat = fixtureJson('openai-chat-completion-tool-calls.json')
    chat.choices[0].message.tool_calls[0].function.name = 'weather__get_weather'
    const response = chatToResponses(chat, {...options, toolNames: new Map([['weather__get_weather', {namespace: 'weather', name: 'get_weather'}]])})
    expect(response.output[0]).toMatchObject({type: 'function_call', namespace: 'weather', name: 'get_weather'})
    // A function of no namespace keeps its name and gets no namespace field.
    expect(response.output[1]).toMatchObject({type: 'function_call', name: 'get_weather'})
    expect(response.output[1]).not.toHaveProperty('namespace')
  })

  it('translates parallel tool calls into function_call items, with cached-token usage', () => {
    const response = chatToResponses(fixtureJson('openai-chat-completion-tool-calls.json'), {...options, id: 'resp_tokenhub_0001'})
    expect(response.id).toBe('resp_tokenhub_0001')
    expect(response.status).toBe('completed')
    expect(response.output).toEqual([
      {
        type: 'function_call',
        id: 'fc_q8UfHzX1nXbQ2oA7rT4mVwLk',
        call_id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk',
        name: 'get_weather',
        arguments: '{"city":"Lisbon","unit":"celsius"}',
        status: 'completed',
      },
      {
        type: 'function_call',
        id: 'fc_Z3vD0pJk9sLe7WbN1yQc5hRt',
        call_id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt',
        name: 'get_weather',
        arguments: '{"city":"Paris","unit":"celsius"}',
        status: 'completed',
      },
    ])
    expect(response.usage).toEqual({
      input_tokens: 3210,
      input_tokens_details: {cached_tokens: 2048},
      output_tokens: 52,
      output_tokens_details: {reasoning_tokens: 0},
      total_tokens: 3262,
    })
  })

  it('puts the text before the calls when the model wrote both', () => {
    const chat = completion(
      {content: "I'll check.", tool_calls: [{id: 'call_1', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Lisbon"}'}}]},
      'tool_calls',
    )
    expect(chatToResponses(chat, options).output.map((item) => [item.type, item.id])).toEqual([
      ['message', 'msg_C3fX0aB1cD2eF3gH4iJ5kL6m'],
      ['function_call', 'fc_1'],
    ])
  })

  it('gives calls that came without ids (Gemini, LM Studio) call ids of their own, different in every answer', () => {
    const chat = completion(
      {tool_calls: [{type: 'function', function: {name: 'a', arguments: '{}'}}, {id: '', type: 'function', function: {name: 'b', arguments: '{}'}}]},
      'tool_calls',
    )
    const ids = [...chatToResponses(chat, options).output, ...chatToResponses(chat, options).output].map((item) => (item as {call_id: string}).call_id)
    for (const id of ids) expect(id).toMatch(/^call_[A-Za-z0-9_-]{8,}$/)
    expect(new Set(ids).size).toBe(4)
  })

  it('marks an answer cut off by the token limit incomplete, and its last item too', () => {
    const response = chatToResponses(completion({content: 'The first step is'}, 'length'), options)
    expect(response.status).toBe('incomplete')
    expect(response.incomplete_details).toEqual({reason: 'max_output_tokens'})
    expect(response.output[0].status).toBe('incomplete')

    const cutCall = chatToResponses(
      completion({content: 'Reading.', tool_calls: [{id: 'call_9', type: 'function', function: {name: 'read', arguments: '{"path":"/et'}}]}, 'length'),
      options,
    )
    expect(cutCall.output.map((item) => item.status)).toEqual(['completed', 'incomplete'])
  })

  it('reports a content filter stop as incomplete and a refusal as a refusal part', () => {
    const filtered = chatToResponses(completion({content: ''}, 'content_filter'), options)
    expect(filtered).toMatchObject({status: 'incomplete', incomplete_details: {reason: 'content_filter'}})
    const refused = chatToResponses(completion({refusal: "I can't help with that."}, 'stop'), options)
    expect(refused.output).toEqual([
      {type: 'message', id: 'msg_C3fX0aB1cD2eF3gH4iJ5kL6m', status: 'completed', role: 'assistant', content: [{type: 'refusal', refusal: "I can't help with that."}]},
    ])
  })

  it('gives an empty answer one empty message and no usage when the upstream sent none', () => {
    const chat = completion({content: null}, 'stop')
    delete chat.usage
    const response = chatToResponses(chat, options)
    expect(response.output).toEqual([
      {type: 'message', id: 'msg_C3fX0aB1cD2eF3gH4iJ5kL6m', status: 'completed', role: 'assistant', content: [{type: 'output_text', text: '', annotations: []}]},
    ])
    expect(response.usage).toBeNull()
  })

  it('echoes the request settings as OpenAI does', () => {
    const tools = [{type: 'function', name: 'get_weather', parameters: {type: 'object'}, strict: true}]
    const response = chatToResponses(completion({content: 'Oui.'}, 'stop'), {
      ...options,
      request: {
        model: 'gpt-4.1',
        input: 'x',
        instructions: 'Answer in French.',
        max_output_tokens: 300,
        parallel_tool_calls: false,
        temperature: 0.3,
        top_p: 0.8,
        tools,
        tool_choice: 'required',
        text: {format: {type: 'json_object'}},
        metadata: {ticket: 'T-1'},
        user: 'user-42',
        truncation: 'auto',
      },
    })
    expect(response).toMatchObject({
      instructions: 'Answer in French.',
      max_output_tokens: 300,
      parallel_tool_calls: false,
      temperature: 0.3,
      top_p: 0.8,
      tools,
      tool_choice: 'required',
      text: {format: {type: 'json_object'}},
      metadata: {ticket: 'T-1'},
      user: 'user-42',
      // What TokenHub did, not what was asked.
      truncation: 'disabled',
      store: false,
    })
  })

  it('reads a Claude answer through the Anthropic -> Chat translation', () => {
    const chat = anthropicResponseToOpenAI(fixtureJson('anthropic-message-tool-use.json'), {model: 'claude-sonnet-4-5', created: CREATED_AT})
    const response = chatToResponses(chat, {model: 'claude-sonnet-4-5', createdAt: CREATED_AT})
    expect(response.id).toBe('resp_01Aq9w938a90dw8q')
    expect(response.output.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call'])
    expect(response.output[0]).toMatchObject({id: 'msg_01Aq9w938a90dw8q', content: [{type: 'output_text', text: "I'll check the weather in both cities."}]})
    expect(response.output[1]).toMatchObject({call_id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', id: 'fc_toolu_01T1x1fJ34qAmk2tNTrN7Up6'})
  })
})

describe('Responses usage', () => {
  it('maps chat usage with its details and fills a missing total', () => {
    expect(responsesUsageFromChat({prompt_tokens: 100, completion_tokens: 40, completion_tokens_details: {reasoning_tokens: 12}})).toEqual({
      input_tokens: 100,
      input_tokens_details: {cached_tokens: 0},
      output_tokens: 40,
      output_tokens_details: {reasoning_tokens: 12},
      total_tokens: 140,
    })
  })

  it('reads TokenUsage from a Responses body', () => {
    expect(responsesUsage({usage: {input_tokens: 3210, input_tokens_details: {cached_tokens: 2048}, output_tokens: 52, total_tokens: 3262}})).toEqual({
      input: 3210,
      output: 52,
      cacheRead: 2048,
    })
    expect(responsesUsage({usage: null})).toBeNull()
    expect(responsesUsage(undefined)).toBeNull()
  })
})

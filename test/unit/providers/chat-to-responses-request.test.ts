import {describe, expect, it} from 'vitest'
import {TokenHubError} from '../../../src/core/errors.js'
import type {OpenAIChatRequest} from '../../../src/providers/openai/types.js'
import {chatRequestToResponses} from '../../../src/providers/responses/from-chat-request.js'
import {fixtureJson} from './sse-helpers.js'

const translate = (body: Record<string, unknown>, opts: {maxOutputTokens?: number | null; reasoningModel?: boolean} = {}) =>
  chatRequestToResponses({model: 'codex', messages: [{role: 'user', content: 'hi'}], ...body} as OpenAIChatRequest, {model: 'gpt-5-codex', reasoningModel: true, ...opts})

/** The TokenHubError a translation throws (fails the test when none is thrown). */
function refusal(body: Record<string, unknown>): TokenHubError {
  try {
    translate(body)
  } catch (err) {
    expect(err).toBeInstanceOf(TokenHubError)
    return err as TokenHubError
  }
  throw new Error('expected the request to be refused')
}

describe('chatRequestToResponses', () => {
  it('translates a whole chat request: leading system and developer as instructions, images, a two-call turn, both tool results, tools', () => {
    const {body, dropped} = chatRequestToResponses(fixtureJson('openai-chat-request.json'), {model: 'gpt-5-codex', maxOutputTokens: 128_000, reasoningModel: true})
    expect(body).toEqual({
      model: 'gpt-5-codex',
      instructions: 'You are a travel assistant. Answer briefly.\n\nAlways use metric units.',
      input: [
        {
          role: 'user',
          content: [
            {type: 'input_text', text: "What's the weather where this photo was taken, and in Paris?"},
            {type: 'input_image', image_url: expect.stringMatching(/^data:image\/jpeg;base64,/), detail: 'high'},
            {type: 'input_image', image_url: 'https://upload.wikimedia.org/wikipedia/commons/a/af/Lisbon_tram.jpg', detail: 'auto'},
          ],
        },
        {role: 'assistant', content: "I'll look up both cities."},
        {type: 'function_call', call_id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', name: 'get_weather', arguments: '{"city":"Lisbon","unit":"celsius"}'},
        {type: 'function_call', call_id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}'},
        {type: 'function_call_output', call_id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', output: '{"city":"Lisbon","temp_c":24,"conditions":"sunny"}'},
        {type: 'function_call_output', call_id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', output: '{"city":"Paris","temp_c":17,"conditions":"light rain"}'},
        {role: 'assistant', content: 'Lisbon: 24 °C and sunny. Paris: 17 °C with light rain.'},
        {role: 'user', content: 'Thanks! Should I pack an umbrella for Paris?'},
      ],
      store: false,
      max_output_tokens: 1024,
      stream: true,
      user: 'user-7f3a9c',
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: {
            type: 'object',
            properties: {city: {type: 'string'}, unit: {type: 'string', enum: ['celsius', 'fahrenheit']}},
            required: ['city'],
            additionalProperties: false,
          },
          strict: true,
        },
        // Not strict unless asked: the Responses API would make it strict, and refuse this schema.
        {type: 'function', name: 'get_time', description: 'Current local time', parameters: {type: 'object', properties: {}}, strict: false},
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    })
    // temperature 0.7 for a reasoning model; stop, seed and a penalty have no Responses field.
    // frequency_penalty 0, logprobs false, n 1 and response_format text ask for nothing.
    expect(dropped).toEqual(['temperature', 'stop', 'seed', 'presence_penalty'])
  })

  it('keeps temperature and top_p for a model that takes them; a reasoning model drops them, quietly when they are the default 1', () => {
    expect(translate({temperature: 0.2, top_p: 0.9}, {reasoningModel: false}).body).toMatchObject({temperature: 0.2, top_p: 0.9})
    const reasoning = translate({temperature: 1, top_p: 0.5})
    expect(reasoning.body).not.toHaveProperty('temperature')
    expect(reasoning.body).not.toHaveProperty('top_p')
    expect(reasoning.dropped).toEqual(['top_p'])
  })

  it('sends max_completion_tokens (or max_tokens) as max_output_tokens, clamped to the model and at least 16', () => {
    expect(translate({max_completion_tokens: 2000, max_tokens: 10}).body.max_output_tokens).toBe(2000)
    expect(translate({max_tokens: 300}).body.max_output_tokens).toBe(300)
    expect(translate({max_tokens: 200_000}, {maxOutputTokens: 128_000}).body.max_output_tokens).toBe(128_000)
    expect(translate({max_tokens: 5}).body.max_output_tokens).toBe(16)
    expect(translate({}).body).not.toHaveProperty('max_output_tokens')
  })

  it('maps reasoning_effort, response_format json_schema and verbosity', () => {
    const schema = {type: 'object', properties: {answer: {type: 'string'}}, required: ['answer'], additionalProperties: false}
    const {body, dropped} = translate({
      reasoning_effort: 'high',
      verbosity: 'low',
      response_format: {type: 'json_schema', json_schema: {name: 'answer', description: 'The answer', schema, strict: true}},
    })
    expect(body.reasoning).toEqual({effort: 'high'})
    expect(body.text).toEqual({format: {type: 'json_schema', name: 'answer', description: 'The answer', schema, strict: true}, verbosity: 'low'})
    expect(dropped).toEqual([])
    expect(translate({response_format: {type: 'json_object'}}).body.text).toEqual({format: {type: 'json_object'}})
    expect(translate({response_format: {type: 'text'}}).body).not.toHaveProperty('text')
  })

  it('gpt-5-pro gets no effort but high (anything else is an upstream 400): the asked one is listed as dropped', () => {
    const pro = (effort: string, model = 'gpt-5-pro') => chatRequestToResponses({model: 'p', messages: [{role: 'user', content: 'hi'}], reasoning_effort: effort} as OpenAIChatRequest, {model, reasoningModel: true})
    expect(pro('low').body).not.toHaveProperty('reasoning')
    expect(pro('low').dropped).toEqual(['reasoning_effort'])
    expect(pro('high').body.reasoning).toEqual({effort: 'high'})
    // Later pro models take more efforts: theirs goes as asked.
    expect(pro('xhigh', 'gpt-5.2-pro').body.reasoning).toEqual({effort: 'xhigh'})
    expect(translate({reasoning_effort: 'low'}).body.reasoning).toEqual({effort: 'low'})
  })

  it('carries prompt_cache_retention and a stream\'s include_obfuscation, which the Responses API takes as they are', () => {
    const {body, dropped} = translate({prompt_cache_retention: '24h', stream: true, stream_options: {include_usage: true, include_obfuscation: false}})
    expect(body).toMatchObject({prompt_cache_retention: '24h', stream: true, stream_options: {include_obfuscation: false}})
    expect(dropped).toEqual([])
  })

  it('never stores: store is false whatever the client said, and a chat store: true is listed', () => {
    expect(translate({}).body.store).toBe(false)
    const stored = translate({store: true, metadata: {run: '7'}})
    expect(stored.body).toMatchObject({store: false, metadata: {run: '7'}})
    expect(stored.dropped).toEqual(['store'])
  })

  it('a system message after the conversation began stays in place as a developer message', () => {
    const {body} = translate({
      messages: [
        {role: 'system', content: [{type: 'text', text: 'Be brief.'}]},
        {role: 'user', content: 'one'},
        {role: 'system', content: 'Now answer in French.'},
        {role: 'user', content: 'two'},
      ],
    })
    expect(body.instructions).toBe('Be brief.')
    expect(body.input).toEqual([
      {role: 'user', content: 'one'},
      {role: 'developer', content: 'Now answer in French.'},
      {role: 'user', content: 'two'},
    ])
  })

  it('an assistant turn that only calls tools is function_call items alone; refusals are resent as text', () => {
    const {body} = translate({
      messages: [
        {role: 'user', content: 'ls'},
        {role: 'assistant', content: null, tool_calls: [{id: 'call_1', type: 'function', function: {name: 'shell', arguments: '{"cmd":"ls"}'}}]},
        {role: 'tool', tool_call_id: 'call_1', content: 'a.txt'},
        {role: 'assistant', content: null, refusal: 'I cannot help with that.'},
      ],
    })
    expect(body.input).toEqual([
      {role: 'user', content: 'ls'},
      {type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}'},
      {type: 'function_call_output', call_id: 'call_1', output: 'a.txt'},
      {role: 'assistant', content: 'I cannot help with that.'},
    ])
  })

  it('gives calls without an id one, and pairs the results without one with them in order', () => {
    const {body} = translate({
      messages: [
        {role: 'user', content: 'go'},
        {role: 'assistant', content: null, tool_calls: [{type: 'function', function: {name: 'a', arguments: '{}'}}, {id: '', type: 'function', function: {name: 'b', arguments: '{}'}}]},
        {role: 'tool', content: 'A'},
        {role: 'tool', tool_call_id: '', content: 'B'},
      ],
    })
    const input = body.input as Array<Record<string, unknown>>
    expect(input[1].call_id).toBe(input[3].call_id)
    expect(input[2].call_id).toBe(input[4].call_id)
    expect(input[1].call_id).not.toBe(input[2].call_id)
    expect(input[1].call_id).not.toBe('')
  })

  it('translates files, and lists what the Responses API cannot take', () => {
    const {body, dropped} = translate({
      messages: [
        {role: 'user', name: 'ana', content: [{type: 'file', file: {file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'a.pdf'}}, {type: 'input_audio', input_audio: {data: 'UklGR', format: 'wav'}}]},
        {role: 'assistant', content: 'ok', reasoning_content: 'thought'},
      ],
      logprobs: true,
      top_logprobs: 3,
      logit_bias: {'50256': -100},
      audio: {voice: 'alloy', format: 'wav'},
      modalities: ['text', 'audio'],
      web_search_options: {},
    })
    expect(body.input).toEqual([
      {role: 'user', content: [{type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'a.pdf'}]},
      {role: 'assistant', content: 'ok'},
    ])
    expect(dropped).toEqual(['messages[].name', 'messages[0].content[1] (input_audio)', 'messages[].reasoning_content', 'logprobs', 'top_logprobs', 'logit_bias', 'audio', 'modalities', 'web_search_options'])
    expect(translate({modalities: ['text']}).dropped).toEqual([])
  })

  it('maps tool_choice forms, drops non-function tools, and sends no tool_choice without tools', () => {
    const tool = {type: 'function', function: {name: 'lookup', parameters: {type: 'object', properties: {}}}}
    expect(translate({tools: [tool], tool_choice: {type: 'function', function: {name: 'lookup'}}}).body.tool_choice).toEqual({type: 'function', name: 'lookup'})
    expect(translate({tools: [tool], tool_choice: 'required', parallel_tool_calls: false}).body).toMatchObject({tool_choice: 'required', parallel_tool_calls: false})
    expect(
      translate({tools: [tool], tool_choice: {type: 'allowed_tools', allowed_tools: {mode: 'required', tools: [{type: 'function', function: {name: 'lookup'}}]}}}).body.tool_choice,
    ).toEqual({type: 'allowed_tools', mode: 'required', tools: [{type: 'function', name: 'lookup'}]})
    const custom = translate({tools: [tool, {type: 'custom', custom: {name: 'apply_patch'}}]})
    expect(custom.body.tools).toHaveLength(1)
    expect(custom.dropped).toEqual(['tools[1] (custom)'])
    const none = translate({tool_choice: 'required', parallel_tool_calls: true})
    expect(none.body).not.toHaveProperty('tool_choice')
    expect(none.body).not.toHaveProperty('parallel_tool_calls')
    expect(none.dropped).toEqual(['tool_choice'])
    expect(translate({functions: [{name: 'old'}], function_call: 'auto'}).dropped).toEqual(['functions', 'function_call'])
  })

  it('refuses n above 1 and legacy function messages with a 400', () => {
    expect(refusal({n: 2})).toMatchObject({code: 'VALIDATION', details: {field: 'n'}})
    expect(translate({n: 1}).dropped).toEqual([])
    expect(refusal({messages: [{role: 'user', content: 'x'}, {role: 'function', name: 'f', content: '1'}]}).message).toContain('legacy "function" messages')
    expect(refusal({messages: 'hi'}).code).toBe('VALIDATION')
  })
})

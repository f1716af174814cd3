import {describe, expect, it} from 'vitest'
import {TokenHubError} from '../../../src/core/errors.js'
import {openAIChatToAnthropic} from '../../../src/providers/anthropic/from-openai-request.js'
import type {OpenAIChatRequest} from '../../../src/providers/openai/types.js'
import {fixtureJson} from './sse-helpers.js'

const options = {model: 'claude-sonnet-4-5-20250929', defaultMaxTokens: 4096}
const translate = (body: Record<string, unknown>, opts: Partial<Parameters<typeof openAIChatToAnthropic>[1]> = {}) =>
  openAIChatToAnthropic({model: 'claude-sonnet-4-5', ...body} as OpenAIChatRequest, {...options, ...opts})
const user = (content: unknown) => ({role: 'user', content})

describe('openAIChatToAnthropic', () => {
  it('translates a realistic multi-turn request with system prompts, images, tool calls and tool results', () => {
    const {body, dropped} = openAIChatToAnthropic(fixtureJson('openai-chat-request.json'), {...options, maxOutputTokens: 64000})
    expect(body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      system: 'You are a travel assistant. Answer briefly.\n\nAlways use metric units.',
      messages: [
        {
          role: 'user',
          content: [
            {type: 'text', text: "What's the weather where this photo was taken, and in Paris?"},
            {
              type: 'image',
              source: {
                type: 'base64',
                media_type: 'image/jpeg',
                data: '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/',
              },
            },
            {type: 'image', source: {type: 'url', url: 'https://upload.wikimedia.org/wikipedia/commons/a/af/Lisbon_tram.jpg'}},
          ],
        },
        {
          role: 'assistant',
          content: [
            {type: 'text', text: "I'll look up both cities."},
            {type: 'tool_use', id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', name: 'get_weather', input: {city: 'Lisbon', unit: 'celsius'}},
            {type: 'tool_use', id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', name: 'get_weather', input: {city: 'Paris', unit: 'celsius'}},
          ],
        },
        {
          role: 'user',
          content: [
            {type: 'tool_result', tool_use_id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', content: '{"city":"Lisbon","temp_c":24,"conditions":"sunny"}'},
            {
              type: 'tool_result',
              tool_use_id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt',
              content: [{type: 'text', text: '{"city":"Paris","temp_c":17,"conditions":"light rain"}'}],
            },
          ],
        },
        {role: 'assistant', content: 'Lisbon: 24 °C and sunny. Paris: 17 °C with light rain.'},
        {role: 'user', content: 'Thanks! Should I pack an umbrella for Paris?'},
      ],
      max_tokens: 1024,
      temperature: 0.7,
      stop_sequences: ['\nObservation:'],
      stream: true,
      metadata: {user_id: 'user-7f3a9c'},
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          input_schema: {
            type: 'object',
            properties: {city: {type: 'string'}, unit: {type: 'string', enum: ['celsius', 'fahrenheit']}},
            required: ['city'],
            additionalProperties: false,
          },
        },
        {name: 'get_time', description: 'Current local time', input_schema: {type: 'object', properties: {}}},
      ],
      tool_choice: {type: 'auto'},
    })
    expect([...dropped].sort()).toEqual(
      ['stream_options', 'seed', 'presence_penalty', 'frequency_penalty', 'logprobs', 'response_format', 'n', 'tools[].function.strict'].sort(),
    )
  })

  describe('system prompts', () => {
    it('collects system and developer messages from anywhere, in order, joined by a blank line', () => {
      const {body} = translate({
        messages: [{role: 'system', content: 'Be terse.'}, user('hi'), {role: 'developer', content: 'Answer in French.'}, user('again')],
      })
      expect(body.system).toBe('Be terse.\n\nAnswer in French.')
      expect(body.messages).toEqual([{role: 'user', content: [{type: 'text', text: 'hi'}, {type: 'text', text: 'again'}]}])
    })

    it('keeps text blocks when any system message has content parts', () => {
      const {body} = translate({
        messages: [
          {role: 'system', content: 'Part one.'},
          {role: 'developer', content: [{type: 'text', text: 'Part two.'}, {type: 'text', text: 'Part three.'}]},
          user('hi'),
        ],
      })
      expect(body.system).toEqual([
        {type: 'text', text: 'Part one.'},
        {type: 'text', text: 'Part two.'},
        {type: 'text', text: 'Part three.'},
      ])
    })

    it('sends no system field when there is no system text', () => {
      expect(translate({messages: [{role: 'system', content: ''}, user('hi')]}).body).not.toHaveProperty('system')
    })
  })

  describe('conversation shape', () => {
    it('merges consecutive same-role messages and consecutive tool results, tool results first', () => {
      const {body} = translate({
        messages: [
          user('first'),
          user([{type: 'text', text: 'second'}]),
          {role: 'assistant', content: null, tool_calls: [{id: 'call_a', type: 'function', function: {name: 'f', arguments: '{}'}}]},
          {role: 'tool', tool_call_id: 'call_a', content: 'result'},
          user('and now?'),
        ],
      })
      expect(body.messages).toEqual([
        {role: 'user', content: [{type: 'text', text: 'first'}, {type: 'text', text: 'second'}]},
        {role: 'assistant', content: [{type: 'tool_use', id: 'call_a', name: 'f', input: {}}]},
        {role: 'user', content: [{type: 'tool_result', tool_use_id: 'call_a', content: 'result'}, {type: 'text', text: 'and now?'}]},
      ])
    })

    it('drops empty assistant messages and whitespace-only text, which Anthropic rejects', () => {
      const {body} = translate({
        messages: [user('a'), {role: 'assistant', content: ''}, {role: 'assistant', content: null}, user([{type: 'text', text: '  '}, {type: 'text', text: 'b'}])],
      })
      expect(body.messages).toEqual([{role: 'user', content: [{type: 'text', text: 'a'}, {type: 'text', text: 'b'}]}])
    })

    it('keeps assistant text and refusal parts', () => {
      const {body} = translate({
        messages: [user('q'), {role: 'assistant', content: [{type: 'text', text: 'Part.'}, {type: 'refusal', refusal: 'I cannot help with that.'}]}],
      })
      expect(body.messages[1]).toEqual({
        role: 'assistant',
        content: [
          {type: 'text', text: 'Part.'},
          {type: 'text', text: 'I cannot help with that.'},
        ],
      })
    })

    it('keeps unparseable tool-call arguments under _raw instead of throwing; empty arguments become {}', () => {
      const {body} = translate({
        messages: [
          user('q'),
          {
            role: 'assistant',
            tool_calls: [
              {id: 'call_1', type: 'function', function: {name: 'search', arguments: '{"query": "unterminated'}},
              {id: 'call_2', type: 'function', function: {name: 'now', arguments: ''}},
              {id: 'call_3', type: 'function', function: {name: 'list', arguments: '[1,2]'}},
            ],
          },
        ],
      })
      expect(body.messages[1].content).toEqual([
        {type: 'tool_use', id: 'call_1', name: 'search', input: {_raw: '{"query": "unterminated'}},
        {type: 'tool_use', id: 'call_2', name: 'now', input: {}},
        {type: 'tool_use', id: 'call_3', name: 'list', input: {_raw: '[1,2]'}},
      ])
    })

    it('refuses legacy function messages and unknown roles with a VALIDATION error', () => {
      expect(() => translate({messages: [{role: 'function', name: 'f', content: 'x'}]})).toThrow(/legacy "function" messages/)
      expect(() => translate({messages: [{role: 'robot', content: 'x'}]})).toThrowError(TokenHubError)
      expect(() => translate({messages: 'hello'})).toThrowError(TokenHubError)
    })
  })

  describe('images and files', () => {
    it('maps data URLs to base64 sources and http(s) URLs to url sources', () => {
      const {body, dropped} = translate({
        messages: [
          user([
            {type: 'image_url', image_url: {url: 'data:image/png;base64,iVBORw0KGgo='}},
            {type: 'image_url', image_url: {url: 'https://example.com/cat.webp', detail: 'low'}},
          ]),
        ],
      })
      expect(body.messages[0].content).toEqual([
        {type: 'image', source: {type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo='}},
        {type: 'image', source: {type: 'url', url: 'https://example.com/cat.webp'}},
      ])
      expect(dropped).toEqual([])
    })

    it('turns an inline PDF file part into a document and reports parts it cannot carry', () => {
      const {body, dropped} = translate({
        messages: [
          user([
            {type: 'text', text: 'Summarise'},
            {type: 'file', file: {filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjcK'}},
            {type: 'file', file: {file_id: 'file-abc123'}},
            {type: 'input_audio', input_audio: {data: 'UklGRg==', format: 'wav'}},
            {type: 'image_url', image_url: {url: 'ftp://example.com/x.png'}},
          ]),
        ],
      })
      expect(body.messages[0].content).toEqual([
        {type: 'text', text: 'Summarise'},
        {type: 'document', source: {type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjcK'}, title: 'report.pdf'},
      ])
      expect(dropped).toEqual(['messages[0].content[2] (file)', 'messages[0].content[3] (input_audio)', 'messages[0].content[4] (image_url)'])
    })
  })

  describe('tools and tool_choice', () => {
    const tools = [{type: 'function', function: {name: 'get_weather', parameters: {type: 'object', properties: {city: {type: 'string'}}}}}]

    it.each([
      ['auto', {type: 'auto'}],
      ['none', {type: 'none'}],
      ['required', {type: 'any'}],
      [{type: 'function', function: {name: 'get_weather'}}, {type: 'tool', name: 'get_weather'}],
    ])('tool_choice %j -> %j', (choice, expected) => {
      expect(translate({messages: [user('q')], tools, tool_choice: choice}).body.tool_choice).toEqual(expected)
    })

    it('parallel_tool_calls:false disables parallel tool use on the tool choice', () => {
      expect(translate({messages: [user('q')], tools, parallel_tool_calls: false}).body.tool_choice).toEqual({type: 'auto', disable_parallel_tool_use: true})
      expect(translate({messages: [user('q')], tools, tool_choice: 'required', parallel_tool_calls: false}).body.tool_choice).toEqual({
        type: 'any',
        disable_parallel_tool_use: true,
      })
      expect(translate({messages: [user('q')], tools, tool_choice: 'none', parallel_tool_calls: false}).body.tool_choice).toEqual({type: 'none'})
      expect(translate({messages: [user('q')], tools, parallel_tool_calls: true}).body).not.toHaveProperty('tool_choice')
    })

    it('drops non-function tools with a note, and a forced tool_choice left without tools', () => {
      const {body, dropped} = translate({
        messages: [user('q')],
        tools: [{type: 'custom', custom: {name: 'grammar_tool'}}],
        tool_choice: 'required',
      })
      expect(body).not.toHaveProperty('tools')
      expect(body).not.toHaveProperty('tool_choice')
      expect(dropped).toEqual(['tools[0] (custom)', 'tool_choice'])
    })
  })

  describe('sampling and limits', () => {
    it.each([
      [{max_completion_tokens: 500, max_tokens: 900}, undefined, 500],
      [{max_tokens: 900}, undefined, 900],
      [{}, undefined, 4096],
      [{max_tokens: 100000}, 64000, 64000],
      [{}, 1024, 1024],
      [{max_tokens: 900}, null, 900],
    ])('max tokens from %j with model limit %s -> %d', (fields, maxOutputTokens, expected) => {
      expect(translate({messages: [user('q')], ...fields}, {maxOutputTokens}).body.max_tokens).toBe(expected)
    })

    it('clamps temperature to [0, 1]', () => {
      expect(translate({messages: [user('q')], temperature: 1.6}).body.temperature).toBe(1)
      expect(translate({messages: [user('q')], temperature: -0.5}).body.temperature).toBe(0)
      expect(translate({messages: [user('q')], temperature: 0.3}).body.temperature).toBe(0.3)
    })

    it('passes top_p alone, but not together with temperature (current Claude models refuse both)', () => {
      expect(translate({messages: [user('q')], top_p: 0.9}).body.top_p).toBe(0.9)
      const both = translate({messages: [user('q')], top_p: 0.9, temperature: 0.5})
      expect(both.body).not.toHaveProperty('top_p')
      expect(both.dropped).toEqual(['top_p'])
    })

    it('maps stop (string or array), stream and user', () => {
      const {body} = translate({messages: [user('q')], stop: 'END', stream: false, user: 'u-1'})
      expect(body).toMatchObject({stop_sequences: ['END'], stream: false, metadata: {user_id: 'u-1'}})
      expect(translate({messages: [user('q')], stop: ['a', 'b']}).body.stop_sequences).toEqual(['a', 'b'])
    })

    it('leaves out whitespace-only stop sequences, which Anthropic refuses, and says so', () => {
      const single = translate({messages: [user('q')], stop: '\n'})
      expect(single.body).not.toHaveProperty('stop_sequences')
      expect(single.dropped).toContain('stop (whitespace-only)')
      const several = translate({messages: [user('q')], stop: ['\n', '\n\n', 'END', '']})
      expect(several.body.stop_sequences).toEqual(['END'])
      expect(several.dropped).toContain('stop (whitespace-only)')
      expect(translate({messages: [user('q')], stop: ['END', '']}).dropped).not.toContain('stop (whitespace-only)')
    })
  })

  describe('dropped fields', () => {
    it('reports every OpenAI-only field by name and does not send it', () => {
      const fields = {
        n: 1,
        logprobs: true,
        top_logprobs: 3,
        presence_penalty: 0.5,
        frequency_penalty: 0.5,
        seed: 7,
        response_format: {type: 'json_object'},
        logit_bias: {'50256': -100},
        stream_options: {include_usage: true},
        service_tier: 'flex',
        store: true,
        reasoning_effort: 'high',
        modalities: ['text'],
      }
      const {body, dropped} = translate({messages: [user('q')], ...fields})
      expect([...dropped].sort()).toEqual(Object.keys(fields).sort())
      for (const key of Object.keys(fields)) expect(body).not.toHaveProperty(key)
    })

    it('does not report null fields or the gateway policy field', () => {
      expect(translate({messages: [user('q')], seed: null, tokenhub: {mode: 'cheap'}}).dropped).toEqual([])
    })

    it('refuses n > 1 with a VALIDATION error', () => {
      let error: unknown
      try {
        translate({messages: [user('q')], n: 3})
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(TokenHubError)
      expect((error as TokenHubError).code).toBe('VALIDATION')
      expect((error as TokenHubError).status).toBe(400)
    })
  })
})

describe('tool-call ids for Anthropic', () => {
  it('keeps valid ids and maps others to a stable valid id (a tool_use and its tool_result still match)', async () => {
    const {anthropicToolId} = await import('../../../src/providers/util.js')
    const {openAIChatToAnthropic} = await import('../../../src/providers/anthropic/from-openai-request.js')
    expect(anthropicToolId('call_q8UfHzX1-nX')).toBe('call_q8UfHzX1-nX')
    expect(anthropicToolId('toolu_01ABC')).toBe('toolu_01ABC')
    const kimi = anthropicToolId('functions.get_weather:0')
    expect(kimi).toMatch(/^functions_get_weather_0_[a-z0-9]+$/)
    expect(anthropicToolId('functions.get_weather:0')).toBe(kimi)
    expect(anthropicToolId('functions:get_weather.0')).not.toBe(kimi)
    const {body} = openAIChatToAnthropic(
      {
        model: 'x',
        messages: [
          {role: 'user', content: 'weather?'},
          {role: 'assistant', content: null, tool_calls: [{id: 'functions.get_weather:0', type: 'function', function: {name: 'get_weather', arguments: '{}'}}]},
          {role: 'tool', tool_call_id: 'functions.get_weather:0', content: 'sunny'},
        ],
      } as never,
      {model: 'claude', defaultMaxTokens: 1024, maxOutputTokens: 8192},
    )
    const blocks = (body.messages as Array<{content: Array<{type: string; id?: string; tool_use_id?: string}>}>).flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    expect(blocks.find((b) => b.type === 'tool_use')?.id).toBe(kimi)
    expect(blocks.find((b) => b.type === 'tool_result')?.tool_use_id).toBe(kimi)
  })

  it('gives calls in the history that have no id (Gemini, LM Studio) an id, and their results, in order, the same', () => {
    const {body} = openAIChatToAnthropic(
      {
        model: 'x',
        messages: [
          {role: 'user', content: 'weather in two cities?'},
          {role: 'assistant', content: null, tool_calls: [{id: '', type: 'function', function: {name: 'w', arguments: '{"c":"Lisbon"}'}}, {type: 'function', function: {name: 'w', arguments: '{"c":"Paris"}'}}]},
          {role: 'tool', tool_call_id: '', content: 'sunny'},
          {role: 'tool', content: 'rain'},
        ],
      } as never,
      {model: 'claude', defaultMaxTokens: 1024},
    )
    const blocks = (body.messages as Array<{content: Array<{type: string; id?: string; tool_use_id?: string}>}>).flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    const uses = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id)
    const results = blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id)
    expect(uses).toHaveLength(2)
    for (const id of uses) expect(id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(new Set(uses).size).toBe(2)
    expect(results).toEqual(uses)
  })

  it('gives answered calls that came without ids (Gemini, LM Studio) ids of their own, different in every answer', async () => {
    const {openAIResponseToAnthropic} = await import('../../../src/providers/openai/to-anthropic-response.js')
    const answer = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gemini',
      choices: [{index: 0, finish_reason: 'tool_calls', message: {role: 'assistant', content: null, tool_calls: [{type: 'function', function: {name: 'a', arguments: '{}'}}, {id: '', type: 'function', function: {name: 'b', arguments: '{}'}}]}}],
    }
    const ids = [openAIResponseToAnthropic(answer as never, {model: 'gemini'}), openAIResponseToAnthropic(answer as never, {model: 'gemini'})].flatMap((m) => m.content.map((b) => (b as {id: string}).id))
    for (const id of ids) expect(id).toMatch(/^toolu_[A-Za-z0-9_-]{8,}$/)
    expect(new Set(ids).size).toBe(4)
  })
})

import {describe, expect, it} from 'vitest'
import {TokenHubError} from '../../../src/core/errors.js'
import {openAIChatToAnthropic} from '../../../src/providers/anthropic/from-openai-request.js'
import type {AnthropicRequest} from '../../../src/providers/anthropic/types.js'
import {anthropicToOpenAIChat} from '../../../src/providers/openai/from-anthropic-request.js'
import type {OpenAIChatRequest} from '../../../src/providers/openai/types.js'
import {fixtureJson} from './sse-helpers.js'

const translate = (body: Record<string, unknown>, opts: Partial<Parameters<typeof anthropicToOpenAIChat>[1]> = {}) =>
  anthropicToOpenAIChat({model: 'gpt-4o', max_tokens: 1024, ...body} as AnthropicRequest, {model: 'gpt-4o-2024-08-06', ...opts})
const user = (content: unknown) => ({role: 'user', content})
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

describe('anthropicToOpenAIChat', () => {
  it('translates a Claude Code request: cached system blocks, image, thinking, parallel tool use, tool results, server tools', () => {
    const {body, dropped} = anthropicToOpenAIChat(fixtureJson('anthropic-messages-request.json'), {model: 'gpt-5', maxOutputTokens: 16384})
    expect(body).toEqual({
      model: 'gpt-5',
      messages: [
        {
          role: 'system',
          content: "You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks.",
        },
        {
          role: 'user',
          content: [
            {type: 'text', text: 'Why does the build fail? Screenshot attached.'},
            {type: 'image_url', image_url: {url: `data:image/png;base64,${PNG}`}},
          ],
        },
        {
          role: 'assistant',
          content: 'Let me look at the build log and the config.',
          tool_calls: [
            {id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: {name: 'Read', arguments: '{"file_path":"/repo/build.log"}'}},
            {
              id: 'toolu_01BxrVDgfkr4NnMK3tzsUoZ7',
              type: 'function',
              function: {name: 'Bash', arguments: '{"command":"cat tsconfig.json","description":"Show the TypeScript config"}'},
            },
          ],
        },
        {role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: "error TS2307: Cannot find module './util.js'"},
        {role: 'tool', tool_call_id: 'toolu_01BxrVDgfkr4NnMK3tzsUoZ7', content: 'Error: cat: tsconfig.json: No such file or directory'},
        {role: 'user', content: 'Also check the screenshot again.'},
        {role: 'assistant', content: 'The module path is wrong: `./util.js` does not exist.'},
        {role: 'user', content: 'Fix it.'},
      ],
      max_tokens: 16384,
      temperature: 1,
      stream: true,
      stream_options: {include_usage: true},
      user: 'user_4f2c9e1b_account_9a8b_session_1c2d',
      tools: [
        {
          type: 'function',
          function: {
            name: 'Read',
            description: 'Reads a file from the local filesystem.',
            parameters: {
              type: 'object',
              properties: {file_path: {type: 'string'}},
              required: ['file_path'],
              additionalProperties: false,
              $schema: 'http://json-schema.org/draft-07/schema#',
            },
          },
        },
        {
          type: 'function',
          function: {
            name: 'Bash',
            description: 'Executes a bash command.',
            parameters: {type: 'object', properties: {command: {type: 'string'}, description: {type: 'string'}}, required: ['command']},
          },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    })
    expect([...dropped].sort()).toEqual(['cache_control', 'thinking blocks', 'tools[2] (web_search_20250305)', 'thinking', 'top_k'].sort())
  })

  it('turns a string system prompt into a leading system message', () => {
    const {body} = translate({system: 'Be terse.', messages: [user('hi')]})
    expect(body.messages).toEqual([
      {role: 'system', content: 'Be terse.'},
      {role: 'user', content: 'hi'},
    ])
  })

  it('keeps system turns inside messages (as Claude Code sends them) in place, text blocks joined', () => {
    const {body, dropped} = translate({
      system: [{type: 'text', text: 'You are Claude Code.', cache_control: {type: 'ephemeral'}}],
      messages: [user([{type: 'text', text: '<system-reminder>x</system-reminder>'}, {type: 'text', text: 'run it'}]), {role: 'system', content: [{type: 'text', text: '# Environment'}, {type: 'text', text: 'cwd: /tmp'}]}, {role: 'system', content: ''}],
    })
    expect(body.messages).toEqual([
      {role: 'system', content: 'You are Claude Code.'},
      {role: 'user', content: [{type: 'text', text: '<system-reminder>x</system-reminder>'}, {type: 'text', text: 'run it'}]},
      {role: 'system', content: '# Environment\n\ncwd: /tmp'},
    ])
    expect(dropped).toEqual(['cache_control'])
  })

  describe('user turns', () => {
    it('keeps a single text block as a plain string and several as text parts', () => {
      expect(translate({messages: [user([{type: 'text', text: 'one'}])]}).body.messages).toEqual([{role: 'user', content: 'one'}])
      expect(translate({messages: [user([{type: 'text', text: 'one'}, {type: 'text', text: 'two'}])]}).body.messages).toEqual([
        {
          role: 'user',
          content: [
            {type: 'text', text: 'one'},
            {type: 'text', text: 'two'},
          ],
        },
      ])
    })

    it('maps base64 and url images; file-id images are dropped with a note', () => {
      const {body, dropped} = translate({
        messages: [
          user([
            {type: 'image', source: {type: 'base64', media_type: 'image/png', data: PNG}},
            {type: 'image', source: {type: 'url', url: 'https://example.com/diagram.png'}},
            {type: 'image', source: {type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w'}},
          ]),
        ],
      })
      expect(body.messages).toEqual([
        {
          role: 'user',
          content: [
            {type: 'image_url', image_url: {url: `data:image/png;base64,${PNG}`}},
            {type: 'image_url', image_url: {url: 'https://example.com/diagram.png'}},
          ],
        },
      ])
      expect(dropped).toEqual(['messages[0].content[2] (image file)'])
    })

    it('puts tool results first as tool messages, images from tool results in the user message after them', () => {
      const {body, dropped} = translate({
        messages: [
          {role: 'assistant', content: [{type: 'tool_use', id: 'toolu_01Screenshot', name: 'Read', input: {file_path: '/tmp/shot.png'}}]},
          user([
            {type: 'text', text: 'What do you see?'},
            {
              type: 'tool_result',
              tool_use_id: 'toolu_01Screenshot',
              content: [
                {type: 'text', text: 'Read image (12KB)'},
                {type: 'image', source: {type: 'base64', media_type: 'image/png', data: PNG}},
              ],
            },
            {type: 'tool_result', tool_use_id: 'toolu_01Other', is_error: true, content: 'Permission denied'},
            {type: 'tool_result', tool_use_id: 'toolu_01Empty'},
          ]),
        ],
      })
      expect(body.messages).toEqual([
        {
          role: 'assistant',
          content: null,
          tool_calls: [{id: 'toolu_01Screenshot', type: 'function', function: {name: 'Read', arguments: '{"file_path":"/tmp/shot.png"}'}}],
        },
        {role: 'tool', tool_call_id: 'toolu_01Screenshot', content: 'Read image (12KB)'},
        {role: 'tool', tool_call_id: 'toolu_01Other', content: 'Error: Permission denied'},
        {role: 'tool', tool_call_id: 'toolu_01Empty', content: ''},
        {
          role: 'user',
          content: [
            {type: 'text', text: 'What do you see?'},
            {type: 'image_url', image_url: {url: `data:image/png;base64,${PNG}`}},
          ],
        },
      ])
      expect(dropped).toEqual([])
    })

    it('turns plain-text documents into text and drops PDFs and unknown blocks with a note', () => {
      const {body, dropped} = translate({
        messages: [
          user([
            {type: 'document', title: 'notes.txt', source: {type: 'text', media_type: 'text/plain', data: 'Meeting at 10.'}},
            {type: 'document', source: {type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjcK'}},
            {type: 'search_result', source: 'https://example.com', title: 'x', content: []},
          ]),
        ],
      })
      expect(body.messages).toEqual([{role: 'user', content: 'notes.txt\n\nMeeting at 10.'}])
      expect(dropped).toEqual(['messages[0].content[1] (document)', 'messages[0].content[2] (search_result)'])
    })

    it('sends a PDF as a file part to an upstream that reads them (OpenAI), also from a tool result (Claude Code reading a PDF)', () => {
      const pdf = (title?: string) => ({type: 'document', ...(title !== undefined && {title}), source: {type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjcK'}})
      const {body, dropped} = translate(
        {
          messages: [
            user([pdf('Q3 report'), {type: 'text', text: 'Summarise it.'}]),
            {role: 'assistant', content: [{type: 'tool_use', id: 'toolu_1', name: 'Read', input: {file_path: 'a.pdf'}}]},
            user([{type: 'tool_result', tool_use_id: 'toolu_1', content: [{type: 'text', text: 'PDF file read'}, pdf()]}]),
          ],
        },
        {pdfFiles: true},
      )
      const file = (filename: string) => ({type: 'file', file: {filename, file_data: 'data:application/pdf;base64,JVBERi0xLjcK'}})
      expect(body.messages[0]).toEqual({role: 'user', content: [file('Q3 report.pdf'), {type: 'text', text: 'Summarise it.'}]})
      // The tool message holds the text; the file follows in a user message, as images do.
      expect(body.messages.slice(2)).toEqual([
        {role: 'tool', tool_call_id: 'toolu_1', content: 'PDF file read'},
        {role: 'user', content: [file('document.pdf')]},
      ])
      expect(dropped).toEqual([])
      // Not to other servers, and not a PDF given by URL or file id.
      expect(translate({messages: [user([pdf()])]}).dropped).toEqual(['messages[0].content[0] (document)'])
      expect(translate({messages: [user([{type: 'document', source: {type: 'url', url: 'https://x/a.pdf'}}])]}, {pdfFiles: true}).dropped).toEqual(['messages[0].content[0] (document)'])
    })
  })

  describe('assistant turns', () => {
    it('joins text blocks, drops thinking, and keeps tool_use as tool_calls', () => {
      const {body, dropped} = translate({
        messages: [
          user('q'),
          {
            role: 'assistant',
            content: [
              {type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj'},
              {type: 'text', text: 'According to the docs, '},
              {type: 'text', text: 'the limit is 4 MB.'},
              {type: 'tool_use', id: 'toolu_01X', name: 'lookup', input: {}},
            ],
          },
        ],
      })
      expect(body.messages[1]).toEqual({
        role: 'assistant',
        content: 'According to the docs, the limit is 4 MB.',
        tool_calls: [{id: 'toolu_01X', type: 'function', function: {name: 'lookup', arguments: '{}'}}],
      })
      expect(dropped).toEqual(['thinking blocks'])
    })

    it('omits an assistant turn with nothing left to send', () => {
      const {body} = translate({messages: [user('q'), {role: 'assistant', content: [{type: 'thinking', thinking: 'hmm', signature: 'sig'}]}, user('again')]})
      expect(body.messages.map((m) => m.role)).toEqual(['user', 'user'])
    })
  })

  describe('tools and tool_choice', () => {
    const tools = [{name: 'get_weather', description: 'Weather', input_schema: {type: 'object', properties: {city: {type: 'string'}}}}]

    it.each([
      [{type: 'auto'}, 'auto'],
      [{type: 'any'}, 'required'],
      [{type: 'none'}, 'none'],
      [{type: 'tool', name: 'get_weather'}, {type: 'function', function: {name: 'get_weather'}}],
    ])('tool_choice %j -> %j', (choice, expected) => {
      const {body} = translate({messages: [user('q')], tools, tool_choice: choice})
      expect(body.tool_choice).toEqual(expected)
      expect(body).not.toHaveProperty('parallel_tool_calls')
    })

    it('disable_parallel_tool_use -> parallel_tool_calls:false', () => {
      expect(translate({messages: [user('q')], tools, tool_choice: {type: 'any', disable_parallel_tool_use: true}}).body).toMatchObject({
        tool_choice: 'required',
        parallel_tool_calls: false,
      })
    })

    it('maps custom tools (with or without type), drops server tools, and drops tool_choice when no tool is left', () => {
      const {body, dropped} = translate({
        messages: [user('q')],
        tools: [
          {type: 'bash_20250124', name: 'bash'},
          {type: 'text_editor_20250728', name: 'str_replace_based_edit_tool'},
        ],
        tool_choice: {type: 'any'},
      })
      expect(body).not.toHaveProperty('tools')
      expect(body).not.toHaveProperty('tool_choice')
      expect(dropped).toEqual(['tools[0] (bash_20250124)', 'tools[1] (text_editor_20250728)', 'tool_choice'])
      const custom = translate({messages: [user('q')], tools: [{type: 'custom', name: 'calc', input_schema: {type: 'object'}}]})
      expect(custom.body.tools).toEqual([{type: 'function', function: {name: 'calc', parameters: {type: 'object'}}}])
    })
  })

  describe('parameters', () => {
    it('clamps max_tokens to the model limit and can write max_completion_tokens instead', () => {
      expect(translate({messages: [user('q')], max_tokens: 64000}, {maxOutputTokens: 16384}).body.max_tokens).toBe(16384)
      expect(translate({messages: [user('q')], max_tokens: 2000}, {maxOutputTokens: 16384}).body.max_tokens).toBe(2000)
      const reasoning = translate({messages: [user('q')], max_tokens: 2000}, {maxTokensField: 'max_completion_tokens'})
      expect(reasoning.body.max_completion_tokens).toBe(2000)
      expect(reasoning.body).not.toHaveProperty('max_tokens')
    })

    it('maps stop_sequences, temperature, top_p and metadata.user_id; no stream_options without stream', () => {
      const {body, dropped} = translate({
        messages: [user('q')],
        stop_sequences: ['</answer>'],
        temperature: 0.2,
        top_p: 0.95,
        stream: false,
        metadata: {user_id: 'u-42', session: 'abc'},
      })
      expect(body).toMatchObject({stop: ['</answer>'], temperature: 0.2, top_p: 0.95, user: 'u-42'})
      expect(body).not.toHaveProperty('stream')
      expect(body).not.toHaveProperty('stream_options')
      expect(dropped).toEqual(['metadata.session'])
    })

    it('leaves out for a reasoning model what it refuses (temperature and top_p other than 1, stop sequences), and says so', () => {
      const {body, dropped} = translate({messages: [user('q')], stop_sequences: ['</answer>'], temperature: 0.2, top_p: 0.9}, {defaultSamplingOnly: true})
      expect(body).not.toHaveProperty('temperature')
      expect(body).not.toHaveProperty('top_p')
      expect(body).not.toHaveProperty('stop')
      expect(dropped).toEqual(expect.arrayContaining(['temperature', 'top_p', 'stop_sequences']))
      const defaults = translate({messages: [user('q')], temperature: 1}, {defaultSamplingOnly: true})
      expect(defaults.body.temperature).toBe(1)
      expect(defaults.dropped).toEqual([])
    })

    it('reports Anthropic-only and unknown fields as dropped', () => {
      const {body, dropped} = translate({
        messages: [user('q')],
        top_k: 5,
        thinking: {type: 'enabled', budget_tokens: 2048},
        service_tier: 'auto',
        container: 'container_011CPR5CNjB747bTd36fQLFk',
        mcp_servers: [],
        some_future_field: true,
        tokenhub: {mode: 'cheap'},
      })
      expect([...dropped].sort()).toEqual(['container', 'mcp_servers', 'service_tier', 'some_future_field', 'thinking', 'top_k'])
      expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model'])
    })

    it('refuses malformed messages with a VALIDATION error', () => {
      expect(() => translate({messages: [{role: 'tool', content: 'x'}]})).toThrowError(TokenHubError)
      expect(() => translate({messages: null})).toThrowError(TokenHubError)
    })
  })
})

describe('round trips', () => {
  it('OpenAI -> Anthropic -> OpenAI keeps the conversation: roles, text, images, tool calls and results', () => {
    const original = fixtureJson<OpenAIChatRequest>('openai-chat-request.json')
    const anthropic = openAIChatToAnthropic(original, {model: 'claude-sonnet-4-5', defaultMaxTokens: 4096}).body
    const back = anthropicToOpenAIChat(anthropic, {model: 'gpt-4o'}).body
    expect(back.messages).toEqual([
      {role: 'system', content: 'You are a travel assistant. Answer briefly.\n\nAlways use metric units.'},
      original.messages[2],
      {
        role: 'assistant',
        content: "I'll look up both cities.",
        tool_calls: [
          {id: 'call_q8UfHzX1nXbQ2oA7rT4mVwLk', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Lisbon","unit":"celsius"}'}},
          {id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}'}},
        ],
      },
      original.messages[4],
      {role: 'tool', tool_call_id: 'call_Z3vD0pJk9sLe7WbN1yQc5hRt', content: '{"city":"Paris","temp_c":17,"conditions":"light rain"}'},
      original.messages[6],
      original.messages[7],
    ].map((m) => stripDetail(m)))
    expect(back.tools).toEqual(original.tools?.map((t) => ({type: 'function', function: {name: t.function.name, description: t.function.description, parameters: t.function.parameters ?? {type: 'object', properties: {}}}})))
    expect(back).toMatchObject({tool_choice: 'auto', temperature: 0.7, max_tokens: 1024, stop: ['\nObservation:'], stream: true, user: 'user-7f3a9c'})
  })

  it('Anthropic -> OpenAI -> Anthropic keeps tool use and tool results paired, text after results', () => {
    const original = fixtureJson<AnthropicRequest>('anthropic-messages-request.json')
    const openai = anthropicToOpenAIChat(original, {model: 'gpt-5'}).body
    const back = openAIChatToAnthropic(openai, {model: 'claude-sonnet-4-5', defaultMaxTokens: 4096}).body
    expect(back.system).toBe("You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks.")
    expect(back.messages).toEqual([
      original.messages[0],
      {
        role: 'assistant',
        content: (original.messages[1].content as Array<{type: string}>).filter((block) => block.type !== 'thinking'),
      },
      {
        role: 'user',
        content: [
          {type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: "error TS2307: Cannot find module './util.js'"},
          // is_error has no OpenAI field: the content says so.
          {type: 'tool_result', tool_use_id: 'toolu_01BxrVDgfkr4NnMK3tzsUoZ7', content: 'Error: cat: tsconfig.json: No such file or directory'},
          {type: 'text', text: 'Also check the screenshot again.'},
        ],
      },
      original.messages[3],
      original.messages[4],
    ])
    expect(back.tools?.map((t) => t.name)).toEqual(['Read', 'Bash'])
    expect(back.tool_choice).toEqual({type: 'auto', disable_parallel_tool_use: true})
    expect(back.max_tokens).toBe(32000)
    expect(back.metadata).toEqual({user_id: 'user_4f2c9e1b_account_9a8b_session_1c2d'})
  })
})

/** OpenAI's image `detail` hint has no Anthropic equivalent, so it does not survive the trip. */
function stripDetail(message: unknown): unknown {
  return JSON.parse(JSON.stringify(message), (key, value) => (key === 'detail' ? undefined : value))
}

import {describe, expect, it} from 'vitest'
import {TokenHubError} from '../../../src/core/errors.js'
import {openAIChatToAnthropic} from '../../../src/providers/anthropic/from-openai-request.js'
import {flatToolName, responsesToChat} from '../../../src/providers/responses/to-chat-request.js'
import type {ResponsesRequest} from '../../../src/providers/responses/types.js'
import {fixtureJson} from './sse-helpers.js'

const translate = (body: Record<string, unknown>, opts: {maxOutputTokens?: number | null; toolOutputImages?: boolean} = {}) =>
  responsesToChat({model: 'gpt-5-codex', ...body} as ResponsesRequest, {model: 'qwen3-coder', ...opts})

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

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

describe('responsesToChat', () => {
  it('translates a Codex request: instructions, developer message, reasoning dropped, a two-call turn, both outputs, function tools', () => {
    const {body, dropped} = responsesToChat(fixtureJson('responses-request-codex.json'), {model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct', maxOutputTokens: 8192})
    expect(body).toEqual({
      model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
      messages: [
        {role: 'system', content: 'You are Codex, based on GPT-5. You are running as a coding agent in the Codex CLI on a user\'s computer.'},
        {role: 'system', content: '<permissions instructions>Filesystem sandboxing: workspace-write.</permissions instructions>'},
        {role: 'user', content: '<environment_context>\n  <cwd>/home/dev/app</cwd>\n  <shell>bash</shell>\n</environment_context>'},
        {role: 'user', content: 'Why does `npm test` fail?'},
        {
          role: 'assistant',
          content: "I'll run the test suite and read the config.",
          tool_calls: [
            {id: 'call_Xk3mN8pQ2rT5vW7yZ9aB1cD4', type: 'function', function: {name: 'shell', arguments: '{"command":["npm","test"],"workdir":"/home/dev/app"}'}},
            {id: 'call_Ef6gH8iJ0kL2mN4oP6qR8sT0', type: 'function', function: {name: 'shell', arguments: '{"command":["cat","vitest.config.ts"]}'}},
          ],
        },
        {
          role: 'tool',
          tool_call_id: 'call_Xk3mN8pQ2rT5vW7yZ9aB1cD4',
          content: '{"output":"FAIL test/util.test.ts > parses dates\\nTypeError: Cannot read properties of undefined","metadata":{"exit_code":1,"duration_seconds":2.4}}',
        },
        {role: 'tool', tool_call_id: 'call_Ef6gH8iJ0kL2mN4oP6qR8sT0', content: "export default defineConfig({test: {environment: 'node'}})"},
        {role: 'user', content: 'Fix it.'},
      ],
      stream: true,
      stream_options: {include_usage: true},
      tools: [
        {
          type: 'function',
          function: {
            name: 'shell',
            description: 'Runs a shell command and returns its output.',
            strict: false,
            parameters: {
              type: 'object',
              properties: {
                command: {type: 'array', items: {type: 'string'}, description: 'The command to execute'},
                workdir: {type: 'string', description: 'The working directory to execute the command in'},
                timeout_ms: {type: 'number', description: 'The timeout for the command in milliseconds'},
              },
              required: ['command'],
              additionalProperties: false,
            },
          },
        },
        expect.objectContaining({type: 'function', function: expect.objectContaining({name: 'update_plan', strict: false})}),
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    })
    // store:false is what TokenHub does anyway: not reported.
    expect(dropped).toEqual(['input[] (reasoning)', 'text.verbosity', 'reasoning', 'include', 'prompt_cache_key'])
  })

  it('composes with the Chat -> Anthropic translator into a valid Messages request (tool_use / tool_result pairs)', () => {
    const chat = responsesToChat(fixtureJson('responses-request-codex.json'), {model: 'claude-sonnet-4-5'})
    const {body} = openAIChatToAnthropic(chat.body, {model: 'claude-sonnet-4-5', defaultMaxTokens: 4096})
    expect(body.system).toContain('You are Codex')
    expect(body.system).toContain('workspace-write')
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
    const assistant = body.messages[1].content as Array<Record<string, unknown>>
    expect(assistant.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use'])
    expect(assistant[1]).toMatchObject({id: 'call_Xk3mN8pQ2rT5vW7yZ9aB1cD4', name: 'shell', input: {command: ['npm', 'test'], workdir: '/home/dev/app'}})
    const results = body.messages[2].content as Array<Record<string, unknown>>
    expect(results.map((b) => b.type)).toEqual(['tool_result', 'tool_result', 'text'])
    expect(results.map((b) => b.tool_use_id ?? b.text)).toEqual(['call_Xk3mN8pQ2rT5vW7yZ9aB1cD4', 'call_Ef6gH8iJ0kL2mN4oP6qR8sT0', 'Fix it.'])
    expect(body.tool_choice).toEqual({type: 'auto', disable_parallel_tool_use: true})
  })

  it('turns string input and instructions into a system and a user message, mapping sampling fields and clamping max_output_tokens', () => {
    const {body, dropped} = translate(
      {
        instructions: 'Answer in French.',
        input: 'Hello',
        max_output_tokens: 100_000,
        temperature: 0.2,
        top_p: 0.9,
        user: 'user-42',
        metadata: {ticket: 'T-1'},
        service_tier: 'flex',
        truncation: 'auto',
        store: true,
        stream: false,
        tokenhub: {mode: 'cheap'},
      },
      {maxOutputTokens: 8192},
    )
    expect(body).toEqual({
      model: 'qwen3-coder',
      messages: [
        {role: 'system', content: 'Answer in French.'},
        {role: 'user', content: 'Hello'},
      ],
      max_tokens: 8192,
      temperature: 0.2,
      top_p: 0.9,
      user: 'user-42',
    })
    expect(dropped).toEqual(['metadata', 'service_tier', 'truncation', 'store'])
  })

  it('keeps max_output_tokens under the model limit and uses safety_identifier as user', () => {
    const {body} = translate({input: 'x', max_output_tokens: 256, safety_identifier: 'sid-1'}, {maxOutputTokens: 8192})
    expect(body).toMatchObject({max_tokens: 256, user: 'sid-1'})
    expect(body).not.toHaveProperty('stream')
  })

  it('accepts message items without a type (EasyInputMessage) and maps developer and system to system', () => {
    const {body} = translate({
      input: [
        {role: 'developer', content: 'Be terse.'},
        {role: 'system', content: [{type: 'input_text', text: 'Rule one.'}, {type: 'input_text', text: 'Rule two.'}]},
        {role: 'user', content: 'Hi'},
        {role: 'assistant', content: 'Hello.'},
        {role: 'user', content: [{type: 'input_text', text: 'Again'}]},
      ],
    })
    expect(body.messages).toEqual([
      {role: 'system', content: 'Be terse.'},
      {
        role: 'system',
        content: [
          {type: 'text', text: 'Rule one.'},
          {type: 'text', text: 'Rule two.'},
        ],
      },
      {role: 'user', content: 'Hi'},
      {role: 'assistant', content: 'Hello.'},
      {role: 'user', content: 'Again'},
    ])
  })

  it('translates image and file parts; reports parts it cannot carry', () => {
    const {body, dropped} = translate({
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            {type: 'input_text', text: 'What is in these?'},
            {type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'high'},
            {type: 'input_image', image_url: PNG, detail: 'original'},
            {type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'spec.pdf'},
            {type: 'input_video', video_url: 'https://example.com/v.mp4'},
          ],
        },
      ],
    })
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          {type: 'text', text: 'What is in these?'},
          {type: 'image_url', image_url: {url: 'https://example.com/cat.png', detail: 'high'}},
          {type: 'image_url', image_url: {url: PNG}},
          {type: 'file', file: {file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'spec.pdf'}},
        ],
      },
    ])
    expect(dropped).toEqual(['input[0].content[4] (input_video)'])
  })

  it.each([
    [{type: 'input_image', file_id: 'file-7Hc2kQ9xZr', detail: 'auto'}, /input_image given by file_id/],
    [{type: 'input_file', file_id: 'file-7Hc2kQ9xZr'}, /input_file given by file_id/],
    [{type: 'input_file', file_url: 'https://example.com/report.pdf'}, /input_file given by file_url/],
  ])('refuses a file the upstream cannot fetch: %j', (part, message) => {
    const err = refusal({input: [{role: 'user', content: [part]}]})
    expect(err.code).toBe('VALIDATION')
    expect(err.status).toBe(400)
    expect(err.message).toMatch(message)
    expect(err.details).toEqual({field: expect.stringMatching(/^input\[0\]\.content\[0\]\./)})
  })

  it('starts an assistant turn for function calls without preceding text and keeps them in one message', () => {
    const {body} = translate({
      input: [
        {role: 'user', content: 'Weather in Lisbon and Paris?'},
        {type: 'function_call', call_id: 'call_A1', name: 'get_weather', arguments: '{"city":"Lisbon"}'},
        {type: 'reasoning', id: 'rs_1', summary: []},
        {type: 'function_call', call_id: 'call_B2', name: 'get_weather', arguments: '{"city":"Paris"}'},
        {type: 'function_call_output', call_id: 'call_A1', output: {temp_c: 21}},
        {type: 'function_call_output', call_id: 'call_B2', output: '17C'},
        {role: 'assistant', content: [{type: 'output_text', text: 'Lisbon 21C, Paris 17C.', annotations: []}]},
      ],
    })
    expect(body.messages).toEqual([
      {role: 'user', content: 'Weather in Lisbon and Paris?'},
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {id: 'call_A1', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Lisbon"}'}},
          {id: 'call_B2', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Paris"}'}},
        ],
      },
      {role: 'tool', tool_call_id: 'call_A1', content: '{"temp_c":21}'},
      {role: 'tool', tool_call_id: 'call_B2', content: '17C'},
      {role: 'assistant', content: 'Lisbon 21C, Paris 17C.'},
    ])
  })

  it('carries assistant refusals, tool-output images for Claude (in a user message after the tool messages) and reports message phase', () => {
    const request = {
      input: [
        {role: 'user', content: 'Do the bad thing'},
        {type: 'message', role: 'assistant', phase: 'final_answer', content: [{type: 'refusal', refusal: "I can't help with that."}]},
        {type: 'function_call', call_id: 'call_S1', name: 'screenshot', arguments: '{}'},
        {
          type: 'function_call_output',
          call_id: 'call_S1',
          output: [
            {type: 'input_text', text: 'Screenshot taken.'},
            {type: 'input_image', image_url: PNG},
            {type: 'input_image', file_id: 'file-abc'},
          ],
        },
      ],
    }
    const {body, dropped} = translate(request, {toolOutputImages: true})
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        refusal: "I can't help with that.",
        tool_calls: [{id: 'call_S1', type: 'function', function: {name: 'screenshot', arguments: '{}'}}],
      },
      {role: 'tool', tool_call_id: 'call_S1', content: 'Screenshot taken.'},
      {role: 'user', content: [{type: 'image_url', image_url: {url: PNG}}]},
    ])
    // An image by file_id cannot be fetched: left out, not a refusal of the whole request.
    expect(dropped).toEqual(['input[].phase', 'input[3].output[2] (input_image)'])
    // For other servers (often text-only models that would refuse the request) they are left out.
    const textOnly = translate(request)
    expect(textOnly.body.messages.at(-1)).toEqual({role: 'tool', tool_call_id: 'call_S1', content: 'Screenshot taken.'})
    expect(textOnly.dropped).toEqual(['input[].phase', 'input[3].output[1] (input_image)', 'input[3].output[2] (input_image)'])
  })

  it('puts the images of parallel tool outputs after the whole run of tool messages (Chat wants tool messages right after the calls), and on to Claude', () => {
    const shot = (id: string) => ({type: 'function_call_output', call_id: id, output: [{type: 'input_text', text: `shot ${id}`}, {type: 'input_image', image_url: PNG}]})
    const {body} = translate({
      input: [
        {role: 'user', content: 'compare the two windows'},
        {type: 'function_call', call_id: 'a', name: 'screenshot', arguments: '{"w":1}'},
        {type: 'function_call', call_id: 'b', name: 'screenshot', arguments: '{"w":2}'},
        shot('a'),
        shot('b'),
        {role: 'user', content: 'well?'},
      ],
    }, {toolOutputImages: true})
    expect(body.messages.slice(1).map((m: {role: string}) => m.role)).toEqual(['assistant', 'tool', 'tool', 'user', 'user'])
    expect(body.messages[4].content).toEqual([{type: 'image_url', image_url: {url: PNG}}, {type: 'image_url', image_url: {url: PNG}}])
    // The Anthropic model gets them as images in the user turn that carries the tool results.
    const claude = openAIChatToAnthropic(body as never, {model: 'claude-sonnet-4-5'} as never).body as {messages: {role: string; content: {type: string}[]}[]}
    const turn = claude.messages.find((m) => m.role === 'user' && Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_result'))
    expect(turn?.content.map((b) => b.type)).toEqual(['tool_result', 'tool_result', 'image', 'image', 'text'])
  })

  it.each([
    ['auto', 'auto'],
    ['none', 'none'],
    ['required', 'required'],
    [{type: 'function', name: 'get_weather'}, {type: 'function', function: {name: 'get_weather'}}],
  ])('maps tool_choice %j', (choice, expected) => {
    const tools = [{type: 'function', name: 'get_weather', parameters: {type: 'object', properties: {}}, strict: true}]
    const {body} = translate({input: 'x', tools, tool_choice: choice})
    expect(body.tool_choice).toEqual(expected)
    expect(body.tools).toEqual([{type: 'function', function: {name: 'get_weather', parameters: {type: 'object', properties: {}}, strict: true}}])
  })

  it('narrows the tools to an allowed_tools list', () => {
    const tools = ['read', 'write', 'delete'].map((name) => ({type: 'function', name, parameters: null, strict: null}))
    const {body} = translate({
      input: 'x',
      tools,
      tool_choice: {
        type: 'allowed_tools',
        mode: 'required',
        tools: [
          {type: 'function', name: 'read'},
          {type: 'function', name: 'write'},
        ],
      },
    })
    expect(body.tools).toEqual([
      {type: 'function', function: {name: 'read'}},
      {type: 'function', function: {name: 'write'}},
    ])
    expect(body.tool_choice).toBe('required')
  })

  it('leaves out tool_choice and parallel_tool_calls without tools, reporting a forced choice', () => {
    expect(translate({input: 'x', tool_choice: 'auto', parallel_tool_calls: true})).toEqual({
      body: {model: 'qwen3-coder', messages: [{role: 'user', content: 'x'}]},
      dropped: [],
      toolNames: new Map(),
    })
    expect(translate({input: 'x', tool_choice: 'required'}).dropped).toEqual(['tool_choice'])
  })

  it('reports function-tool fields Chat Completions has no place for', () => {
    const {dropped} = translate({input: 'x', tools: [{type: 'function', name: 'f', parameters: null, strict: null, defer_loading: true, output_schema: {type: 'string'}}]})
    expect(dropped).toEqual(['tools[].defer_loading', 'tools[].output_schema'])
  })

  it.each([
    {type: 'web_search'},
    {type: 'web_search', external_web_access: false},
    {type: 'web_search_preview'},
    {type: 'file_search', vector_store_ids: ['vs_1']},
    {type: 'code_interpreter', container: {type: 'auto'}},
    {type: 'mcp', server_label: 'deepwiki', server_url: 'https://mcp.deepwiki.com/mcp'},
    {type: 'image_generation'},
  ])('leaves out an offered $type tool (OpenAI runs it) and reports it', (tool) => {
    const {body, dropped} = translate({input: 'x', tools: [{type: 'function', name: 'ok', parameters: null, strict: null}, tool]})
    expect(body.tools).toEqual([{type: 'function', function: {name: 'ok'}}])
    expect(dropped).toEqual([`tools[1] (${tool.type})`])
  })

  it.each([
    {type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser'},
    {type: 'local_shell'},
    {type: 'shell'},
    {type: 'custom', name: 'apply_patch', format: {type: 'grammar', syntax: 'lark', definition: 'start: /.+/'}},
    {type: 'apply_patch'},
  ])('refuses a $type tool (the client runs it) with a clear 400 naming it', (tool) => {
    const err = refusal({input: 'x', tools: [{type: 'function', name: 'ok', parameters: null, strict: null}, tool]})
    expect(err.code).toBe('VALIDATION')
    expect(err.status).toBe(400)
    expect(err.message).toContain(`tools[1] is a "${tool.type}" tool`)
    expect(err.message).toContain('cannot honour it')
    expect(err.details).toEqual({field: 'tools[1]', tool_type: tool.type})
  })

  it.each([{type: 'web_search_preview'}, {type: 'mcp', server_label: 'x'}, {type: 'custom', name: 'apply_patch'}])('refuses tool_choice %j', (choice) => {
    const err = refusal({input: 'x', tool_choice: choice})
    expect(err.message).toContain(`tool_choice forces a "${choice.type}" tool`)
  })

  it('flattens namespace tools into functions and names history calls the same way', () => {
    const {body, dropped, toolNames} = translate({
      input: [
        {role: 'user', content: 'spawn a helper'},
        {type: 'function_call', call_id: 'c1', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{}'},
        {type: 'function_call_output', call_id: 'c1', output: 'spawned'},
        {type: 'function_call', call_id: 'c2', name: 'search', namespace: 'mcp__docs__', arguments: '{"q":"x"}'},
        {type: 'function_call_output', call_id: 'c2', output: 'found'},
      ],
      tools: [
        {type: 'function', name: 'exec_command', parameters: {type: 'object'}},
        {type: 'namespace', name: 'multi_agent_v1', description: 'agents', tools: [{type: 'function', name: 'spawn_agent', description: 'Spawn', parameters: {type: 'object'}}, {type: 'function', name: 'close_agent'}]},
        {type: 'namespace', name: 'mcp__docs__', tools: [{type: 'function', name: 'search'}, {type: 'custom', name: 'odd'}]},
      ],
      tool_choice: {type: 'function', name: 'close_agent', namespace: 'multi_agent_v1'},
    })
    expect(body.tools!.map((t) => t.function.name)).toEqual(['exec_command', 'multi_agent_v1__spawn_agent', 'multi_agent_v1__close_agent', 'mcp__docs__search'])
    expect(body.tools![1].function).toEqual({name: 'multi_agent_v1__spawn_agent', description: 'Spawn', parameters: {type: 'object'}})
    expect(body.tool_choice).toEqual({type: 'function', function: {name: 'multi_agent_v1__close_agent'}})
    const calls = body.messages.flatMap((m) => (m.role === 'assistant' && m.tool_calls ? m.tool_calls.map((c) => c.function.name) : []))
    expect(calls).toEqual(['multi_agent_v1__spawn_agent', 'mcp__docs__search'])
    expect(dropped).toEqual(['tools[2].tools[1] (custom)'])
    expect(toolNames.get('multi_agent_v1__spawn_agent')).toEqual({namespace: 'multi_agent_v1', name: 'spawn_agent'})
    expect(toolNames.get('mcp__docs__search')).toEqual({namespace: 'mcp__docs__', name: 'search'})
    expect(toolNames.has('exec_command')).toBe(false)
  })

  it('keeps flattened names within 64 characters, distinct and stable', () => {
    const long = 'n'.repeat(50)
    const a = flatToolName(long, 'first_function_name')
    const b = flatToolName(long, 'second_function_name')
    expect(a).toHaveLength(64)
    expect(a).not.toBe(b)
    expect(flatToolName(long, 'first_function_name')).toBe(a)
    expect(flatToolName('my.ns', 'f')).toBe('my_ns__f')
  })

  it('refuses previous_response_id with the message the issue asks for', () => {
    const err = refusal({input: 'and then?', previous_response_id: 'resp_68c1f3b2a4d08190b9e8f7a6c5d4e3f2'})
    expect(err.code).toBe('VALIDATION')
    expect(err.status).toBe(400)
    expect(err.message).toBe('previous_response_id is not supported: TokenHub does not store responses; send the full input')
    expect(err.details).toEqual({field: 'previous_response_id'})
    expect(err.suggestion).toMatch(/whole conversation/)
  })

  it('accepts a null previous_response_id', () => {
    expect(translate({input: 'x', previous_response_id: null}).body.messages).toEqual([{role: 'user', content: 'x'}])
  })

  it.each([
    [{conversation: 'conv_689667905b048191b4740501625afd940c7533ace33a2dab'}, /^conversation is not supported/],
    [{prompt: {id: 'pmpt_abc123', version: '2'}}, /^prompt \(a stored prompt template\) is not supported/],
    [{background: true}, /^background is not supported/],
    [{input: [{type: 'item_reference', id: 'msg_123'}]}, /^input\[0\] is an item_reference/],
    [{input: [{id: 'msg_123'}]}, /^input\[0\] is an item_reference/],
    [{input: [{type: 'local_shell_call', call_id: 'call_1', action: {type: 'exec', command: ['ls']}}]}, /^input\[0\] is a "local_shell_call" item/],
  ])('refuses what needs stored state or hosted tools: %j', (fields, message) => {
    const err = refusal({input: 'x', ...fields})
    expect(err.code).toBe('VALIDATION')
    expect(err.message).toMatch(message)
  })

  it('carries on a Codex history from an OpenAI model: freeform tool calls as function calls with their text, hosted tool calls left out', () => {
    const {body, dropped} = translate({
      input: [
        {role: 'user', content: 'fix the typo, and look up the spec'},
        {type: 'web_search_call', id: 'ws_1', status: 'completed', action: {type: 'search', query: 'spec'}},
        {type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch'},
        {type: 'custom_tool_call_output', call_id: 'call_1', output: 'Done!'},
        {role: 'assistant', content: [{type: 'output_text', text: 'Fixed.'}]},
        {role: 'user', content: 'thanks'},
      ],
    })
    expect(body.messages).toEqual([
      {role: 'user', content: 'fix the typo, and look up the spec'},
      {role: 'assistant', content: null, tool_calls: [{id: 'call_1', type: 'function', function: {name: 'apply_patch', arguments: JSON.stringify({input: '*** Begin Patch\n*** End Patch'})}}]},
      {role: 'tool', tool_call_id: 'call_1', content: 'Done!'},
      {role: 'assistant', content: 'Fixed.'},
      {role: 'user', content: 'thanks'},
    ])
    expect(dropped).toEqual(['input[] (web_search_call)'])
  })

  it('rejects a body without input, bad items and unknown roles', () => {
    expect(refusal({}).message).toBe('"input" must be a string or an array of input items')
    expect(refusal({input: ['hello']}).message).toBe('input[0] must be an object')
    expect(refusal({input: [{role: 'tool', content: 'x'}]}).message).toBe('input[0].role "tool" is not supported')
    expect(refusal({input: [{type: 'function_call', call_id: 'c', arguments: '{}'}]}).message).toMatch(/input\[0\]\.name/)
  })

  it('maps text.format to response_format', () => {
    const schema = {type: 'object', properties: {answer: {type: 'string'}}, required: ['answer'], additionalProperties: false}
    expect(translate({input: 'x', text: {format: {type: 'json_schema', name: 'answer', schema, strict: true, description: 'The answer'}}}).body.response_format).toEqual({
      type: 'json_schema',
      json_schema: {name: 'answer', description: 'The answer', schema, strict: true},
    })
    expect(translate({input: 'x', text: {format: {type: 'json_object'}}}).body.response_format).toEqual({type: 'json_object'})
    const plain = translate({input: 'x', text: {format: {type: 'text'}}})
    expect(plain.body).not.toHaveProperty('response_format')
    expect(plain.dropped).toEqual([])
  })

  it('does not report empty include and metadata', () => {
    expect(translate({input: 'x', include: [], metadata: {}, store: false, truncation: 'disabled'}).dropped).toEqual([])
  })
})

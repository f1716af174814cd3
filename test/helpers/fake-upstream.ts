import {randomBytes} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
  json: any
}

export interface FakeUpstreamOptions {
  /** The key the upstream accepts; requests with another key get a 401 that quotes the key sent. */
  apiKey?: string
  /** OpenAI: Authorization Bearer; Anthropic: x-api-key + anthropic-version. */
  flavor?: 'openai' | 'anthropic'
  models?: string[]
}

/** How the upstream treats requests for one model (set with `behave`). */
export interface Behavior {
  /** Answer with this status and body instead. */
  status?: number
  body?: string
  headers?: Record<string, string>
  /** Never answer (for timeouts). */
  hang?: boolean
  /** How many requests this applies to (default: all). */
  times?: number
  /** Stream: pause between chunks. */
  chunkDelayMs?: number
  /** Stream: stop after this many content chunks without a proper end (reset the connection). */
  resetAfterChunks?: number
  /** Stream: go silent after this many content chunks (for idle timeouts). */
  stallAfterChunks?: number
  /** Stream: after this many content chunks send a line that is not JSON, then carry on. */
  garbageAfterChunks?: number
  /** Report this usage instead of the computed one. */
  usage?: {input: number; output: number; cacheRead?: number; cacheWrite?: number}
  /** Stream: start with a UTF-8 byte order mark split across two writes, and split every frame's bytes in two writes (mid-character when it falls there). */
  awkwardBytes?: boolean
  /** Stream: answer 200 and then only an error event (Anthropic: after message_start and ping; OpenAI: a `{"error": ...}` chunk after the role chunk; Responses: response.failed after response.created, `type` as its code). */
  streamError?: {type: string; message: string}
  /** Responses stream: after this many content events, response.failed (code server_error) instead of the rest. */
  failAfterChunks?: number
  /** Responses: the answer is cut off by max_output_tokens (status incomplete; response.incomplete when streamed). */
  incomplete?: boolean
  /** Responses: the model reasons first, and shows this reasoning summary (as when reasoning.summary is asked for). */
  reasoningSummary?: string
}

export interface FakeUpstream {
  url: string
  requests: RecordedRequest[]
  /** Answer the next requests with this instead (status + body), for every model. */
  override: {status: number; body?: string; headers?: Record<string, string>} | null
  behave(model: string, behavior: Behavior): void
  reset(): void
  /** Requests whose client disconnected before the answer ended. */
  aborted: number
  /** Calls of a coding agent's shell tool this upstream asked for (see `findShellTool`), oldest first. */
  shellCalls: ShellCall[]
  close(): Promise<void>
}

const words = (text: string) => text.split(/(?<= )/)

/** The prefix of the marker a shell-tool round trip prints. */
export const ROUNDTRIP_PREFIX = 'tokenhub-roundtrip-'

/** One call of an agent's shell tool, asked for by the fake upstream. */
export interface ShellCall {
  /** The tool's name (`Bash`, `exec_command`, `shell`). */
  tool: string
  /** The dialect it was asked for in. */
  dialect: 'chat' | 'messages' | 'responses'
  /** The command line; it prints `marker` without containing it. */
  command: string
  /** What the command prints: ROUNDTRIP_PREFIX + random hex. */
  marker: string
  /** The tool call's arguments as sent. */
  input: Record<string, unknown>
}

/** A tool in any dialect: Anthropic `{name, input_schema}`, Chat `{type, function: {name, parameters}}`, Responses `{type, name, parameters}`. */
function toolName(tool: any): string | undefined {
  return tool?.function?.name ?? tool?.name
}

/**
 * The shell tool of a coding agent among `tools`, with how to call it:
 * Claude Code's `Bash` (`{command, description}`), Codex's `exec_command` (`{cmd}`) and its older
 * `shell` (`{command: [argv]}`). Only tools of that name with a `command`/`cmd` parameter count, so
 * test tools that happen to be called `shell` keep the generic behaviour.
 */
export function findShellTool(tools: unknown): {name: string; args: (command: string) => Record<string, unknown>} | null {
  if (!Array.isArray(tools)) return null
  for (const tool of tools) {
    if (tool?.type !== undefined && tool.type !== 'function' && tool.type !== 'custom' && !tool.input_schema) continue
    const name = toolName(tool)
    const properties = (tool?.function?.parameters ?? tool?.parameters ?? tool?.input_schema)?.properties ?? {}
    if (name === 'Bash' && properties.command) return {name, args: (command) => ({command, description: 'Print the TokenHub round-trip marker'})}
    if (name === 'exec_command' && properties.cmd) return {name, args: (cmd) => ({cmd})}
    if (name === 'shell' && properties.command?.type === 'array') return {name, args: (command) => ({command: ['bash', '-lc', command]})}
    if (name === 'shell' && properties.command?.type === 'string') return {name, args: (command) => ({command})}
  }
  return null
}

function newShellCall(tools: unknown, dialect: ShellCall['dialect']): ShellCall | null {
  const shell = findShellTool(tools)
  if (!shell) return null
  const nonce = randomBytes(6).toString('hex')
  // printf joins the pieces, so only a shell that really ran prints the marker.
  const command = `printf '%s%s\\n' ${ROUNDTRIP_PREFIX} ${nonce}`
  return {tool: shell.name, dialect, command, marker: `${ROUNDTRIP_PREFIX}${nonce}`, input: shell.args(command)}
}

function partsText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content)
  return content.map((p: any) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : '')).join('')
}

function lastUserText(messages: any[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user')
  if (!last) return ''
  if (typeof last.content === 'string') return last.content
  return (last.content as any[])
    .filter((p) => p.type === 'text')
    .map((p) => p.text)
    .join(' ')
}

/** The tool results that answer the last assistant turn (messages after it), or null when there are none. */
function toolResultText(messages: any[], flavor: 'openai' | 'anthropic'): string | null {
  let lastAssistant = -1
  messages.forEach((m, i) => m?.role === 'assistant' && (lastAssistant = i))
  const after = messages.slice(lastAssistant + 1)
  const results =
    flavor === 'openai'
      ? after.filter((m) => m?.role === 'tool').map((m) => partsText(m.content))
      : after.flatMap((m) => (m?.role === 'user' && Array.isArray(m.content) ? m.content.filter((b: any) => b?.type === 'tool_result') : [])).map((b: any) => partsText(b.content))
  return results.length ? results.join('\n') : null
}

/** Responses input: the outputs of the function calls of the last model turn, or null. */
function functionOutputText(input: unknown): string | null {
  if (!Array.isArray(input)) return null
  let lastModelItem = -1
  input.forEach((item: any, i) => (item?.type === 'function_call' || item?.role === 'assistant') && (lastModelItem = i))
  const outputs = input.slice(lastModelItem + 1).filter((item: any) => item?.type === 'function_call_output')
  return outputs.length ? outputs.map((item: any) => partsText(item.output)).join('\n') : null
}

/**
 * A provider on loopback shaped like OpenAI's or Anthropic's API, for tests only. Chat answers
 * echo the last user message; with tools and no tool result yet it calls the first tool; with a
 * tool result it answers "tool said: ...". Streams send one chunk per word. When the tools include
 * a coding agent's shell tool (`findShellTool`), it calls that one instead, with a command that
 * prints a fresh marker (recorded in `shellCalls`), so a real agent runs a real round trip.
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const flavor = options.flavor ?? 'openai'
  const models = options.models ?? (flavor === 'anthropic' ? ['claude-sonnet-4-5', 'claude-haiku-4-5'] : ['gpt-4o', 'gpt-4o-mini'])
  const behaviors = new Map<string, Behavior & {used: number}>()
  const sockets = new Set<import('node:net').Socket>()
  const storedResponses = new Map<string, {response: unknown; input: unknown}>()
  const state: FakeUpstream = {
    url: '',
    requests: [],
    override: null,
    aborted: 0,
    shellCalls: [],
    behave: (model, behavior) => behaviors.set(model, {...behavior, used: 0}),
    reset: () => {
      behaviors.clear()
      state.requests.length = 0
      state.override = null
      state.aborted = 0
      state.shellCalls.length = 0
    },
    close: async () => {},
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    let json: any = null
    try {
      json = body ? JSON.parse(body) : null
    } catch {}
    state.requests.push({method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json})
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {'content-type': 'application/json', ...headers})
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload))
    }
    if (state.override) return send(state.override.status, state.override.body ?? '', state.override.headers)
    const presented = flavor === 'anthropic' ? req.headers['x-api-key'] : req.headers.authorization?.replace(/^Bearer /, '')
    if (options.apiKey !== undefined && presented !== options.apiKey) {
      return send(401, {error: {message: `Incorrect API key provided: ${presented ?? '(none)'}. You can find your API key at https://example.invalid.`, type: 'invalid_request_error', code: 'invalid_api_key'}})
    }
    const storedPath = /^\/v1\/responses\/([^/?]+)(\/input_items|\/cancel)?(\?.*)?$/.exec(req.url ?? '')
    if (flavor === 'openai' && storedPath && (req.method !== 'POST' || storedPath[2] === '/cancel')) {
      const entry = storedResponses.get(storedPath[1])
      if (!entry) return send(404, {error: {message: `Response with id '${storedPath[1]}' not found.`, type: 'invalid_request_error', param: null, code: null}})
      if (req.method === 'DELETE') {
        storedResponses.delete(storedPath[1])
        return send(200, {id: storedPath[1], object: 'response.deleted', deleted: true})
      }
      if (storedPath[2] === '/cancel') return send(400, {error: {message: 'Only responses created with background can be cancelled.', type: 'invalid_request_error', param: null, code: null}})
      if (storedPath[2] === '/input_items') return send(200, {object: 'list', data: entry.input, first_id: null, last_id: null, has_more: false, query: storedPath[3] ?? ''})
      return send(200, entry.response)
    }
    if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
      if (flavor === 'anthropic') {
        if (!req.headers['anthropic-version']) return send(400, {type: 'error', error: {type: 'invalid_request_error', message: 'anthropic-version header is required'}})
        return send(200, {data: models.map((id) => ({type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z'})), has_more: false})
      }
      return send(200, {object: 'list', data: models.map((id) => ({id, object: 'model', created: 1700000000, owned_by: 'openai'}))})
    }

    const behavior = json?.model ? behaviors.get(json.model) : undefined
    const active = behavior && (behavior.times === undefined || behavior.used < behavior.times) ? behavior : undefined
    if (active) active.used++
    if (active?.hang) return
    if (active?.status) return send(active.status, active.body ?? JSON.stringify({error: {message: `fake failure ${active.status}`, type: 'server_error'}}), active.headers)

    const path = (req.url ?? '').split('?')[0] // Anthropic clients add ?beta=true
    if (flavor === 'openai' && path === '/v1/embeddings') {
      const inputs = Array.isArray(json.input) ? json.input : [json.input]
      const data = inputs.map((_: unknown, index: number) => {
        const embedding = [0.1 * (index + 1), 0.2, -0.3]
        return {object: 'embedding', index, embedding: json.encoding_format === 'base64' ? Buffer.from(new Float32Array(embedding).buffer).toString('base64') : embedding}
      })
      const prompt = active?.usage?.input ?? 3 * inputs.length
      return send(200, {object: 'list', data, model: json.model, usage: {prompt_tokens: prompt, total_tokens: prompt}})
    }
    if (flavor === 'openai' && path === '/v1/completions') {
      return send(200, {id: 'cmpl-1', object: 'text_completion', created: 1700000000, model: json.model, choices: [{text: ` completed: ${json.prompt}`, index: 0, finish_reason: 'stop', logprobs: null}], usage: {prompt_tokens: 5, completion_tokens: 3, total_tokens: 8}})
    }
    if (flavor === 'openai' && path === '/v1/chat/completions') return chatOpenAI(json, res, active)
    if (flavor === 'openai' && path === '/v1/responses') return responsesOpenAI(json, res, active)
    if (flavor === 'anthropic' && path === '/v1/messages/count_tokens') {
      if (!req.headers['anthropic-version']) return send(400, {type: 'error', error: {type: 'invalid_request_error', message: 'anthropic-version header is required'}})
      return send(200, {input_tokens: 4242})
    }
    if (flavor === 'anthropic' && path === '/v1/messages') {
      if (!req.headers['anthropic-version']) return send(400, {type: 'error', error: {type: 'invalid_request_error', message: 'anthropic-version header is required'}})
      return chatAnthropic(json, res, active)
    }
    send(404, {error: {message: `fake upstream: no route ${req.method} ${req.url}`}})
  }

  const chunked = async (res: ServerResponse, frames: string[], behavior: Behavior | undefined, contentFrames: number) => {
    if (!res.headersSent) res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'})
    for (let i = 0; i < frames.length; i++) {
      if (behavior?.resetAfterChunks !== undefined && i >= behavior.resetAfterChunks + 1 && i <= contentFrames) {
        res.socket?.destroy()
        return
      }
      if (behavior?.stallAfterChunks !== undefined && i >= behavior.stallAfterChunks + 1 && i <= contentFrames) return
      if (behavior?.garbageAfterChunks !== undefined && i === behavior.garbageAfterChunks + 1) res.write('data: {not json at all\n\n')
      if (res.destroyed) return
      if (behavior?.awkwardBytes) {
        const pause = () => new Promise((resolve) => setTimeout(resolve, 5))
        if (i === 0) {
          res.write(Buffer.from([0xef, 0xbb]))
          await pause()
          res.write(Buffer.from([0xbf]))
          await pause()
        }
        const bytes = Buffer.from(frames[i])
        const middle = Math.floor(bytes.length / 2)
        res.write(bytes.subarray(0, middle))
        await pause()
        res.write(bytes.subarray(middle))
      } else res.write(frames[i])
      if (behavior?.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, behavior.chunkDelayMs))
    }
    res.end()
  }

  const chatOpenAI = async (body: any, res: ServerResponse, behavior: Behavior | undefined) => {
    const toolResult = toolResultText(body.messages, 'openai')
    const callTool = body.tools?.length && toolResult === null
    const text = toolResult !== null ? `tool said: ${toolResult}` : `echo: ${lastUserText(body.messages)}`
    const usage: Record<string, unknown> & {prompt_tokens: number; completion_tokens: number; total_tokens: number} = {prompt_tokens: behavior?.usage?.input ?? 11, completion_tokens: behavior?.usage?.output ?? words(text).length, total_tokens: 0}
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
    if (behavior?.usage?.cacheRead !== undefined) usage.prompt_tokens_details = {cached_tokens: behavior.usage.cacheRead}
    const shell = callTool ? newShellCall(body.tools, 'chat') : null
    if (shell) state.shellCalls.push(shell)
    const toolCall = shell
      ? {id: `call_${randomBytes(8).toString('hex')}`, type: 'function', function: {name: shell.tool, arguments: JSON.stringify(shell.input)}}
      : {id: 'call_abc123', type: 'function', function: {name: body.tools?.[0]?.function?.name, arguments: JSON.stringify({query: lastUserText(body.messages)})}}
    const base = {id: 'chatcmpl-fake1', created: 1700000000, model: body.model, system_fingerprint: 'fp_fake'}
    if (!body.stream) {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: callTool ? {role: 'assistant', content: null, tool_calls: [toolCall]} : {role: 'assistant', content: text, refusal: null},
              finish_reason: callTool ? 'tool_calls' : 'stop',
              logprobs: null,
            },
          ],
          usage,
        }),
      )
      return
    }
    const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({...base, object: 'chat.completion.chunk', choices: [{index: 0, delta, finish_reason: finish, logprobs: null}]})}\n\n`
    // As OpenRouter and some compatible servers do: the turn opens, then the error comes.
    if (behavior?.streamError) return chunked(res, [chunk({role: 'assistant', content: ''}), `data: ${JSON.stringify({error: {...behavior.streamError, code: null}})}\n\n`], {chunkDelayMs: 20}, 0)
    // A huge echo takes a while to build on a busy machine: the headers go first, as a real
    // server's would, so the gateway's first-byte timeout measures the server, not this fake.
    const pieces = words(text)
    if (!callTool && pieces.length > 10_000) res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'}).flushHeaders()
    const content = callTool
      ? [
          chunk({tool_calls: [{index: 0, id: toolCall.id, type: 'function', function: {name: toolCall.function.name, arguments: ''}}]}),
          chunk({tool_calls: [{index: 0, function: {arguments: toolCall.function.arguments.slice(0, 5)}}]}),
          chunk({tool_calls: [{index: 0, function: {arguments: toolCall.function.arguments.slice(5)}}]}),
        ]
      : pieces.map((w) => chunk({content: w}))
    const frames = [chunk({role: 'assistant', content: ''}), ...content, chunk({}, callTool ? 'tool_calls' : 'stop')]
    if (body.stream_options?.include_usage) frames.push(`data: ${JSON.stringify({...base, object: 'chat.completion.chunk', choices: [], usage})}\n\n`)
    frames.push('data: [DONE]\n\n')
    await chunked(res, frames, behavior, content.length)
  }

  /**
   * A minimal Responses API (api.openai.com speaks it; OpenAI-compatible servers usually do not).
   * With function tools and no function_call_output for the last call yet it calls one (the agent's
   * shell tool when present, else the first function tool with `{query}`); with outputs it answers
   * "tool said: ...".
   */
  const responsesOpenAI = async (body: any, res: ServerResponse, behavior: Behavior | undefined) => {
    const userItems = typeof body.input === 'string' ? [] : (body.input as any[]).filter((i) => i.role === 'user')
    const userText = (i: any) => (typeof i.content === 'string' ? i.content : i.content.map((p: any) => p.text).join(' '))
    const input = typeof body.input === 'string' ? body.input : userItems.map(userText).join(' ')
    const toolOutput = functionOutputText(body.input)
    const functionTools = Array.isArray(body.tools) ? body.tools.filter((t: any) => t?.type === 'function') : []
    const shell = functionTools.length && toolOutput === null ? newShellCall(functionTools, 'responses') : null
    if (shell) state.shellCalls.push(shell)
    const call =
      shell || (functionTools.length && toolOutput === null)
        ? {
            type: 'function_call',
            id: `fc_${randomBytes(8).toString('hex')}`,
            call_id: `call_${randomBytes(8).toString('hex')}`,
            name: shell ? shell.tool : functionTools[0].name,
            arguments: JSON.stringify(shell ? shell.input : {query: typeof body.input === 'string' ? body.input : userItems.length ? userText(userItems.at(-1)) : ''}),
            status: 'completed',
          }
        : null
    const text = toolOutput !== null ? `tool said: ${toolOutput}` : `echo: ${input}`
    const summary = behavior?.reasoningSummary
    const reasoningTokens = summary === undefined ? 0 : 4 * words(summary).length
    const usage = {
      input_tokens: behavior?.usage?.input ?? 13,
      input_tokens_details: {cached_tokens: behavior?.usage?.cacheRead ?? 0},
      output_tokens: behavior?.usage?.output ?? (call ? 12 : words(text).length) + reasoningTokens,
      output_tokens_details: {reasoning_tokens: reasoningTokens},
      total_tokens: 0,
    }
    usage.total_tokens = usage.input_tokens + usage.output_tokens
    const message = {type: 'message', id: 'msg_fake', status: 'completed', role: 'assistant', content: [{type: 'output_text', text, annotations: []}]}
    const reasoning = summary === undefined ? null : {id: 'rs_fake', type: 'reasoning', summary: [{type: 'summary_text', text: summary}]}
    const item = call ?? message
    const output = reasoning ? [reasoning, item] : [item]
    const id = `resp_${randomBytes(12).toString('hex')}`
    const finalStatus = behavior?.incomplete ? 'incomplete' : 'completed'
    const response = (status: string, output: unknown[], withUsage: boolean) => ({
      id,
      object: 'response',
      created_at: 1700000000,
      status,
      model: body.model,
      output,
      usage: withUsage ? usage : null,
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
      error: status === 'failed' ? {code: 'server_error', message: 'The model failed mid-answer'} : null,
      incomplete_details: status === 'incomplete' ? {reason: 'max_output_tokens'} : null,
      instructions: null,
      metadata: {},
      temperature: null,
      top_p: null,
    })
    // OpenAI stores a response unless told not to (GET/DELETE /v1/responses/{id}).
    if (body.store !== false) storedResponses.set(id, {response: response(finalStatus, output, true), input: typeof body.input === 'string' ? [{type: 'message', role: 'user', content: [{type: 'input_text', text: body.input}]}] : body.input})
    if (!body.stream) {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify(response(finalStatus, output, true)))
      return
    }
    let seq = 0
    const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({type, sequence_number: seq++, ...data})}\n\n`
    if (behavior?.streamError) {
      const failed = {...response('failed', [], false), error: {code: behavior.streamError.type, message: behavior.streamError.message}}
      return chunked(res, [event('response.created', {response: response('in_progress', [], false)}), event('response.failed', {response: failed})], {chunkDelayMs: 20}, 0)
    }
    // Reasoning comes first, at output_index 0; the answer's item after it.
    const at = reasoning ? 1 : 0
    const thinking = reasoning
      ? [
          event('response.output_item.added', {output_index: 0, item: {...reasoning, summary: []}}),
          event('response.reasoning_summary_part.added', {item_id: reasoning.id, output_index: 0, summary_index: 0, part: {type: 'summary_text', text: ''}}),
          ...words(summary!).map((w) => event('response.reasoning_summary_text.delta', {item_id: reasoning.id, output_index: 0, summary_index: 0, delta: w})),
          event('response.reasoning_summary_text.done', {item_id: reasoning.id, output_index: 0, summary_index: 0, text: summary}),
          event('response.reasoning_summary_part.done', {item_id: reasoning.id, output_index: 0, summary_index: 0, part: {type: 'summary_text', text: summary}}),
          event('response.output_item.done', {output_index: 0, item: reasoning}),
        ]
      : []
    const answer = call
      ? [
          event('response.output_item.added', {output_index: at, item: {...call, status: 'in_progress', arguments: ''}}),
          event('response.function_call_arguments.delta', {item_id: call.id, output_index: at, delta: call.arguments.slice(0, 5)}),
          event('response.function_call_arguments.delta', {item_id: call.id, output_index: at, delta: call.arguments.slice(5)}),
          event('response.function_call_arguments.done', {item_id: call.id, output_index: at, name: call.name, arguments: call.arguments}),
        ]
      : [
          event('response.output_item.added', {output_index: at, item: {...message, status: 'in_progress', content: []}}),
          event('response.content_part.added', {item_id: 'msg_fake', output_index: at, content_index: 0, part: {type: 'output_text', text: '', annotations: []}}),
          ...words(text).map((w) => event('response.output_text.delta', {item_id: 'msg_fake', output_index: at, content_index: 0, delta: w, logprobs: []})),
          event('response.output_text.done', {item_id: 'msg_fake', output_index: at, content_index: 0, text, logprobs: []}),
          event('response.content_part.done', {item_id: 'msg_fake', output_index: at, content_index: 0, part: {type: 'output_text', text, annotations: []}}),
        ]
    const content = [...thinking, ...answer]
    const ending =
      behavior?.failAfterChunks !== undefined
        ? [event('response.failed', {response: response('failed', [], true)})]
        : [event('response.output_item.done', {output_index: at, item}), event(`response.${finalStatus}`, {response: response(finalStatus, output, true)})]
    const frames = [
      event('response.created', {response: response('in_progress', [], false)}),
      event('response.in_progress', {response: response('in_progress', [], false)}),
      ...(behavior?.failAfterChunks !== undefined ? content.slice(0, behavior.failAfterChunks) : content),
      ...ending,
    ]
    // The index of the last content frame (text or argument delta), as `resetAfterChunks` counts.
    await chunked(res, frames, behavior, thinking.length + (call ? 4 : words(text).length + 3))
  }

  const chatAnthropic = async (body: any, res: ServerResponse, behavior: Behavior | undefined) => {
    const toolResult = toolResultText(body.messages, 'anthropic')
    const callTool = body.tools?.length && toolResult === null
    const text = toolResult !== null ? `tool said: ${toolResult}` : `echo: ${lastUserText(body.messages)}`
    const usage: Record<string, number> = {input_tokens: behavior?.usage?.input ?? 12, output_tokens: behavior?.usage?.output ?? words(text).length}
    if (behavior?.usage?.cacheRead !== undefined) usage.cache_read_input_tokens = behavior.usage.cacheRead
    if (behavior?.usage?.cacheWrite !== undefined) usage.cache_creation_input_tokens = behavior.usage.cacheWrite
    const shell = callTool ? newShellCall(body.tools, 'messages') : null
    if (shell) state.shellCalls.push(shell)
    const toolUse = shell
      ? {type: 'tool_use', id: `toolu_01${randomBytes(8).toString('hex')}`, name: shell.tool, input: shell.input}
      : {type: 'tool_use', id: 'toolu_01Fake', name: body.tools?.[0]?.name, input: {query: lastUserText(body.messages)}}
    if (!body.stream) {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(
        JSON.stringify({
          id: 'msg_01Fake',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: callTool ? [toolUse] : [{type: 'text', text}],
          stop_reason: callTool ? 'tool_use' : 'end_turn',
          stop_sequence: null,
          usage,
        }),
      )
      return
    }
    const event = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify({type, ...(data as object)})}\n\n`
    if (behavior?.streamError) {
      const start = event('message_start', {message: {id: 'msg_01Fake', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: {...usage, output_tokens: 1}}})
      return chunked(res, [start, event('ping', {}), event('error', {error: behavior.streamError})], {chunkDelayMs: 20}, 0)
    }
    const content = callTool
      ? [
          event('content_block_start', {index: 0, content_block: {type: 'tool_use', id: toolUse.id, name: toolUse.name, input: {}}}),
          event('content_block_delta', {index: 0, delta: {type: 'input_json_delta', partial_json: JSON.stringify(toolUse.input).slice(0, 4)}}),
          event('content_block_delta', {index: 0, delta: {type: 'input_json_delta', partial_json: JSON.stringify(toolUse.input).slice(4)}}),
        ]
      : [
          event('content_block_start', {index: 0, content_block: {type: 'text', text: ''}}),
          ...words(text).map((w) => event('content_block_delta', {index: 0, delta: {type: 'text_delta', text: w}})),
        ]
    const frames = [
      event('message_start', {message: {id: 'msg_01Fake', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: {...usage, output_tokens: 1}}}),
      ...content,
      event('content_block_stop', {index: 0}),
      event('message_delta', {delta: {stop_reason: callTool ? 'tool_use' : 'end_turn', stop_sequence: null}, usage: {output_tokens: usage.output_tokens}}),
      event('message_stop', {}),
    ]
    await chunked(res, frames, behavior, content.length)
  }

  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => void handle(req, res, body))
    res.on('close', () => {
      if (!res.writableEnded) state.aborted++
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return state
}

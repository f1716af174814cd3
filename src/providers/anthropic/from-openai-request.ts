/**
 * OpenAI Chat Completions request -> Anthropic Messages request, for an OpenAI client routed to a
 * Claude model. Whatever Anthropic cannot express is listed in `dropped` instead of being sent.
 */
import {TokenHubError, validation} from '../../core/errors.js'
import {DroppedNotes, GATEWAY_FIELDS} from '../notes.js'
import {assistantFunctionCalls} from '../openai/assistant-tool-calls.js'
import {anthropicToolId, clampMaxTokens, firstNumber, isRecord, parseJsonObject} from '../util.js'
import type {OpenAIAssistantMessage, OpenAIChatRequest, OpenAIToolMessage} from '../openai/types.js'
import type {
  AnthropicContentBlock,
  AnthropicCustomTool,
  AnthropicMessageParam,
  AnthropicRequest,
  AnthropicTextBlock,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
} from './types.js'

export interface OpenAIToAnthropicOptions {
  /** The upstream model id. */
  model: string
  /** Anthropic requires max_tokens; used when the client sent none. */
  defaultMaxTokens: number
  /** The model's output limit, when known: max_tokens is clamped to it. */
  maxOutputTokens?: number | null
}

/** Request fields this translator maps; every other non-null field is reported as dropped. */
const MAPPED_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'stream',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'user',
  'safety_identifier',
])

export function openAIChatToAnthropic(
  body: OpenAIChatRequest,
  options: OpenAIToAnthropicOptions,
): {body: AnthropicRequest; dropped: string[]} {
  if (!isRecord(body) || !Array.isArray(body.messages)) throw validation('"messages" must be an array of messages')
  if (typeof body.n === 'number' && body.n > 1) {
    throw new TokenHubError('VALIDATION', `n=${body.n} is not supported for this model: Anthropic models return one choice per request`, {
      suggestion: 'Send n=1 (or omit n) and repeat the request for more choices',
      details: {field: 'n'},
    })
  }
  const dropped = new DroppedNotes()
  const {system, messages} = convertMessages(body.messages, dropped)

  const requested = firstNumber(body.max_completion_tokens, body.max_tokens) ?? options.defaultMaxTokens
  const out: AnthropicRequest = {model: options.model, messages, max_tokens: clampMaxTokens(requested, options.maxOutputTokens)}
  if (system !== undefined) out.system = system

  const temperature = firstNumber(body.temperature)
  if (temperature !== undefined) out.temperature = Math.min(1, Math.max(0, temperature))
  const topP = firstNumber(body.top_p)
  // Current Claude models reject temperature and top_p together; temperature is the one clients mean.
  if (topP !== undefined) {
    if (temperature === undefined) out.top_p = topP
    else dropped.add('top_p')
  }
  // Anthropic refuses empty and whitespace-only stop sequences ("\n" is a common OpenAI stop).
  const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s): s is string => typeof s === 'string') : []
  const stop = stops.filter((s) => s.trim() !== '')
  if (stop.length < stops.filter((s) => s !== '').length) dropped.add('stop (whitespace-only)')
  if (stop.length > 0) out.stop_sequences = stop
  if (typeof body.stream === 'boolean') out.stream = body.stream
  const user = typeof body.user === 'string' && body.user !== '' ? body.user : body.safety_identifier
  if (typeof user === 'string' && user !== '') out.metadata = {user_id: user}

  convertTools(body, out, dropped)

  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null || MAPPED_FIELDS.has(key) || GATEWAY_FIELDS.has(key)) continue
    dropped.add(key)
  }
  return {body: out, dropped: dropped.list()}
}

interface Turn {
  role: 'user' | 'assistant'
  content: AnthropicContentBlock[]
}

function convertMessages(
  input: unknown[],
  dropped: DroppedNotes,
): {system: string | AnthropicTextBlock[] | undefined; messages: AnthropicMessageParam[]} {
  const systemParts: unknown[] = []
  const turns: Turn[] = []
  // Anthropic requires alternating roles: consecutive same-role messages become one.
  const append = (role: Turn['role'], content: AnthropicContentBlock[]) => {
    if (content.length === 0) return
    const last = turns.at(-1)
    if (last?.role === role) last.content.push(...content)
    else turns.push({role, content})
  }

  // Calls that came without an id (Gemini's OpenAI API, LM Studio): Anthropic refuses an empty
  // one, so each gets one, and the tool results without an id take them in order.
  const unnamed: string[] = []
  input.forEach((message, i) => {
    if (!isRecord(message)) throw validation(`messages[${i}] must be an object`)
    if (typeof message.name === 'string' && message.role !== 'function') dropped.add('messages[].name')
    switch (message.role) {
      case 'system':
      case 'developer':
        systemParts.push(message.content)
        break
      case 'user':
        append('user', userBlocks(message.content, `messages[${i}]`, dropped))
        break
      case 'assistant':
        append('assistant', assistantBlocks(message as OpenAIAssistantMessage, i, dropped, unnamed))
        break
      case 'tool':
        append('user', [toolResult(message as OpenAIToolMessage, unnamed)])
        break
      case 'function':
        throw validation(`messages[${i}]: legacy "function" messages cannot be sent to Anthropic models; use tools and "tool" messages`)
      default:
        throw validation(`messages[${i}].role ${JSON.stringify(message.role)} is not supported`)
    }
  })

  const messages = turns.map((turn): AnthropicMessageParam => {
    // Anthropic wants a user turn's tool_result blocks before any other content.
    const content = turn.role === 'user' ? [...turn.content].sort((a, b) => toolResultFirst(a) - toolResultFirst(b)) : turn.content
    const only = content.length === 1 ? content[0] : undefined
    const plainText = only?.type === 'text' && Object.keys(only).length === 2
    return {role: turn.role, content: plainText ? (only as AnthropicTextBlock).text : content}
  })
  return {system: convertSystem(systemParts), messages}
}

const toolResultFirst = (block: AnthropicContentBlock): number => (block.type === 'tool_result' ? 0 : 1)

function convertSystem(parts: unknown[]): string | AnthropicTextBlock[] | undefined {
  if (parts.length === 0) return undefined
  if (parts.every((part) => typeof part === 'string')) {
    const text = (parts as string[]).filter((part) => part !== '').join('\n\n')
    return text === '' ? undefined : text
  }
  const blocks: AnthropicTextBlock[] = []
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part !== '') blocks.push({type: 'text', text: part})
    } else if (Array.isArray(part)) {
      for (const p of part) if (isRecord(p) && typeof p.text === 'string' && p.text !== '') blocks.push({type: 'text', text: p.text})
    }
  }
  return blocks.length > 0 ? blocks : undefined
}

/** Anthropic rejects empty and whitespace-only text blocks. */
const textBlock = (text: unknown): AnthropicTextBlock[] => (typeof text === 'string' && text.trim() !== '' ? [{type: 'text', text}] : [])

function userBlocks(content: unknown, where: string, dropped: DroppedNotes): AnthropicContentBlock[] {
  if (typeof content === 'string') return textBlock(content)
  if (!Array.isArray(content)) return []
  const blocks: AnthropicContentBlock[] = []
  content.forEach((part, j) => {
    const type = isRecord(part) ? part.type : undefined
    let converted: AnthropicContentBlock | undefined
    if (type === 'text') {
      blocks.push(...textBlock((part as {text?: unknown}).text))
      return
    }
    if (type === 'image_url') converted = imageBlock((part as {image_url?: unknown}).image_url)
    else if (type === 'file') converted = fileBlock((part as {file?: unknown}).file)
    if (converted) blocks.push(converted)
    else dropped.add(`${where}.content[${j}] (${typeof type === 'string' ? type : 'unknown'})`)
  })
  return blocks
}

interface DataUrl {
  mediaType: string
  data: string
}

export function parseDataUrl(url: string): DataUrl | undefined {
  const match = /^data:([\w.+-]+\/[\w.+-]+)(?:;[^;,]*)*;base64,/i.exec(url)
  return match ? {mediaType: match[1].toLowerCase(), data: url.slice(match[0].length)} : undefined
}

function imageBlock(imageUrl: unknown): AnthropicContentBlock | undefined {
  const url = typeof imageUrl === 'string' ? imageUrl : isRecord(imageUrl) && typeof imageUrl.url === 'string' ? imageUrl.url : undefined
  if (url === undefined) return undefined
  const inline = parseDataUrl(url)
  if (inline) return {type: 'image', source: {type: 'base64', media_type: inline.mediaType, data: inline.data}}
  if (/^https?:\/\//i.test(url)) return {type: 'image', source: {type: 'url', url}}
  return undefined
}

/** OpenAI `file` parts with inline PDF data become Anthropic documents; uploaded file ids cannot be resolved. */
function fileBlock(file: unknown): AnthropicContentBlock | undefined {
  if (!isRecord(file) || typeof file.file_data !== 'string') return undefined
  const inline = parseDataUrl(file.file_data)
  if (inline?.mediaType !== 'application/pdf') return undefined
  const block: AnthropicContentBlock = {type: 'document', source: {type: 'base64', media_type: inline.mediaType, data: inline.data}}
  if (typeof file.filename === 'string' && file.filename !== '') block.title = file.filename
  return block
}

function assistantBlocks(message: OpenAIAssistantMessage, i: number, dropped: DroppedNotes, unnamed: string[]): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = []
  const {content} = message
  if (typeof content === 'string') blocks.push(...textBlock(content))
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (!isRecord(part)) continue
      if (part.type === 'text') blocks.push(...textBlock(part.text))
      else if (part.type === 'refusal') blocks.push(...textBlock(part.refusal))
    }
  }
  if (blocks.length === 0 && typeof message.refusal === 'string') blocks.push(...textBlock(message.refusal))
  if (message.function_call) dropped.add(`messages[${i}].function_call`)
  for (const call of assistantFunctionCalls(message, i, dropped, unnamed, 'toolu')) {
    blocks.push({type: 'tool_use', id: anthropicToolId(call.id), name: call.name, input: parseToolArguments(call.arguments)})
  }
  return blocks
}

/** Tool-call arguments as Anthropic's object `input`. Malformed JSON is kept under `_raw`, never thrown. */
export function parseToolArguments(args: unknown): Record<string, unknown> {
  if (args === undefined || args === null || (typeof args === 'string' && args.trim() === '')) return {}
  return parseJsonObject(args) ?? {_raw: typeof args === 'string' ? args : JSON.stringify(args)}
}

function toolResult(message: OpenAIToolMessage, unnamed: string[]): AnthropicToolResultBlock {
  const {content} = message
  let result: AnthropicToolResultBlock['content']
  if (typeof content === 'string') result = content
  else if (Array.isArray(content)) {
    const texts = content.flatMap((part) => (isRecord(part) && part.type === 'text' ? textBlock(part.text) : []))
    result = texts.length > 0 ? texts : ''
  } else result = ''
  const id = typeof message.tool_call_id === 'string' && message.tool_call_id !== '' ? message.tool_call_id : (unnamed.shift() ?? '')
  return {type: 'tool_result', tool_use_id: anthropicToolId(id), content: result}
}

function convertTools(body: OpenAIChatRequest, out: AnthropicRequest, dropped: DroppedNotes): void {
  const tools: AnthropicCustomTool[] = []
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool, i) => {
      const fn = isRecord(tool) && tool.type === 'function' && isRecord(tool.function) ? tool.function : undefined
      if (!fn || typeof fn.name !== 'string') {
        dropped.add(`tools[${i}] (${isRecord(tool) ? String(tool.type) : 'invalid'})`)
        return
      }
      const converted: AnthropicCustomTool = {name: fn.name, input_schema: isRecord(fn.parameters) ? fn.parameters : {type: 'object', properties: {}}}
      if (typeof fn.description === 'string') converted.description = fn.description
      // Anthropic tool inputs are not schema-guaranteed: the client's strict mode cannot be honoured.
      if (fn.strict === true) dropped.add('tools[].function.strict')
      tools.push(converted)
    })
  }
  if (tools.length > 0) out.tools = tools

  let choice = toolChoice(body.tool_choice)
  if (choice && tools.length === 0) {
    // Anthropic refuses tool_choice without tools; "none" and "auto" mean nothing then anyway.
    if (choice.type !== 'none' && choice.type !== 'auto') dropped.add('tool_choice')
    choice = undefined
  } else if (choice === undefined && body.tool_choice !== undefined && body.tool_choice !== null) dropped.add('tool_choice')
  if (body.parallel_tool_calls === false && tools.length > 0 && choice?.type !== 'none') {
    choice = {...(choice ?? {type: 'auto'}), disable_parallel_tool_use: true} as AnthropicToolChoice
  }
  if (choice) out.tool_choice = choice
}

function toolChoice(choice: unknown): AnthropicToolChoice | undefined {
  if (choice === 'auto') return {type: 'auto'}
  if (choice === 'none') return {type: 'none'}
  if (choice === 'required') return {type: 'any'}
  if (isRecord(choice) && choice.type === 'function' && isRecord(choice.function) && typeof choice.function.name === 'string') {
    return {type: 'tool', name: choice.function.name}
  }
  return undefined
}

/**
 * OpenAI Chat Completions request -> OpenAI Responses request, for a Chat client (or an Anthropic
 * client, after the Anthropic -> Chat step) routed to an OpenAI model that only the Responses API
 * serves (gpt-5-codex, gpt-5-pro, o3-pro, codex-mini-latest...). The opposite of to-chat-request.ts.
 *
 * Nothing is stored upstream (`store: false`): a Chat client sends its whole conversation every
 * turn and never asks for a stored response. Whatever the Responses API cannot take is listed in
 * `dropped`; what cannot be answered as asked (`n` above 1) is refused with a 400.
 */
import {TokenHubError, validation} from '../../core/errors.js'
import {DroppedNotes, GATEWAY_FIELDS} from '../notes.js'
import {assistantFunctionCalls} from '../openai/assistant-tool-calls.js'
import {clampMaxTokens, firstNumber, isRecord} from '../util.js'
import type {OpenAIChatRequest} from '../openai/types.js'
import type {ResponsesFunctionTool, ResponsesInputContent, ResponsesInputItem, ResponsesRequest, ResponsesTextFormat, ResponsesToolChoice} from './types.js'

export interface ChatToResponsesRequestOptions {
  /** The upstream model id. */
  model: string
  /** The model's output limit, when known: the output limit is clamped to it. */
  maxOutputTokens?: number | null
  /**
   * An OpenAI reasoning model: its Responses API refuses `temperature` and `top_p` (any value),
   * so they are left out, and listed in `dropped` unless they were the default 1.
   */
  reasoningModel?: boolean
}

/** The Responses API refuses a max_output_tokens below this (400 "integer below minimum value"). */
export const MIN_OUTPUT_TOKENS = 16

/** Request fields this translator maps or refuses; every other non-null field is reported as dropped. */
const MAPPED_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stream',
  // Chat's way to ask for usage in a stream: a Responses stream always ends with it.
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning_effort',
  'response_format',
  'verbosity',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'service_tier',
  'metadata',
  'n',
])

/** Models that take only `reasoning.effort: "high"` (their default): gpt-5-pro (not the later x.y-pro models, which take more). */
const ONLY_HIGH_EFFORT = /^gpt-5-pro/

/** Set to these values the fields ask for what the translation does anyway: nothing to report. */
const DEFAULTS: Record<string, unknown> = {store: false, logprobs: false, presence_penalty: 0, frequency_penalty: 0}

export function chatRequestToResponses(body: OpenAIChatRequest, options: ChatToResponsesRequestOptions): {body: ResponsesRequest; dropped: string[]} {
  if (!isRecord(body) || !Array.isArray(body.messages)) throw validation('"messages" must be an array of messages')
  if (typeof body.n === 'number' && body.n > 1) {
    throw new TokenHubError('VALIDATION', `n=${body.n} is not supported for ${options.model}: the Responses API returns one answer per request`, {
      suggestion: 'Send n=1 (or omit n) and repeat the request for more choices',
      details: {field: 'n'},
    })
  }
  const dropped = new DroppedNotes()
  const {instructions, input} = convertMessages(body.messages, dropped)
  const out: ResponsesRequest = {model: options.model}
  if (instructions !== undefined) out.instructions = instructions
  out.input = input
  // TokenHub keeps no state for a Chat client, and leaves none upstream: OpenAI stores a response unless told not to.
  out.store = false

  const maxTokens = firstNumber(body.max_completion_tokens, body.max_tokens)
  if (maxTokens !== undefined) out.max_output_tokens = Math.max(MIN_OUTPUT_TOKENS, clampMaxTokens(maxTokens, options.maxOutputTokens))
  for (const field of ['temperature', 'top_p'] as const) {
    const value = firstNumber(body[field])
    if (value === undefined) continue
    if (!options.reasoningModel) out[field] = value
    else if (value !== 1) dropped.add(field)
  }
  if (typeof body.reasoning_effort === 'string') {
    // gpt-5-pro reasons only at high (any other effort is a 400); the client's choice is listed as dropped.
    if (ONLY_HIGH_EFFORT.test(options.model) && body.reasoning_effort !== 'high') dropped.add('reasoning_effort')
    else out.reasoning = {effort: body.reasoning_effort}
  }
  // prompt_cache_retention ('24h') keeps a long session's cached prefix: the Responses API takes it as is.
  if (typeof body.prompt_cache_retention === 'string') out.prompt_cache_retention = body.prompt_cache_retention
  if (body.stream === true) {
    out.stream = true
    const obfuscation = isRecord(body.stream_options) ? (body.stream_options as Record<string, unknown>).include_obfuscation : undefined
    if (typeof obfuscation === 'boolean') out.stream_options = {include_obfuscation: obfuscation}
  }
  for (const field of ['user', 'safety_identifier', 'prompt_cache_key', 'service_tier'] as const) {
    if (typeof body[field] === 'string' && body[field] !== '') out[field] = body[field]
  }
  if (isRecord(body.metadata) && Object.keys(body.metadata).length > 0) out.metadata = body.metadata as Record<string, string>

  convertTools(body, out, dropped)
  convertTextConfig(body, out, dropped)

  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null || MAPPED_FIELDS.has(key) || GATEWAY_FIELDS.has(key) || DEFAULTS[key] === value) continue
    if (key === 'modalities' && Array.isArray(value) && value.every((m) => m === 'text')) continue
    dropped.add(key)
  }
  return {body: out, dropped: dropped.list()}
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/**
 * The system (or developer) messages before the first other message become `instructions`; later
 * ones stay in place as developer messages. Assistant tool calls become function_call items after
 * the assistant's text, tool messages function_call_output items.
 */
function convertMessages(messages: unknown[], dropped: DroppedNotes): {instructions: string | undefined; input: ResponsesInputItem[]} {
  const leading: string[] = []
  const input: ResponsesInputItem[] = []
  // Calls that came without an id (Gemini's OpenAI API, LM Studio): the Responses API refuses an
  // empty call_id, so each gets one, and the tool results without an id take them in order.
  const unnamed: string[] = []
  messages.forEach((message, i) => {
    if (!isRecord(message)) throw validation(`messages[${i}] must be an object`)
    const where = `messages[${i}]`
    if (typeof message.name === 'string' && message.name !== '') dropped.add('messages[].name')
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = plainText(message.content, where, dropped)
        if (text === '') break
        if (input.length === 0) leading.push(text)
        else input.push({role: 'developer', content: text})
        break
      }
      case 'user':
        input.push({role: 'user', content: userContent(message.content, where, dropped)})
        break
      case 'assistant':
        input.push(...assistantItems(message, i, dropped, unnamed))
        break
      case 'tool': {
        const id = typeof message.tool_call_id === 'string' && message.tool_call_id !== '' ? message.tool_call_id : (unnamed.shift() ?? '')
        input.push({type: 'function_call_output', call_id: id, output: plainText(message.content, where, dropped)})
        break
      }
      case 'function':
        throw validation(`${where}: legacy "function" messages cannot be sent to this model (it speaks only the Responses API); use tools and "tool" messages`)
      default:
        throw validation(`${where}.role ${JSON.stringify(message.role)} is not supported`)
    }
  })
  return {instructions: leading.length > 0 ? leading.join('\n\n') : undefined, input}
}

const partType = (part: unknown): string => (isRecord(part) && typeof part.type === 'string' ? part.type : 'unknown')

/** Text of system and tool content: a string, or text parts (others are listed as dropped). */
function plainText(content: unknown, where: string, dropped: DroppedNotes): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  content.forEach((part, j) => {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') text += part.text
    else dropped.add(`${where}.content[${j}] (${partType(part)})`)
  })
  return text
}

function userContent(content: unknown, where: string, dropped: DroppedNotes): string | ResponsesInputContent[] {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const parts: ResponsesInputContent[] = []
  content.forEach((part, j) => {
    const converted = userPart(part)
    if (converted) parts.push(converted)
    else dropped.add(`${where}.content[${j}] (${partType(part)})`)
  })
  return parts
}

function userPart(part: unknown): ResponsesInputContent | undefined {
  if (!isRecord(part)) return undefined
  if (part.type === 'text' && typeof part.text === 'string') return {type: 'input_text', text: part.text}
  if (part.type === 'image_url') {
    const image = part.image_url
    const url = typeof image === 'string' ? image : isRecord(image) && typeof image.url === 'string' ? image.url : undefined
    if (url === undefined || url === '') return undefined
    const detail = isRecord(image) && (image.detail === 'low' || image.detail === 'high') ? image.detail : 'auto'
    return {type: 'input_image', image_url: url, detail}
  }
  if (part.type === 'file' && isRecord(part.file)) {
    const {file} = part
    const out: ResponsesInputContent = {type: 'input_file'}
    if (typeof file.file_data === 'string' && file.file_data !== '') out.file_data = file.file_data
    else if (typeof file.file_id === 'string' && file.file_id !== '') out.file_id = file.file_id
    else return undefined
    if (typeof file.filename === 'string' && file.filename !== '') out.filename = file.filename
    return out
  }
  // input_audio: the Responses API takes no audio input.
  return undefined
}

function assistantItems(message: Record<string, unknown>, i: number, dropped: DroppedNotes, unnamed: string[]): ResponsesInputItem[] {
  const items: ResponsesInputItem[] = []
  let text = ''
  const {content} = message
  if (typeof content === 'string') text = content
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') text += part.text
      else if (isRecord(part) && part.type === 'refusal' && typeof part.refusal === 'string') text += part.refusal
    }
  }
  if (text === '' && typeof message.refusal === 'string') text = message.refusal
  if (text !== '') items.push({role: 'assistant', content: text})
  // An earlier answer's reasoning text (DeepSeek-style) means nothing to an OpenAI model, which keeps its own.
  if (typeof message.reasoning_content === 'string' || typeof message.reasoning === 'string') dropped.add('messages[].reasoning_content')
  if (message.function_call) dropped.add(`messages[${i}].function_call`)
  if (message.audio !== undefined && message.audio !== null) dropped.add(`messages[${i}].audio`)
  for (const call of assistantFunctionCalls(message, i, dropped, unnamed, 'call')) {
    const args = typeof call.arguments === 'string' ? call.arguments : call.arguments === undefined || call.arguments === null ? '{}' : JSON.stringify(call.arguments)
    items.push({type: 'function_call', call_id: call.id, name: call.name, arguments: args})
  }
  return items
}

// ---------------------------------------------------------------------------------------------
// Tools, tool_choice, text format
// ---------------------------------------------------------------------------------------------

/**
 * Chat's nested function tools as the Responses API's flat ones. `strict` is always sent: the
 * Responses API makes a function strict when it is left out (Chat does not), and a strict
 * function's schema must meet rules most clients' schemas (Claude Code's) do not.
 */
function convertTools(body: OpenAIChatRequest, out: ResponsesRequest, dropped: DroppedNotes): void {
  const tools: ResponsesFunctionTool[] = []
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool, i) => {
      const fn = isRecord(tool) && tool.type === 'function' && isRecord(tool.function) ? tool.function : undefined
      if (!fn || typeof fn.name !== 'string' || fn.name === '') {
        dropped.add(`tools[${i}] (${isRecord(tool) ? String(tool.type) : 'invalid'})`)
        return
      }
      const converted: ResponsesFunctionTool = {type: 'function', name: fn.name}
      if (typeof fn.description === 'string') converted.description = fn.description
      converted.parameters = isRecord(fn.parameters) ? fn.parameters : {type: 'object', properties: {}}
      converted.strict = fn.strict === true
      tools.push(converted)
    })
  }
  if (Array.isArray(body.functions) && body.functions.length > 0) dropped.add('functions')
  if (body.function_call !== undefined && body.function_call !== null) dropped.add('function_call')

  const choice = toolChoice(body.tool_choice)
  if (choice === undefined && body.tool_choice !== undefined && body.tool_choice !== null) dropped.add('tool_choice')
  if (tools.length === 0) {
    // Without tools a forced choice means nothing ("none" and "auto" nothing lost).
    if (choice !== undefined && choice !== 'none' && choice !== 'auto') dropped.add('tool_choice')
    return
  }
  out.tools = tools
  if (choice !== undefined) out.tool_choice = choice
  if (typeof body.parallel_tool_calls === 'boolean') out.parallel_tool_calls = body.parallel_tool_calls
}

function toolChoice(choice: unknown): ResponsesToolChoice | undefined {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice
  if (!isRecord(choice)) return undefined
  if (choice.type === 'function' && isRecord(choice.function) && typeof choice.function.name === 'string') return {type: 'function', name: choice.function.name}
  // Chat's {type: allowed_tools, allowed_tools: {mode, tools: [{type: function, function: {name}}]}}.
  if (choice.type === 'allowed_tools' && isRecord(choice.allowed_tools)) {
    const {mode, tools} = choice.allowed_tools
    const names = (Array.isArray(tools) ? tools : []).flatMap((t) => (isRecord(t) && t.type === 'function' && isRecord(t.function) && typeof t.function.name === 'string' ? [t.function.name] : []))
    return {type: 'allowed_tools', mode: mode === 'required' ? 'required' : 'auto', tools: names.map((name) => ({type: 'function', name}))}
  }
  return undefined
}

/** response_format -> text.format, verbosity -> text.verbosity. */
function convertTextConfig(body: OpenAIChatRequest, out: ResponsesRequest, dropped: DroppedNotes): void {
  let format: ResponsesTextFormat | undefined
  const requested = body.response_format
  if (isRecord(requested) && requested.type !== 'text') {
    if (requested.type === 'json_object') format = {type: 'json_object'}
    else if (requested.type === 'json_schema' && isRecord(requested.json_schema)) {
      const schema = requested.json_schema
      const json: ResponsesTextFormat & {type: 'json_schema'} = {type: 'json_schema', name: typeof schema.name === 'string' ? schema.name : 'response', schema: isRecord(schema.schema) ? schema.schema : {}}
      if (typeof schema.description === 'string') json.description = schema.description
      if (typeof schema.strict === 'boolean') json.strict = schema.strict
      format = json
    } else dropped.add('response_format')
  }
  const verbosity = body.verbosity === 'low' || body.verbosity === 'medium' || body.verbosity === 'high' ? body.verbosity : undefined
  if (body.verbosity !== undefined && body.verbosity !== null && verbosity === undefined) dropped.add('verbosity')
  if (format || verbosity) out.text = {...(format && {format}), ...(verbosity && {verbosity})}
}

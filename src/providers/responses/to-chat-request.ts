/**
 * OpenAI Responses request -> OpenAI Chat Completions request, for a Responses client (Codex, the
 * newer SDKs) routed to an upstream without the Responses API: a vLLM-type server directly, or an
 * Anthropic model through the existing Chat -> Messages translator. OpenAI upstreams get the
 * Responses body untouched and never come here.
 *
 * Whatever Chat Completions cannot express is listed in `dropped`. What cannot be dropped without
 * changing the answer (stored state, a forced OpenAI-hosted tool, uploaded file ids) is refused with a 400.
 */
import {createHash} from 'node:crypto'
import {TokenHubError, validation} from '../../core/errors.js'
import {DroppedNotes, GATEWAY_FIELDS} from '../notes.js'
import {copySampling} from '../openai/chat-request.js'
import {clampMaxTokens, firstNumber, isRecord} from '../util.js'
import type {
  OpenAIAssistantMessage,
  OpenAIChatRequest,
  OpenAIFunctionTool,
  OpenAIMessage,
  OpenAITextPart,
  OpenAIToolChoice,
  OpenAIUserContentPart,
} from '../openai/types.js'
import type {ResponsesRequest} from './types.js'

export interface ResponsesToChatOptions {
  /** The upstream model id. */
  model: string
  /** The model's output limit, when known: max_output_tokens is clamped to it. */
  maxOutputTokens?: number | null
  /**
   * Images in tool outputs (a screenshot tool) go on, after the tool messages: for Claude, which
   * reads them. Other servers' models are often text-only and would refuse the whole request, so
   * for them they are left out (listed in dropped) as before.
   */
  toolOutputImages?: boolean
}

/** Request fields this translator maps or refuses; every other non-null field is reported as dropped. */
const MAPPED_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'text',
  'temperature',
  'top_p',
  'stream',
  'user',
  'safety_identifier',
  'previous_response_id',
  'conversation',
  'prompt',
])

/** Set to these values the fields ask for what the translation does anyway: nothing to report. */
const DEFAULTS: Record<string, unknown> = {store: false, background: false, truncation: 'disabled'}

const NO_STORAGE_HINT = 'Send the whole conversation in "input" (the Codex CLI and the SDKs do this when store is false)'

/**
 * Chat has no tool namespaces: a namespace's functions go upstream as `<namespace>__<name>` (or
 * `<namespace><name>` when the namespace ends in _ or -, as MCP's `mcp__server__` does). This
 * maps each such made-up name back to the namespace and name the client knows.
 */
export type ToolNameMap = Map<string, {namespace: string; name: string}>

/** The Chat function name standing for `name` inside `namespace` (at most 64 characters, as OpenAI allows). */
export function flatToolName(namespace: string, name: string): string {
  const flat = `${namespace}${/[_-]$/.test(namespace) ? '' : '__'}${name}`.replace(/[^a-zA-Z0-9_-]/g, '_')
  if (flat.length <= 64) return flat
  return `${flat.slice(0, 55)}_${createHash('sha256').update(flat).digest('hex').slice(0, 8)}`
}

export function responsesToChat(body: ResponsesRequest, options: ResponsesToChatOptions): {body: OpenAIChatRequest; dropped: string[]; toolNames: ToolNameMap} {
  if (!isRecord(body)) throw validation('The request body must be a JSON object')
  refuseStoredState(body)
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) throw validation('"input" must be a string or an array of input items')

  const dropped = new DroppedNotes()
  const messages: OpenAIMessage[] = []
  if (typeof body.instructions === 'string' && body.instructions !== '') messages.push({role: 'system', content: body.instructions})
  if (typeof body.input === 'string') messages.push({role: 'user', content: body.input})
  else convertItems(body.input, messages, dropped, options.toolOutputImages === true)

  const out: OpenAIChatRequest = {model: options.model, messages}
  const maxTokens = firstNumber(body.max_output_tokens)
  if (maxTokens !== undefined) out.max_tokens = clampMaxTokens(maxTokens, options.maxOutputTokens)
  copySampling(body, out)
  const user = typeof body.user === 'string' && body.user !== '' ? body.user : body.safety_identifier
  if (typeof user === 'string' && user !== '') out.user = user
  const toolNames = convertTools(body, out, dropped)
  convertTextFormat(body.text, out, dropped)

  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null || MAPPED_FIELDS.has(key) || GATEWAY_FIELDS.has(key) || DEFAULTS[key] === value || isEmpty(value)) continue
    dropped.add(key)
  }
  return {body: out, dropped: dropped.list(), toolNames}
}

/** `include: []`, `metadata: {}`: nothing asked for, nothing to report. */
const isEmpty = (value: unknown): boolean => (Array.isArray(value) ? value.length === 0 : isRecord(value) && Object.keys(value).length === 0)

/** A request that leans on state OpenAI keeps is refused: answering it without that state would be wrong. */
function refuseStoredState(body: ResponsesRequest): void {
  const present = (value: unknown) => value !== undefined && value !== null && value !== ''
  if (present(body.previous_response_id)) {
    throw new TokenHubError('VALIDATION', 'previous_response_id is not supported: TokenHub does not store responses; send the full input', {
      suggestion: NO_STORAGE_HINT,
      details: {field: 'previous_response_id'},
    })
  }
  if (present(body.conversation)) {
    throw new TokenHubError('VALIDATION', 'conversation is not supported: TokenHub does not store conversations; send the full input', {
      suggestion: NO_STORAGE_HINT,
      details: {field: 'conversation'},
    })
  }
  if (present(body.prompt)) {
    throw new TokenHubError('VALIDATION', 'prompt (a stored prompt template) is not supported for this model: its upstream cannot read prompts stored at OpenAI', {
      suggestion: 'Send the prompt text as "instructions" and "input"',
      details: {field: 'prompt'},
    })
  }
  if (body.background === true) {
    throw new TokenHubError('VALIDATION', 'background is not supported: TokenHub does not store responses to poll later', {
      suggestion: 'Send the request without background, streamed if it runs long',
      details: {field: 'background'},
    })
  }
}

// ---------------------------------------------------------------------------------------------
// Input items
// ---------------------------------------------------------------------------------------------

function convertItems(items: unknown[], messages: OpenAIMessage[], dropped: DroppedNotes, keepImages: boolean): void {
  // Images in tool outputs (a screenshot tool): Chat tool messages carry text only, so they follow the
  // run of tool messages in a user message, as an Anthropic tool_result's images do the other way.
  let images: OpenAIUserContentPart[] = []
  const flushImages = () => {
    if (images.length > 0) messages.push({role: 'user', content: images})
    images = []
  }
  const output = (item: Record<string, unknown>, i: number) => {
    const {text, images: more} = toolOutput(item.output, `input[${i}].output`, dropped, keepImages)
    messages.push({role: 'tool', tool_call_id: String(item.call_id ?? ''), content: text})
    images.push(...more)
  }
  items.forEach((item, i) => {
    if (!isRecord(item)) throw validation(`input[${i}] must be an object`)
    const type = item.type ?? (item.role !== undefined ? 'message' : 'item_reference')
    if (type !== 'function_call_output' && type !== 'custom_tool_call_output') flushImages()
    switch (type) {
      case 'message':
        messages.push(...convertMessage(item, `input[${i}]`, dropped))
        break
      case 'function_call':
        appendToolCall(messages, item, i)
        break
      case 'function_call_output':
        output(item, i)
        break
      case 'reasoning':
        // Encrypted or summarised reasoning of an OpenAI model means nothing to another model.
        dropped.add('input[] (reasoning)')
        break
      case 'custom_tool_call':
        // A freeform tool's call (gpt-5's apply_patch in Codex) from an earlier turn: its raw text as the call's one argument.
        appendToolCall(messages, {call_id: item.call_id, name: item.name, arguments: JSON.stringify({input: typeof item.input === 'string' ? item.input : ''})}, i)
        break
      case 'custom_tool_call_output':
        output(item, i)
        break
      case 'item_reference':
        throw new TokenHubError('VALIDATION', `input[${i}] is an item_reference: TokenHub does not store responses; send the full item`, {
          suggestion: NO_STORAGE_HINT,
          details: {field: `input[${i}]`},
        })
      default:
        // What a tool OpenAI ran (a web search, say) did in an earlier turn: the answer after it says what came of it.
        if (typeof type === 'string' && HOSTED_TOOL_ITEMS.has(type)) {
          dropped.add(`input[] (${type})`)
          break
        }
        throw new TokenHubError(
          'VALIDATION',
          `input[${i}] is a ${JSON.stringify(type)} item: this model's upstream cannot honour it (messages, function and custom tool calls and their outputs are translated for non-OpenAI upstreams; hosted tools' calls are left out)`,
          {suggestion: 'Route the request to an OpenAI model', details: {field: `input[${i}]`, item_type: type}},
        )
    }
  })
  flushImages()
}

function convertMessage(item: Record<string, unknown>, where: string, dropped: DroppedNotes): OpenAIMessage[] {
  if (item.phase !== undefined && item.phase !== null) dropped.add('input[].phase')
  switch (item.role) {
    case 'system':
    case 'developer': {
      // `system` is what every OpenAI-compatible server knows; `developer` is OpenAI's newer name for it.
      const content = textContent(item.content, where, dropped)
      return content === '' || (Array.isArray(content) && content.length === 0) ? [] : [{role: 'system', content}]
    }
    case 'user':
      return [{role: 'user', content: userContent(item.content, where, dropped)}]
    case 'assistant':
      return [assistantMessage(item.content, where, dropped)]
    default:
      throw validation(`${where}.role ${JSON.stringify(item.role)} is not supported`)
  }
}

/** System content: text only. One text part reads as a plain string. */
function textContent(content: unknown, where: string, dropped: DroppedNotes): string | OpenAITextPart[] {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const parts: OpenAITextPart[] = []
  content.forEach((part, j) => {
    const text = partText(part)
    if (text !== undefined) parts.push({type: 'text', text})
    else dropped.add(`${where}.content[${j}] (${partType(part)})`)
  })
  return parts.length === 1 ? parts[0].text : parts
}

const partType = (part: unknown): string => (isRecord(part) && typeof part.type === 'string' ? part.type : 'unknown')

/** The text of an input_text / output_text part (clients resend earlier answers as either). */
function partText(part: unknown): string | undefined {
  if (!isRecord(part) || typeof part.text !== 'string') return undefined
  return part.type === 'input_text' || part.type === 'output_text' || part.type === 'text' ? part.text : undefined
}

function userContent(content: unknown, where: string, dropped: DroppedNotes): string | OpenAIUserContentPart[] {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const parts: OpenAIUserContentPart[] = []
  content.forEach((part, j) => {
    const converted = userPart(part, `${where}.content[${j}]`)
    if (converted) parts.push(converted)
    else dropped.add(`${where}.content[${j}] (${partType(part)})`)
  })
  const only = parts.length === 1 ? parts[0] : undefined
  return only?.type === 'text' ? only.text : parts
}

function userPart(part: unknown, where: string): OpenAIUserContentPart | undefined {
  if (!isRecord(part)) return undefined
  const text = partText(part)
  if (text !== undefined) return {type: 'text', text}
  if (part.type === 'input_image') {
    if (typeof part.image_url === 'string' && part.image_url !== '') {
      const detail = part.detail === 'low' || part.detail === 'high' || part.detail === 'auto' ? part.detail : undefined
      return {type: 'image_url', image_url: detail ? {url: part.image_url, detail} : {url: part.image_url}}
    }
    if (typeof part.file_id === 'string' && part.file_id !== '') throw unresolvableFile(where, 'input_image', 'file_id')
    return undefined
  }
  if (part.type === 'input_file') {
    if (typeof part.file_data === 'string' && part.file_data !== '') {
      const file: {file_data: string; filename?: string} = {file_data: part.file_data}
      if (typeof part.filename === 'string' && part.filename !== '') file.filename = part.filename
      return {type: 'file', file}
    }
    if (typeof part.file_id === 'string' && part.file_id !== '') throw unresolvableFile(where, 'input_file', 'file_id')
    if (typeof part.file_url === 'string' && part.file_url !== '') throw unresolvableFile(where, 'input_file', 'file_url')
    return undefined
  }
  if (part.type === 'input_audio' && isRecord(part.input_audio)) {
    return {type: 'input_audio', input_audio: {data: String(part.input_audio.data ?? ''), format: String(part.input_audio.format ?? '')}}
  }
  return undefined
}

/** An input the model would silently never see: a 400 instead of an answer about a missing file. */
function unresolvableFile(where: string, type: string, field: string): TokenHubError {
  return new TokenHubError('VALIDATION', `${where} is an ${type} given by ${field}: this model's upstream cannot fetch OpenAI files or remote files`, {
    suggestion: type === 'input_image' ? 'Send the image as image_url (an https URL or a data: URL)' : 'Send the file inline as file_data (a base64 data: URL)',
    details: {field: `${where}.${field}`},
  })
}

function assistantMessage(content: unknown, where: string, dropped: DroppedNotes): OpenAIAssistantMessage {
  if (typeof content === 'string') return {role: 'assistant', content}
  let text = ''
  let refusal = ''
  if (Array.isArray(content)) {
    content.forEach((part, j) => {
      const partTextValue = partText(part)
      if (partTextValue !== undefined) text += partTextValue
      else if (isRecord(part) && part.type === 'refusal' && typeof part.refusal === 'string') refusal += part.refusal
      else dropped.add(`${where}.content[${j}] (${partType(part)})`)
    })
  }
  const message: OpenAIAssistantMessage = {role: 'assistant', content: text === '' && refusal !== '' ? null : text}
  if (refusal !== '') message.refusal = refusal
  return message
}

/**
 * A function_call item joins the assistant message right before it (the text the model wrote
 * before calling, or the previous call of the same turn): Chat Completions carries one assistant
 * turn as one message with `tool_calls`.
 */
function appendToolCall(messages: OpenAIMessage[], item: Record<string, unknown>, i: number): void {
  if (typeof item.name !== 'string' || item.name === '') throw validation(`input[${i}].name must be the name of the function called`)
  const args = typeof item.arguments === 'string' ? item.arguments : item.arguments === undefined || item.arguments === null ? '{}' : JSON.stringify(item.arguments)
  const name = typeof item.namespace === 'string' && item.namespace !== '' ? flatToolName(item.namespace, item.name) : item.name
  const call = {id: String(item.call_id ?? ''), type: 'function' as const, function: {name, arguments: args}}
  const last = messages.at(-1)
  if (last?.role === 'assistant') {
    last.tool_calls = [...(last.tool_calls ?? []), call]
    // Chat Completions wants null, not '', for an assistant turn that only calls tools.
    if (last.content === '') last.content = null
  } else messages.push({role: 'assistant', content: null, tool_calls: [call]})
}

/** A function's output as tool-message text, and its images (Chat tool messages carry text only). */
function toolOutput(output: unknown, where: string, dropped: DroppedNotes, keepImages: boolean): {text: string; images: OpenAIUserContentPart[]} {
  const images: OpenAIUserContentPart[] = []
  if (typeof output === 'string') return {text: output, images}
  if (output === undefined || output === null) return {text: '', images}
  if (!Array.isArray(output)) return {text: JSON.stringify(output), images}
  let text = ''
  output.forEach((part, j) => {
    const partTextValue = partText(part)
    // Only an image given inline or by URL: one by file_id cannot be fetched, and a tool's output is no reason to refuse the request.
    const image = keepImages && partTextValue === undefined && partType(part) === 'input_image' && isRecord(part) && typeof part.image_url === 'string' && part.image_url !== '' ? userPart(part, `${where}[${j}]`) : undefined
    if (partTextValue !== undefined) text += partTextValue
    else if (image) images.push(image)
    else dropped.add(`${where}[${j}] (${partType(part)})`)
  })
  return {text, images}
}

// ---------------------------------------------------------------------------------------------
// Tools, tool_choice, text format
// ---------------------------------------------------------------------------------------------

/** Function-tool fields with a Chat Completions place; others are reported when set. */
const FUNCTION_TOOL_FIELDS = new Set(['type', 'name', 'description', 'parameters', 'strict'])

function refusedTool(where: string, type: unknown, forced = false): TokenHubError {
  const name = typeof type === 'string' ? type : 'unknown'
  return new TokenHubError(
    'VALIDATION',
    `${where} ${forced ? 'forces' : 'is'} a ${JSON.stringify(name)} tool: this model's upstream cannot honour it (only function and namespace tools are translated for non-OpenAI upstreams)`,
    {suggestion: 'Route the request to an OpenAI model, or send function tools only', details: {field: where, tool_type: name}},
  )
}

/**
 * Tools OpenAI runs on its side. Offered but not forced, they are left out for other upstreams
 * (the model answers without searching); tools the client runs itself (custom, local_shell,
 * computer use, ...) are refused instead, since the client would wait for calls that never come.
 */
/** History items of tools OpenAI ran itself: left out for other upstreams (listed in dropped). */
const HOSTED_TOOL_ITEMS = new Set(['web_search_call', 'file_search_call', 'code_interpreter_call', 'image_generation_call', 'mcp_list_tools', 'mcp_call', 'mcp_approval_request', 'mcp_approval_response'])

const HOSTED_TOOLS = new Set(['web_search', 'web_search_preview', 'web_search_preview_2025_03_11', 'web_search_2025_08_26', 'file_search', 'code_interpreter', 'image_generation', 'mcp'])

function functionTool(tool: Record<string, unknown>, where: string, dropped: DroppedNotes): OpenAIFunctionTool {
  if (typeof tool.name !== 'string' || tool.name === '') throw validation(`${where}.name must be a function name`)
  const fn: OpenAIFunctionTool['function'] = {name: tool.name}
  if (typeof tool.description === 'string') fn.description = tool.description
  if (isRecord(tool.parameters)) fn.parameters = tool.parameters
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict
  for (const [key, value] of Object.entries(tool)) {
    if (value !== undefined && value !== null && value !== false && !FUNCTION_TOOL_FIELDS.has(key)) dropped.add(`tools[].${key}`)
  }
  return {type: 'function', function: fn}
}

/** The function a tool_choice entry names, as its Chat name. */
const chosenName = (choice: Record<string, unknown>): string | undefined =>
  typeof choice.name !== 'string' ? undefined : typeof choice.namespace === 'string' && choice.namespace !== '' ? flatToolName(choice.namespace, choice.name) : choice.name

/**
 * Function tools map one to one; a namespace's functions are flattened (see ToolNameMap). Hosted
 * tools have no Chat equivalent: one the model may use is left out and listed in `dropped`
 * (Codex always offers web_search), one that tool_choice forces is refused with a 400, and so is
 * any tool the client runs itself that is not a function.
 */
function convertTools(body: ResponsesRequest, out: OpenAIChatRequest, dropped: DroppedNotes): ToolNameMap {
  const names: ToolNameMap = new Map()
  let tools: OpenAIFunctionTool[] = []
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool, i) => {
      if (!isRecord(tool)) throw validation(`tools[${i}] must be an object`)
      if (tool.type === 'function') tools.push(functionTool(tool, `tools[${i}]`, dropped))
      else if (tool.type === 'namespace') {
        if (typeof tool.name !== 'string' || tool.name === '') throw validation(`tools[${i}].name must be the namespace's name`)
        const namespace = tool.name
        ;(Array.isArray(tool.tools) ? tool.tools : []).forEach((inner, j) => {
          if (!isRecord(inner) || inner.type !== 'function') {
            dropped.add(`tools[${i}].tools[${j}] (${partType(inner)})`)
            return
          }
          const fn = functionTool(inner, `tools[${i}].tools[${j}]`, dropped)
          const flat = flatToolName(namespace, fn.function.name)
          names.set(flat, {namespace, name: fn.function.name})
          tools.push({type: 'function', function: {...fn.function, name: flat}})
        })
      } else if (typeof tool.type === 'string' && HOSTED_TOOLS.has(tool.type)) dropped.add(`tools[${i}] (${tool.type})`)
      else throw refusedTool(`tools[${i}]`, tool.type)
    })
  }

  const choice = body.tool_choice
  let chatChoice: OpenAIToolChoice | undefined
  if (choice === 'auto' || choice === 'none' || choice === 'required') chatChoice = choice
  else if (isRecord(choice)) {
    const name = chosenName(choice)
    if (choice.type === 'function' && name !== undefined) chatChoice = {type: 'function', function: {name}}
    else if (choice.type === 'allowed_tools') {
      // Chat Completions has no allowed-tools list everywhere: offer only the allowed functions instead.
      const allowed = new Set((Array.isArray(choice.tools) ? choice.tools : []).flatMap((t) => (isRecord(t) && t.type === 'function' && chosenName(t) !== undefined ? [chosenName(t)!] : [])))
      tools = tools.filter((tool) => allowed.has(tool.function.name))
      chatChoice = choice.mode === 'required' ? 'required' : 'auto'
    } else throw refusedTool('tool_choice', choice.type, true)
  } else if (choice !== undefined && choice !== null) dropped.add('tool_choice')

  if (tools.length > 0) out.tools = tools
  if (chatChoice !== undefined) {
    // Without tools servers may reject any tool_choice, and "none"/"auto" mean nothing then anyway.
    if (tools.length > 0) out.tool_choice = chatChoice
    else if (chatChoice !== 'none' && chatChoice !== 'auto') dropped.add('tool_choice')
  }
  if (typeof body.parallel_tool_calls === 'boolean' && tools.length > 0) out.parallel_tool_calls = body.parallel_tool_calls
  return names
}

function convertTextFormat(text: unknown, out: OpenAIChatRequest, dropped: DroppedNotes): void {
  if (!isRecord(text)) return
  for (const [key, value] of Object.entries(text)) if (key !== 'format' && value !== undefined && value !== null) dropped.add(`text.${key}`)
  const format = text.format
  if (!isRecord(format) || format.type === 'text') return
  if (format.type === 'json_object') out.response_format = {type: 'json_object'}
  else if (format.type === 'json_schema') {
    const schema: Record<string, unknown> = {name: typeof format.name === 'string' ? format.name : 'response'}
    if (typeof format.description === 'string') schema.description = format.description
    if (isRecord(format.schema)) schema.schema = format.schema
    if (typeof format.strict === 'boolean') schema.strict = format.strict
    out.response_format = {type: 'json_schema', json_schema: schema}
  } else dropped.add('text.format')
}

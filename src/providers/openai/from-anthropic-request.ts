/**
 * Anthropic Messages request -> OpenAI Chat Completions request, for an Anthropic client (Claude
 * Code, the Anthropic SDK) routed to an OpenAI-type model. Whatever Chat Completions cannot
 * express is listed in `dropped` instead of being sent.
 */
import {validation} from '../../core/errors.js'
import {DroppedNotes, GATEWAY_FIELDS} from '../notes.js'
import {copySampling} from './chat-request.js'
import {clampMaxTokens, firstNumber, isRecord} from '../util.js'
import type {AnthropicRequest} from '../anthropic/types.js'
import type {
  OpenAIChatRequest,
  OpenAIFunctionTool,
  OpenAIFilePart,
  OpenAIImagePart,
  OpenAITextPart,
  OpenAIMessage,
  OpenAIToolCall,
  OpenAIToolChoice,
  OpenAIUserContentPart,
} from './types.js'

export interface AnthropicToOpenAIOptions {
  /** The upstream model id. */
  model: string
  /** The model's output limit, when known: max_tokens is clamped to it. */
  maxOutputTokens?: number | null
  /**
   * Where the output limit goes. OpenAI's reasoning models (o-series, gpt-5) refuse `max_tokens`
   * and want `max_completion_tokens`; most OpenAI-compatible servers take `max_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens'
  /**
   * The model takes `reasoning_effort` (OpenAI's reasoning models): extended thinking is sent as
   * an effort by its budget. Other servers are not sent the field (some refuse unknown ones).
   */
  reasoningEffort?: boolean
  /**
   * The model takes only the default sampling and no stop sequences (OpenAI's reasoning models
   * answer a 400 otherwise): temperature and top_p other than 1, and stop_sequences, are left
   * out and listed in `dropped`.
   */
  defaultSamplingOnly?: boolean
  /** At most this many stop sequences go up (OpenAI's API takes 4; Anthropic's many more): the first ones, the rest listed in `dropped`. */
  maxStopSequences?: number
  /**
   * The upstream reads PDFs given as `file` content parts (OpenAI's own API, Chat Completions and
   * Responses): a base64 PDF document goes as one. Other OpenAI-compatible servers would refuse
   * the part, so it is left out and listed for them.
   */
  pdfFiles?: boolean
}

/** An extended-thinking budget as an OpenAI reasoning effort (Claude Code: 4k think, 10k megathink, 32k ultrathink). */
export function effortForBudget(budget: number): 'low' | 'medium' | 'high' {
  return budget < 8192 ? 'low' : budget < 24576 ? 'medium' : 'high'
}

const MAPPED_FIELDS = new Set(['model', 'messages', 'system', 'max_tokens', 'stop_sequences', 'temperature', 'top_p', 'stream', 'tools', 'tool_choice', 'metadata'])

export function anthropicToOpenAIChat(
  body: AnthropicRequest,
  options: AnthropicToOpenAIOptions,
): {body: OpenAIChatRequest; dropped: string[]} {
  if (!isRecord(body) || !Array.isArray(body.messages)) throw validation('"messages" must be an array of messages')
  const dropped = new DroppedNotes()
  const messages: OpenAIMessage[] = []
  const system = systemText(body.system, dropped)
  if (system !== '') messages.push({role: 'system', content: system})
  body.messages.forEach((message, i) => {
    if (!isRecord(message)) throw validation(`messages[${i}] must be an object`)
    if (message.role === 'user') messages.push(...userMessages(message.content, i, dropped, options.pdfFiles === true))
    else if (message.role === 'assistant') {
      const converted = assistantMessage(message.content, i, dropped)
      if (converted) messages.push(converted)
    } else if (message.role === 'system') {
      // Newer clients (Claude Code) put system turns inside `messages`; Chat keeps them in place.
      const text = systemText(message.content, dropped)
      if (text !== '') messages.push({role: 'system', content: text})
    } else throw validation(`messages[${i}].role ${JSON.stringify(message.role)} is not supported`)
  })

  const out: OpenAIChatRequest = {model: options.model, messages}
  const maxTokens = firstNumber(body.max_tokens)
  if (maxTokens !== undefined) out[options.maxTokensField ?? 'max_tokens'] = clampMaxTokens(maxTokens, options.maxOutputTokens)
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) {
    const limit = options.maxStopSequences ?? Number.POSITIVE_INFINITY
    out.stop = body.stop_sequences.slice(0, limit)
    if (body.stop_sequences.length > limit) dropped.add(`stop_sequences[${limit}..]`)
  }
  copySampling(body, out)
  if (options.defaultSamplingOnly) {
    for (const field of ['temperature', 'top_p', 'stop'] as const) {
      if (out[field] === undefined || (field !== 'stop' && out[field] === 1)) continue
      delete out[field]
      dropped.add(field === 'stop' ? 'stop_sequences' : field)
    }
  }
  if (isRecord(body.metadata)) {
    for (const [key, value] of Object.entries(body.metadata)) {
      if (key === 'user_id' && typeof value === 'string' && value !== '') out.user = value
      else if (key !== 'user_id' && value !== undefined && value !== null) dropped.add(`metadata.${key}`)
    }
  }
  convertTools(body, out, dropped)
  const thinking = isRecord(body.thinking) ? body.thinking : undefined
  const thinkingMapped = thinking?.type === 'disabled' || (options.reasoningEffort === true && thinking !== undefined)
  if (options.reasoningEffort && thinking !== undefined && thinking.type !== 'disabled') {
    // "adaptive" (the model decides) has no budget: OpenAI's default effort is medium.
    out.reasoning_effort = typeof thinking.budget_tokens === 'number' ? effortForBudget(thinking.budget_tokens) : 'medium'
  }

  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null || MAPPED_FIELDS.has(key) || GATEWAY_FIELDS.has(key)) continue
    if (key === 'thinking' && thinkingMapped) continue
    dropped.add(key)
  }
  return {body: out, dropped: dropped.list()}
}

/** Notes a prompt-caching marker, which has no Chat Completions equivalent and is simply not sent. */
function noteCacheControl(block: Record<string, unknown>, dropped: DroppedNotes): void {
  if (block.cache_control !== undefined && block.cache_control !== null) dropped.add('cache_control')
}

function systemText(system: unknown, dropped: DroppedNotes): string {
  if (typeof system === 'string') return system
  if (!Array.isArray(system)) return ''
  const texts: string[] = []
  for (const block of system) {
    if (!isRecord(block)) continue
    noteCacheControl(block, dropped)
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') texts.push(block.text)
  }
  return texts.join('\n\n')
}

function imagePart(source: unknown): OpenAIImagePart | undefined {
  if (!isRecord(source)) return undefined
  if (source.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string') {
    return {type: 'image_url', image_url: {url: `data:${source.media_type};base64,${source.data}`}}
  }
  if (source.type === 'url' && typeof source.url === 'string') return {type: 'image_url', image_url: {url: source.url}}
  return undefined
}

/** A plain-text document is just text to a chat model; PDFs and uploaded files have no portable form. */
function documentText(block: Record<string, unknown>): string | undefined {
  const source = block.source
  if (!isRecord(source) || source.type !== 'text' || typeof source.data !== 'string') return undefined
  return typeof block.title === 'string' && block.title !== '' ? `${block.title}\n\n${source.data}` : source.data
}

/** A base64 PDF document as an OpenAI `file` part (its title, if any, as the file name; OpenAI wants one ending in .pdf). */
function pdfFilePart(block: Record<string, unknown>): OpenAIFilePart | undefined {
  const source = block.source
  if (!isRecord(source) || source.type !== 'base64' || source.media_type !== 'application/pdf' || typeof source.data !== 'string' || source.data === '') return undefined
  const title = typeof block.title === 'string' ? block.title.trim().replace(/[\\/\u0000-\u001f]/g, '_') : ''
  const filename = title === '' ? 'document.pdf' : /\.pdf$/i.test(title) ? title : `${title}.pdf`
  return {type: 'file', file: {filename, file_data: `data:application/pdf;base64,${source.data}`}}
}

/** A document block as what a chat message can carry: text, a PDF file part (when the upstream reads them), else nothing. */
function documentPart(block: Record<string, unknown>, pdfFiles: boolean): OpenAITextPart | OpenAIFilePart | undefined {
  const text = documentText(block)
  if (text !== undefined) return {type: 'text', text}
  return pdfFiles ? pdfFilePart(block) : undefined
}

/**
 * One Anthropic user turn becomes: a `tool` message per tool_result (they must directly follow the
 * assistant's tool calls), then a user message with the rest. Images inside tool results cannot go
 * in a `tool` message, so they join that user message.
 */
function userMessages(content: unknown, i: number, dropped: DroppedNotes, pdfFiles: boolean): OpenAIMessage[] {
  if (typeof content === 'string') return [{role: 'user', content}]
  if (!Array.isArray(content)) return []
  const tools: OpenAIMessage[] = []
  const rest: OpenAIUserContentPart[] = []
  content.forEach((block, j) => {
    const where = `messages[${i}].content[${j}]`
    if (!isRecord(block)) return
    noteCacheControl(block, dropped)
    switch (block.type) {
      case 'text':
        if (typeof block.text === 'string') rest.push({type: 'text', text: block.text})
        return
      case 'image': {
        const part = imagePart(block.source)
        if (part) rest.push(part)
        else dropped.add(`${where} (image ${isRecord(block.source) ? String(block.source.type) : 'source'})`)
        return
      }
      case 'document': {
        const part = documentPart(block, pdfFiles)
        if (part) rest.push(part)
        else dropped.add(`${where} (document)`)
        return
      }
      case 'tool_result': {
        const {text, images} = toolResultContent(block.content, where, dropped, pdfFiles)
        // OpenAI has no is_error: a failed (or refused) tool run says so in its content.
        const content = block.is_error === true ? `Error: ${text === '' ? 'the tool failed' : text}` : text
        tools.push({role: 'tool', tool_call_id: String(block.tool_use_id ?? ''), content})
        rest.push(...images)
        return
      }
      default:
        dropped.add(`${where} (${String(block.type)})`)
    }
  })
  if (rest.length === 0) return tools
  const only = rest.length === 1 ? rest[0] : undefined
  return [...tools, {role: 'user', content: only?.type === 'text' ? only.text : rest}]
}

/** A tool result's text, and the images and PDF files in it (a `tool` message holds only text: they join the user message after it). */
function toolResultContent(content: unknown, where: string, dropped: DroppedNotes, pdfFiles: boolean): {text: string; images: Array<OpenAIImagePart | OpenAIFilePart>} {
  if (typeof content === 'string') return {text: content, images: []}
  const texts: string[] = []
  const images: Array<OpenAIImagePart | OpenAIFilePart> = []
  if (Array.isArray(content)) {
    content.forEach((block, k) => {
      if (!isRecord(block)) return
      noteCacheControl(block, dropped)
      const image = block.type === 'image' ? imagePart(block.source) : undefined
      const document = block.type === 'document' ? documentPart(block, pdfFiles) : undefined
      if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text)
      else if (image) images.push(image)
      else if (document?.type === 'text') texts.push(document.text)
      else if (document) images.push(document)
      else dropped.add(`${where}.content[${k}] (${String(block.type)})`)
    })
  }
  return {text: texts.join('\n'), images}
}

function assistantMessage(content: unknown, i: number, dropped: DroppedNotes): OpenAIMessage | undefined {
  if (typeof content === 'string') return content === '' ? undefined : {role: 'assistant', content}
  if (!Array.isArray(content)) return undefined
  let text = ''
  const toolCalls: OpenAIToolCall[] = []
  content.forEach((block, j) => {
    if (!isRecord(block)) return
    noteCacheControl(block, dropped)
    if (block.type === 'text' && typeof block.text === 'string') text += block.text
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: String(block.id ?? ''),
        type: 'function',
        function: {name: String(block.name ?? ''), arguments: JSON.stringify(block.input ?? {})},
      })
    } else if (block.type === 'thinking' || block.type === 'redacted_thinking') dropped.add('thinking blocks')
    else dropped.add(`messages[${i}].content[${j}] (${String(block.type)})`)
  })
  if (text === '' && toolCalls.length === 0) return undefined
  return toolCalls.length > 0 ? {role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls} : {role: 'assistant', content: text}
}

function convertTools(body: AnthropicRequest, out: OpenAIChatRequest, dropped: DroppedNotes): void {
  const tools: OpenAIFunctionTool[] = []
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool, i) => {
      if (!isRecord(tool)) return
      noteCacheControl(tool, dropped)
      // Server tools (web search, code execution, bash, text editor...) run at Anthropic only.
      if ((tool.type !== undefined && tool.type !== null && tool.type !== 'custom') || typeof tool.name !== 'string') {
        dropped.add(`tools[${i}] (${String(tool.type)})`)
        return
      }
      const fn: OpenAIFunctionTool['function'] = {
        name: tool.name,
        parameters: isRecord(tool.input_schema) ? tool.input_schema : {type: 'object', properties: {}},
      }
      if (typeof tool.description === 'string') fn.description = tool.description
      tools.push({type: 'function', function: fn})
    })
  }
  const choice: Record<string, unknown> | undefined = isRecord(body.tool_choice) ? body.tool_choice : undefined
  if (tools.length === 0) {
    // OpenAI refuses tool_choice and parallel_tool_calls without tools.
    if (choice && choice.type !== 'auto' && choice.type !== 'none') dropped.add('tool_choice')
    return
  }
  out.tools = tools
  if (!choice) return
  const mapped = toolChoice(choice)
  if (mapped === undefined) dropped.add('tool_choice')
  else out.tool_choice = mapped
  if (choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false
}

function toolChoice(choice: Record<string, unknown>): OpenAIToolChoice | undefined {
  switch (choice.type) {
    case 'auto':
      return 'auto'
    case 'any':
      return 'required'
    case 'none':
      return 'none'
    case 'tool':
      return typeof choice.name === 'string' ? {type: 'function', function: {name: choice.name}} : undefined
    default:
      return undefined
  }
}

/**
 * OpenAI Responses event stream -> OpenAI chat.completion.chunk stream, for a Chat client (or,
 * chained with OpenAIToAnthropicStream, an Anthropic client) served by an OpenAI model only the
 * Responses API serves. The opposite of chat-stream-to-responses.ts:
 *
 *   response.output_text.delta                      -> {content}
 *   response.refusal.delta                          -> {refusal}
 *   response.reasoning_summary_text.delta,
 *   response.reasoning_text.delta                   -> {reasoning_content}
 *   response.output_item.added (function_call)      -> {tool_calls: [{index, id: call_id, name}]}
 *   response.function_call_arguments.delta          -> {tool_calls: [{index, arguments}]}
 *   response.completed / response.incomplete        -> the finish_reason chunk, the usage chunk
 *                                                      (when asked for), [DONE]
 *   response.failed, error                          -> an error chunk, and no [DONE]
 *
 * Nothing is written before the answer's first content (not even the role chunk), so an error the
 * upstream reports after response.created, or while its model reasons unseen, still fails over
 * (see stream-start.ts). A state machine: no I/O, no clock.
 */
import {
  MALFORMED_STREAM_MESSAGE,
  OPENAI_DONE_FRAME,
  TRUNCATED_STREAM_MESSAGE,
  isBlankData,
  openAIErrorFrame,
  openAIFrame,
  type SseEvent,
  type StreamErrorCode,
  type StreamTransformer,
  type TokenUsage,
  type TranslatingStreamOptions,
} from '../stream.js'
import {isRecord, parseJson} from '../util.js'
import {upstreamErrorMessage} from '../openai/stream-chunk.js'
import type {OpenAIChatCompletionChunk, OpenAIChunkDelta, OpenAIFinishReason} from '../openai/types.js'
import {MESSAGE_SEPARATOR, chatCompletionId, chatFinishReason, chatUsageFromResponses, reasoningItemText} from './to-chat-response.js'
import {responsesUsage} from './usage.js'

export type ResponsesToChatStreamOptions = Pick<TranslatingStreamOptions, 'model' | 'created' | 'id' | 'includeUsage'>

interface Call {
  /** Its index among the answer's tool calls (Chat's `tool_calls[].index`). */
  index: number
  /** Argument text was sent (deltas, or the whole at the end). */
  argumentsSent: boolean
}

export class ResponsesToChatStream implements StreamTransformer {
  private id: string | undefined
  private started = false
  /** Function calls by output_index and by item id (argument events name both; some servers only one). */
  private readonly callsByOutput = new Map<number, Call>()
  private readonly callsById = new Map<string, Call>()
  private calls = 0
  /** Message items that streamed text: their whole text at output_item.done is not sent again. */
  private readonly textItems = new Set<string>()
  private lastTextItem: string | undefined
  /** Reasoning parts (item id + summary or content index) streamed, for the same reason; and the last one, to separate parts. */
  private readonly reasoningItems = new Set<string>()
  private lastReasoningPart: string | undefined
  private final: Record<string, unknown> | null = null
  private finished = false
  private broken = false

  constructor(private readonly options: ResponsesToChatStreamOptions) {
    this.id = options.id
  }

  /** What the upstream reported: the usage of its terminal event (response.completed, .incomplete or .failed). */
  get usage(): TokenUsage | null {
    return this.final ? responsesUsage(this.final) : null
  }

  get complete(): boolean {
    return this.finished
  }

  get failed(): boolean {
    return this.broken
  }

  push(event: SseEvent): string {
    if (this.finished || this.broken) return ''
    if (isBlankData(event.data)) return ''
    const data = parseJson(event.data)
    if (!isRecord(data)) {
      this.broken = true
      return openAIErrorFrame(MALFORMED_STREAM_MESSAGE)
    }
    const type = typeof data.type === 'string' ? data.type : event.event
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        if (isRecord(data.response) && typeof data.response.id === 'string') this.id ??= chatCompletionId(data.response.id)
        return ''
      case 'response.output_item.added':
        return isRecord(data.item) && data.item.type === 'function_call' ? this.openCall(data.output_index, data.item) : ''
      case 'response.output_text.delta':
        return typeof data.delta === 'string' && data.delta !== '' ? this.text(String(data.item_id ?? ''), data.delta) : ''
      case 'response.refusal.delta':
        return typeof data.delta === 'string' && data.delta !== '' ? this.chunk({refusal: data.delta}) : ''
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        if (typeof data.delta !== 'string' || data.delta === '') return ''
        const part = `${String(data.item_id ?? '')}:${type === 'response.reasoning_text.delta' ? 'c' : 's'}${String(data.summary_index ?? data.content_index ?? 0)}`
        return this.reasoning(part, String(data.item_id ?? ''), data.delta)
      }
      case 'response.function_call_arguments.delta':
        return typeof data.delta === 'string' && data.delta !== '' ? this.callArguments(data, data.delta) : ''
      case 'response.function_call_arguments.done': {
        const call = this.findCall(data)
        return call && !call.argumentsSent ? this.callArguments(data, typeof data.arguments === 'string' && data.arguments !== '' ? data.arguments : '{}') : ''
      }
      case 'response.output_item.done':
        return isRecord(data.item) ? this.itemDone(data.output_index, data.item) : ''
      case 'response.completed':
      case 'response.incomplete':
        return this.finish(isRecord(data.response) ? data.response : {})
      case 'response.failed': {
        const response = isRecord(data.response) ? data.response : {}
        this.final = response
        return this.error(isRecord(response.error) ? response.error : {message: 'The upstream response failed'})
      }
      case 'error':
        // The documented fields are top-level (code, message, param); OpenAI also nests them under `error`.
        return this.error(isRecord(data.error) ? data.error : {code: data.code, message: data.message})
      default:
        // content_part.*, output_text.done, annotations, summary_part.*, and event types added after this was written.
        return ''
    }
  }

  end(): string {
    if (this.finished || this.broken) return ''
    this.broken = true
    return openAIErrorFrame(TRUNCATED_STREAM_MESSAGE)
  }

  fail(message: string, error?: StreamErrorCode): string {
    if (this.finished || this.broken) return ''
    this.broken = true
    return openAIErrorFrame(message, error?.type, error?.code)
  }

  // --- content ----------------------------------------------------------------------------------

  private text(itemId: string, text: string): string {
    // A second message item (a commentary message before the final answer) continues the one Chat answer.
    const separator = this.lastTextItem !== undefined && this.lastTextItem !== itemId ? MESSAGE_SEPARATOR : ''
    this.lastTextItem = itemId
    this.textItems.add(itemId)
    return this.chunk({content: separator + text})
  }

  private reasoning(part: string, itemId: string, text: string): string {
    const separator = this.lastReasoningPart !== undefined && this.lastReasoningPart !== part ? '\n\n' : ''
    this.lastReasoningPart = part
    this.reasoningItems.add(itemId)
    return this.chunk({reasoning_content: separator + text})
  }

  private openCall(outputIndex: unknown, item: Record<string, unknown>): string {
    const call: Call = {index: this.calls++, argumentsSent: false}
    if (typeof outputIndex === 'number') this.callsByOutput.set(outputIndex, call)
    if (typeof item.id === 'string') this.callsById.set(item.id, call)
    const id = typeof item.call_id === 'string' && item.call_id !== '' ? item.call_id : typeof item.id === 'string' ? item.id : `call_${call.index}`
    // An item that arrives with its arguments (not OpenAI's way, but allowed) sends them at once.
    const args = typeof item.arguments === 'string' ? item.arguments : ''
    if (args !== '') call.argumentsSent = true
    return this.chunk({tool_calls: [{index: call.index, id, type: 'function', function: {name: String(item.name ?? ''), arguments: args}}]})
  }

  private findCall(data: Record<string, unknown>): Call | undefined {
    return (typeof data.output_index === 'number' ? this.callsByOutput.get(data.output_index) : undefined) ?? (typeof data.item_id === 'string' ? this.callsById.get(data.item_id) : undefined)
  }

  private callArguments(data: Record<string, unknown>, args: string): string {
    const call = this.findCall(data)
    // Arguments of a call whose item was never announced: there is no name or id to give them.
    if (!call) return ''
    call.argumentsSent = true
    return this.chunk({tool_calls: [{index: call.index, function: {arguments: args}}]})
  }

  /** What an item's done event holds that no delta brought: a call's arguments, a message's text, a reasoning summary. */
  private itemDone(outputIndex: unknown, item: Record<string, unknown>): string {
    if (item.type === 'function_call') {
      const known = this.findCall({output_index: outputIndex, item_id: item.id})
      let out = known ? '' : this.openCall(outputIndex, item)
      const call = this.findCall({output_index: outputIndex, item_id: item.id})!
      if (!call.argumentsSent) out += this.callArguments({output_index: outputIndex, item_id: item.id}, typeof item.arguments === 'string' && item.arguments !== '' ? item.arguments : '{}')
      return out
    }
    const itemId = String(item.id ?? '')
    if (item.type === 'message' && !this.textItems.has(itemId)) {
      const text = (Array.isArray(item.content) ? item.content : []).map((part) => (isRecord(part) && part.type === 'output_text' && typeof part.text === 'string' ? part.text : '')).join('')
      return text === '' ? '' : this.text(itemId, text)
    }
    if (item.type === 'reasoning' && !this.reasoningItems.has(itemId)) {
      const text = reasoningItemText(item)
      return text === '' ? '' : this.reasoning(`${itemId}:done`, itemId, text)
    }
    return ''
  }

  // --- ending -----------------------------------------------------------------------------------

  private finish(response: Record<string, unknown>): string {
    this.final = response
    if (typeof response.id === 'string') this.id ??= chatCompletionId(response.id)
    // An answer whose output items came only in the terminal event.
    let out = ''
    if (this.calls === 0 && this.textItems.size === 0 && Array.isArray(response.output)) {
      response.output.forEach((item, i) => {
        if (isRecord(item)) out += this.itemDone(i, item)
      })
    }
    this.finished = true
    const finishReason: OpenAIFinishReason = chatFinishReason(response, this.calls > 0)
    out += this.chunk({}, finishReason)
    if (this.options.includeUsage && isRecord(response.usage)) {
      const final = this.envelope([])
      final.usage = chatUsageFromResponses(response.usage)
      out += openAIFrame(final)
    }
    return out + OPENAI_DONE_FRAME
  }

  /** An upstream error (response.failed, an error event): an error chunk, never [DONE]. */
  private error(error: Record<string, unknown>): string {
    this.broken = true
    const code = typeof error.code === 'string' && error.code !== '' ? error.code : undefined
    const type = typeof error.type === 'string' && error.type !== '' ? error.type : code === undefined ? 'server_error' : code.startsWith('invalid') ? 'invalid_request_error' : code
    return openAIErrorFrame(upstreamErrorMessage(error), type, code)
  }

  // --- framing ----------------------------------------------------------------------------------

  private envelope(choices: OpenAIChatCompletionChunk['choices']): OpenAIChatCompletionChunk {
    return {id: this.id ?? 'chatcmpl-tokenhub', object: 'chat.completion.chunk', created: this.options.created, model: this.options.model, choices}
  }

  /** A chunk, after the role chunk that opens the answer (sent with the first content, see the header). */
  private chunk(delta: OpenAIChunkDelta, finishReason: OpenAIFinishReason | null = null): string {
    let out = ''
    if (!this.started) {
      this.started = true
      out += openAIFrame(this.envelope([{index: 0, delta: {role: 'assistant', content: ''}, finish_reason: null}]))
    }
    return out + openAIFrame(this.envelope([{index: 0, delta, finish_reason: finishReason}]))
  }
}

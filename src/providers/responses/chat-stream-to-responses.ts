/**
 * OpenAI chat.completion.chunk stream -> OpenAI Responses event stream, for a Responses client
 * (Codex, the SDKs) served by an upstream without the Responses API. Emits the full typed event
 * sequence the official clients parse:
 *
 *   response.created, response.in_progress,
 *   per text answer: response.output_item.added (message), response.content_part.added,
 *     response.output_text.delta..., response.output_text.done, response.content_part.done,
 *     response.output_item.done,
 *   per reasoning (asked for): response.output_item.added (reasoning), response.content_part.added,
 *     response.reasoning_text.delta..., response.reasoning_text.done, response.content_part.done,
 *     response.output_item.done,
 *   per tool call: response.output_item.added (function_call),
 *     response.function_call_arguments.delta..., response.function_call_arguments.done,
 *     response.output_item.done,
 *   response.completed (response.incomplete when the answer was cut off) with output and usage.
 *
 * An upstream error, a truncated upstream or fail() ends the stream with an `error` event and
 * never with a completion event. A state machine: no I/O, no clock.
 */
import {TRUNCATED_STREAM_MESSAGE, type SseEvent, type StreamErrorCode, type StreamTransformer, type TokenUsage} from '../stream.js'
import {isRecord, madeUpToolCallId} from '../util.js'
import {ToolCallKeys, openAIChatUsage, readOpenAIStreamEvent, reasoningText, upstreamErrorMessage} from '../openai/stream-chunk.js'
import {responsesErrorEvent, responsesFrame} from './events.js'
import {
  functionCallItemId,
  idBase,
  messageItemId,
  responseId,
  responseObject,
  reasoningItemId,
  responseStatus,
  responsesUsageFromChat,
  showsReasoning,
  restoreToolName,
  type ChatToResponsesOptions,
} from './from-chat-response.js'
import type {
  ResponsesItemStatus,
  ResponsesOutputFunctionCall,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesOutputReasoning,
  ResponsesResponse,
  ResponsesStatus,
  ResponsesStreamEvent,
} from './types.js'

export type ChatToResponsesStreamOptions = ChatToResponsesOptions

type PartKind = 'output_text' | 'refusal'

interface OpenMessage {
  kind: 'message'
  index: number
  item: ResponsesOutputMessage
  /** The content part being streamed into, if any (always the last of item.content). */
  part: PartKind | null
}

interface OpenCall {
  kind: 'call'
  index: number
  item: ResponsesOutputFunctionCall
}

interface OpenReasoning {
  kind: 'reasoning'
  index: number
  item: ResponsesOutputReasoning
}

/** Reasoning deltas not shown (the client did not ask for reasoning) between two SSE comments. */
const REASONING_DELTAS_PER_KEEPALIVE = 25
/** An SSE comment: every client skips it, and it keeps a long silent reasoning from looking like a dead stream. */
const KEEPALIVE_FRAME = ': reasoning\n\n'

export class ChatToResponsesStream implements StreamTransformer {
  private id: string | undefined
  private base = 'tokenhub'
  private sequence = 0
  private started = false
  private readonly output: ResponsesOutputItem[] = []
  private open: OpenMessage | OpenCall | OpenReasoning | null = null
  private messages = 0
  private reasonings = 0
  /** Reasoning deltas not relayed since the last keepalive comment. */
  private unshownReasoning = 0
  private readonly showReasoning: boolean
  /** Tool-call key (see ToolCallKeys) -> output index of its function_call item. */
  private readonly toolItems = new Map<number, number>()
  private readonly toolKeys = new ToolCallKeys()
  /**
   * Tool calls after the first, held whole until the answer ends: some OpenAI-compatible servers
   * interleave the fragments of parallel calls, and an item marked done when the next call started
   * would reach Codex (which acts on response.output_item.done) with half its arguments.
   */
  private readonly heldCalls = new Map<number, {id: string; name: string; args: string}>()
  /** Text and refusal deltas that came after a tool call started (see text). */
  private readonly heldText: Array<[PartKind, string]> = []
  private finishReason: string | null = null
  private upstreamUsage: Record<string, unknown> | null = null
  private finalized = false
  private broken = false

  /** It ended with an error frame: nothing more is relayed. */
  get failed(): boolean {
    return this.broken
  }

  constructor(private readonly options: ChatToResponsesStreamOptions) {
    this.id = options.id
    this.showReasoning = showsReasoning(options.request)
  }

  get usage(): TokenUsage | null {
    return openAIChatUsage(this.upstreamUsage)
  }

  get complete(): boolean {
    return this.finalized || this.finishReason !== null
  }

  push(event: SseEvent): string {
    if (this.finalized || this.broken) return ''
    const read = readOpenAIStreamEvent(event.data)
    if (read.kind === 'done') return this.finishReason === null && !this.started ? this.end() : this.finish()
    if (read.kind === 'skip') return ''
    if (read.kind === 'error') {
      this.broken = true
      const {error} = read
      const code = typeof error.code === 'string' ? error.code : typeof error.type === 'string' ? error.type : undefined
      return responsesFrame(responsesErrorEvent(upstreamErrorMessage(error), this.sequence++, code))
    }
    const {chunk} = read
    let out = this.started ? '' : this.start(chunk.id)
    if (isRecord(chunk.usage)) this.upstreamUsage = chunk.usage
    const choices = Array.isArray(chunk.choices) ? chunk.choices : []
    // Only choice 0: the gateway never asks for n > 1.
    const choice = choices.find((c) => isRecord(c) && (c.index === 0 || c.index === undefined))
    if (!isRecord(choice)) return out
    const delta = isRecord(choice.delta) ? choice.delta : {}
    const reasoning = reasoningText(delta)
    if (reasoning !== '') out += this.reasoning(reasoning)
    if (typeof delta.content === 'string' && delta.content !== '') out += this.text('output_text', delta.content)
    if (typeof delta.refusal === 'string' && delta.refusal !== '') out += this.text('refusal', delta.refusal)
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isRecord(call)) out += this.toolCall(call)
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason
    return out
  }

  end(): string {
    if (this.finalized || this.broken) return ''
    // finish_reason without [DONE] still means the model finished; only a missing one is truncation.
    if (this.finishReason !== null) return this.finish()
    return this.fail(TRUNCATED_STREAM_MESSAGE)
  }

  fail(message: string, error?: StreamErrorCode): string {
    if (this.finalized || this.broken) return ''
    this.broken = true
    return responsesFrame(responsesErrorEvent(message, this.sequence++, error?.code, error?.type))
  }

  /** Numbers the event in place (callers pass a fresh literal; copying it per event costs more than framing it). */
  private emit(event: Omit<ResponsesStreamEvent, 'sequence_number'>): string {
    ;(event as ResponsesStreamEvent).sequence_number = this.sequence++
    return responsesFrame(event as ResponsesStreamEvent)
  }

  private response(status: ResponsesStatus, extra: Partial<Pick<ResponsesResponse, 'incomplete_details' | 'usage'>> = {}): ResponsesResponse {
    return responseObject(
      {...this.options, id: this.id ?? responseId(undefined)},
      {status, incomplete_details: extra.incomplete_details ?? null, output: status === 'in_progress' ? [] : this.output, usage: extra.usage ?? null},
    )
  }

  private start(upstreamId: unknown): string {
    this.started = true
    this.id ??= responseId(upstreamId)
    this.base = idBase(this.id)
    const created = this.response('in_progress')
    return this.emit({type: 'response.created', response: created}) + this.emit({type: 'response.in_progress', response: created})
  }

  // --- reasoning --------------------------------------------------------------------------------

  /**
   * Reasoning text as a reasoning item (raw `reasoning_text` content, as vLLM's own Responses API
   * sends it) when the client asked for reasoning; else an SSE comment now and then. Reasoning
   * after a tool call started is not shown.
   */
  private reasoning(text: string): string {
    if (!this.showReasoning || this.toolItems.size > 0) {
      if (++this.unshownReasoning < REASONING_DELTAS_PER_KEEPALIVE) return ''
      this.unshownReasoning = 0
      return KEEPALIVE_FRAME
    }
    let out = ''
    if (this.open?.kind !== 'reasoning') {
      out += this.closeOpen('completed')
      const item: ResponsesOutputReasoning = {type: 'reasoning', id: reasoningItemId(this.base, this.reasonings++), summary: [], content: [], status: 'in_progress'}
      const index = this.output.push(item) - 1
      this.open = {kind: 'reasoning', index, item}
      out += this.emit({type: 'response.output_item.added', output_index: index, item})
      item.content.push({type: 'reasoning_text', text: ''})
      out += this.emit({type: 'response.content_part.added', item_id: item.id, output_index: index, content_index: 0, part: item.content[0]})
    }
    const open = this.open as OpenReasoning
    open.item.content[0]!.text += text
    return out + this.emit({type: 'response.reasoning_text.delta', item_id: open.item.id, output_index: open.index, content_index: 0, delta: text})
  }

  // --- text and refusal -------------------------------------------------------------------------

  private text(kind: PartKind, text: string): string {
    // Once a tool call has started, text is held too and goes out after the calls at the end: a
    // later fragment of a call must never find its item already done.
    if (this.toolItems.size > 0) {
      this.heldText.push([kind, text])
      return ''
    }
    return this.textNow(kind, text)
  }

  private textNow(kind: PartKind, text: string): string {
    let out = ''
    if (this.open?.kind !== 'message') {
      out += this.closeOpen('completed')
      const item: ResponsesOutputMessage = {type: 'message', id: messageItemId(this.base, this.messages++), status: 'in_progress', role: 'assistant', content: []}
      const index = this.output.push(item) - 1
      this.open = {kind: 'message', index, item, part: null}
      out += this.emit({type: 'response.output_item.added', output_index: index, item})
    }
    const open = this.open as OpenMessage
    if (open.part !== kind) {
      out += this.closePart(open)
      open.item.content.push(kind === 'output_text' ? {type: 'output_text', text: '', annotations: [], logprobs: []} : {type: 'refusal', refusal: ''})
      open.part = kind
      out += this.emit({type: 'response.content_part.added', ...this.partPosition(open), part: open.item.content.at(-1)})
    }
    const part = open.item.content.at(-1)
    if (part?.type === 'output_text') {
      part.text += text
      // Per delta: fields spelled out (a spread in a literal is a slow path in V8 on Node 20).
      return out + this.emit({type: 'response.output_text.delta', item_id: open.item.id, output_index: open.index, content_index: open.item.content.length - 1, delta: text, logprobs: []})
    }
    if (part?.type === 'refusal') part.refusal += text
    return out + this.emit({type: 'response.refusal.delta', item_id: open.item.id, output_index: open.index, content_index: open.item.content.length - 1, delta: text})
  }

  private partPosition(open: OpenMessage): {item_id: string; output_index: number; content_index: number} {
    return {item_id: open.item.id, output_index: open.index, content_index: open.item.content.length - 1}
  }

  private closePart(open: OpenMessage): string {
    if (open.part === null) return ''
    const part = open.item.content.at(-1)
    open.part = null
    if (!part) return ''
    const position = this.partPosition(open)
    const done =
      part.type === 'output_text'
        ? this.emit({type: 'response.output_text.done', ...position, text: part.text, logprobs: []})
        : this.emit({type: 'response.refusal.done', ...position, refusal: part.refusal})
    return done + this.emit({type: 'response.content_part.done', ...position, part})
  }

  // --- tool calls -------------------------------------------------------------------------------

  private toolCall(call: Record<string, unknown>): string {
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined
    const fn = isRecord(call.function) ? call.function : {}
    const key = this.toolKeys.keyOf(call)
    const args = typeof fn.arguments === 'string' ? fn.arguments : ''
    const held = this.heldCalls.get(key)
    if (held) {
      if (held.name === '' && typeof fn.name === 'string') held.name = fn.name
      held.args += args
      return ''
    }
    let out = ''
    let index = this.toolItems.get(key)
    if (index === undefined) {
      // The first call streams as it comes; later ones are held (see heldCalls).
      if (this.toolItems.size > 0) {
        this.heldCalls.set(key, {id: id ?? madeUpToolCallId('call_'), name: typeof fn.name === 'string' ? fn.name : '', args})
        return ''
      }
      out += this.closeOpen('completed')
      const opened = this.addCall(id ?? madeUpToolCallId('call_'), typeof fn.name === 'string' ? fn.name : '')
      out += opened.frames
      index = opened.index
      this.toolItems.set(key, index)
    }
    const item = this.output[index] as ResponsesOutputFunctionCall
    if (item.name === '' && typeof fn.name === 'string') {
      item.name = fn.name
      restoreToolName(item, this.options.toolNames)
    }
    if (args === '') return out
    item.arguments += args
    return out + this.emit({type: 'response.function_call_arguments.delta', item_id: item.id, output_index: index, delta: args})
  }

  /** A new function_call item, open for its arguments. */
  private addCall(callId: string, name: string): {frames: string; index: number} {
    const item: ResponsesOutputFunctionCall = {type: 'function_call', id: functionCallItemId(callId), call_id: callId, name, arguments: '', status: 'in_progress'}
    restoreToolName(item, this.options.toolNames)
    const index = this.output.push(item) - 1
    this.open = {kind: 'call', index, item}
    return {frames: this.emit({type: 'response.output_item.added', output_index: index, item}), index}
  }

  /** The held tool calls, each as a whole item; the last one takes `lastStatus`. */
  private heldItems(lastStatus: ResponsesItemStatus): string {
    let out = ''
    let left = this.heldCalls.size
    for (const held of this.heldCalls.values()) {
      out += this.closeOpen('completed')
      const opened = this.addCall(held.id, held.name)
      const item = this.output[opened.index] as ResponsesOutputFunctionCall
      out += opened.frames
      item.arguments = held.args
      if (held.args !== '') out += this.emit({type: 'response.function_call_arguments.delta', item_id: item.id, output_index: opened.index, delta: held.args})
      if (--left === 0) out += this.closeOpen(lastStatus)
    }
    this.heldCalls.clear()
    return out
  }

  // --- closing ----------------------------------------------------------------------------------

  private closeOpen(status: ResponsesItemStatus): string {
    const open = this.open
    if (!open) return ''
    this.open = null
    let out = ''
    if (open.kind === 'message') out += this.closePart(open)
    else if (open.kind === 'reasoning') {
      const part = open.item.content[0]!
      const position = {item_id: open.item.id, output_index: open.index, content_index: 0}
      out += this.emit({type: 'response.reasoning_text.done', ...position, text: part.text})
      out += this.emit({type: 'response.content_part.done', ...position, part})
    } else out += this.emit({type: 'response.function_call_arguments.done', item_id: open.item.id, output_index: open.index, name: open.item.name, arguments: open.item.arguments})
    open.item.status = status
    return out + this.emit({type: 'response.output_item.done', output_index: open.index, item: open.item})
  }

  private finish(): string {
    this.finalized = true
    let out = this.started ? '' : this.start(undefined)
    const {status, incomplete_details} = responseStatus(this.finishReason)
    // A cut-off answer ends in its last item: that one is incomplete, the earlier ones are whole.
    const last: ResponsesItemStatus = status === 'incomplete' ? 'incomplete' : 'completed'
    if (this.heldCalls.size > 0) out += this.closeOpen('completed') + this.heldItems(this.heldText.length > 0 ? 'completed' : last)
    for (const [kind, text] of this.heldText.splice(0)) out += this.textNow(kind, text)
    out += this.closeOpen(last)
    const response = this.response(status, {incomplete_details, usage: this.upstreamUsage ? responsesUsageFromChat(this.upstreamUsage) : null})
    return out + this.emit({type: status === 'incomplete' ? 'response.incomplete' : 'response.completed', response})
  }
}

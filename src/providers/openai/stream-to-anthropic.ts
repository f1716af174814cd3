/**
 * OpenAI chat.completion.chunk stream -> Anthropic Messages stream, for an Anthropic client (Claude
 * Code, the Anthropic SDK) served by an OpenAI-type model. A state machine: no I/O, no clock.
 */
import type {AnthropicMessage} from '../anthropic/types.js'
import {anthropicErrorType} from '../errors.js'
import {TRUNCATED_STREAM_MESSAGE, anthropicErrorFrame, anthropicFrame, type SseEvent, type StreamErrorCode, type StreamTransformer, type TokenUsage, type TranslatingStreamOptions} from '../stream.js'
import {anthropicToolId, isRecord, madeUpToolCallId} from '../util.js'
import {ToolCallKeys, openAIChatUsage, readOpenAIStreamEvent, reasoningText, upstreamErrorMessage} from './stream-chunk.js'
import {anthropicMessageId, anthropicStopReason, anthropicUsage, estimatedUsage} from './to-anthropic-response.js'

interface OpenBlock {
  index: number
  kind: 'text' | 'tool_use' | 'thinking'
}

/** Reasoning deltas not shown (the client did not ask for thinking) between two ping events. */
const REASONING_DELTAS_PER_PING = 25

export class OpenAIToAnthropicStream implements StreamTransformer {
  private started = false
  private nextBlock = 0
  private open: OpenBlock | null = null
  /** Tool-call key (see ToolCallKeys: the upstream index, or a new key for a new id there) -> Anthropic content-block index. */
  private readonly toolBlocks = new Map<number, number>()
  private readonly toolKeys = new ToolCallKeys()
  /**
   * Tool calls after the first, held whole until the answer ends. Anthropic streams one content
   * block at a time, and some OpenAI-compatible servers interleave the fragments of parallel
   * calls: a block closed when the next call started would miss its later fragments. The first
   * call's block stays open until the end for the same reason.
   */
  private readonly heldCalls = new Map<number, {id: string; name: string; args: string}>()
  /** Text that came after a tool call started (see text). */
  private heldText = ''
  private finishReason: string | null = null
  private upstreamUsage: Record<string, unknown> | null = null
  private finalized = false
  private broken = false
  /** The model refused (delta.refusal): Anthropic's stop_reason says refusal. */
  private refused = false
  /** Reasoning deltas not relayed since the last ping (see REASONING_DELTAS_PER_PING). */
  private unshownReasoning = 0
  /** Characters of the answer (text, reasoning, tool names and arguments): its size when the upstream reports no usage. */
  private outputChars = 0

  /** It ended with an error frame: nothing more is relayed. */
  get failed(): boolean {
    return this.broken
  }

  constructor(private readonly options: TranslatingStreamOptions) {}

  get usage(): TokenUsage | null {
    return openAIChatUsage(this.upstreamUsage)
  }

  get complete(): boolean {
    return this.finalized || this.finishReason !== null
  }

  push(event: SseEvent): string {
    if (this.finalized || this.broken) return ''
    const read = readOpenAIStreamEvent(event.data)
    // [DONE] before anything or any finish reason came is an empty, cut-off answer, not end_turn.
    if (read.kind === 'done') return this.finishReason === null && !this.started ? this.end() : this.finish()
    if (read.kind === 'skip') return ''
    if (read.kind === 'error') {
      this.broken = true
      return anthropicErrorFrame(upstreamErrorMessage(read.error), anthropicErrorType(read.error.type))
    }
    const {chunk} = read
    let out = this.started ? '' : this.messageStart(chunk)
    if (isRecord(chunk.usage)) this.upstreamUsage = chunk.usage
    const choices = Array.isArray(chunk.choices) ? chunk.choices : []
    // Only choice 0: the gateway never asks for n > 1.
    const choice = choices.find((c) => isRecord(c) && (c.index === 0 || c.index === undefined))
    if (!isRecord(choice)) return out
    const delta = isRecord(choice.delta) ? choice.delta : {}
    const text = typeof delta.content === 'string' ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : ''
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.refused = true
    const reasoning = reasoningText(delta)
    if (reasoning !== '') out += this.reasoning(reasoning)
    if (text !== '') out += this.text(text)
    this.outputChars += reasoning.length + text.length
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isRecord(call)) out += this.toolCall(call)
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason
    return out
  }

  end(): string {
    if (this.finalized || this.broken) return ''
    // finish_reason without [DONE] still means the model finished; only a missing one is truncation.
    if (this.finishReason !== null) return this.finish()
    this.broken = true
    return anthropicErrorFrame(TRUNCATED_STREAM_MESSAGE)
  }

  fail(message: string, error?: StreamErrorCode): string {
    if (this.finalized || this.broken) return ''
    this.broken = true
    return anthropicErrorFrame(message, error?.type, error?.code)
  }

  private messageStart(chunk: Record<string, unknown>): string {
    this.started = true
    const message: AnthropicMessage = {
      id: this.options.id ?? anthropicMessageId(chunk.id),
      type: 'message',
      role: 'assistant',
      model: this.options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // What the prompt costs, from the start (Claude Code's context meter reads it here): the
      // upstream's count when its first chunk has one, else the gateway's estimate; message_delta corrects it.
      usage: {input_tokens: isRecord(chunk.usage) ? anthropicUsage(chunk.usage).input_tokens : (this.options.inputEstimate ?? 0), output_tokens: 0},
    }
    return anthropicFrame({type: 'message_start', message})
  }

  private closeOpenBlock(): string {
    if (!this.open) return ''
    const frame = anthropicFrame({type: 'content_block_stop', index: this.open.index})
    this.open = null
    return frame
  }

  private openBlock(kind: OpenBlock['kind'], contentBlock: Record<string, unknown>): {frames: string; index: number} {
    const frames = this.closeOpenBlock()
    const index = this.nextBlock++
    this.open = {index, kind}
    return {frames: frames + anthropicFrame({type: 'content_block_start', index, content_block: contentBlock}), index}
  }

  /**
   * Reasoning text: a thinking block when the client asked for thinking (signature empty: no
   * Anthropic model signed it), else not shown, with a ping now and then so that a model thinking
   * for minutes does not look like a dead stream. Reasoning after a tool call started is not shown.
   */
  private reasoning(text: string): string {
    if (!this.options.thinking || this.toolBlocks.size > 0) {
      if (++this.unshownReasoning < REASONING_DELTAS_PER_PING) return ''
      this.unshownReasoning = 0
      return anthropicFrame({type: 'ping'})
    }
    let out = ''
    let index = this.open?.kind === 'thinking' ? this.open.index : undefined
    if (index === undefined) {
      const opened = this.openBlock('thinking', {type: 'thinking', thinking: '', signature: ''})
      out += opened.frames
      index = opened.index
    }
    return out + anthropicFrame({type: 'content_block_delta', index, delta: {type: 'thinking_delta', thinking: text}})
  }

  private text(text: string): string {
    // Once a tool call has started, text is held too and goes out after the calls at the end: a
    // later fragment of a call must never find its block closed by a text block.
    if (this.toolBlocks.size > 0) {
      this.heldText += text
      return ''
    }
    return this.textNow(text)
  }

  private textNow(text: string): string {
    let out = ''
    let index = this.open?.kind === 'text' ? this.open.index : undefined
    if (index === undefined) {
      const opened = this.openBlock('text', {type: 'text', text: ''})
      out += opened.frames
      index = opened.index
    }
    return out + anthropicFrame({type: 'content_block_delta', index, delta: {type: 'text_delta', text}})
  }

  private toolCall(call: Record<string, unknown>): string {
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined
    const fn = isRecord(call.function) ? call.function : {}
    const key = this.toolKeys.keyOf(call)
    const name = typeof fn.name === 'string' ? fn.name : ''
    const args = typeof fn.arguments === 'string' ? fn.arguments : ''
    this.outputChars += name.length + args.length
    const held = this.heldCalls.get(key)
    if (held) {
      if (held.name === '') held.name = name
      held.args += args
      return ''
    }
    let out = ''
    let index = this.toolBlocks.get(key)
    if (index === undefined) {
      // The first call streams as it comes; later ones are held (see heldCalls).
      if (this.toolBlocks.size > 0) {
        this.heldCalls.set(key, {id: id === undefined ? madeUpToolCallId('toolu_') : anthropicToolId(id), name, args})
        return ''
      }
      const opened = this.openBlock('tool_use', {type: 'tool_use', id: id === undefined ? madeUpToolCallId('toolu_') : anthropicToolId(id), name, input: {}})
      out += opened.frames
      index = opened.index
      this.toolBlocks.set(key, index)
    }
    if (args !== '') out += anthropicFrame({type: 'content_block_delta', index, delta: {type: 'input_json_delta', partial_json: args}})
    return out
  }

  /** The held tool calls, each as a whole block. */
  private heldBlocks(): string {
    let out = ''
    for (const held of this.heldCalls.values()) {
      const opened = this.openBlock('tool_use', {type: 'tool_use', id: held.id, name: held.name, input: {}})
      out += opened.frames
      if (held.args !== '') out += anthropicFrame({type: 'content_block_delta', index: opened.index, delta: {type: 'input_json_delta', partial_json: held.args}})
    }
    this.heldCalls.clear()
    return out
  }

  private finish(): string {
    this.finalized = true
    let out = this.started ? '' : this.messageStart({})
    out += this.heldBlocks()
    if (this.heldText !== '') out += this.textNow(this.heldText)
    out += this.closeOpenBlock()
    const usage = this.upstreamUsage ? anthropicUsage(this.upstreamUsage) : estimatedUsage(this.options.inputEstimate, this.outputChars)
    out += anthropicFrame({
      type: 'message_delta',
      delta: {stop_reason: anthropicStopReason(this.finishReason, this.toolBlocks.size > 0, this.refused), stop_sequence: null},
      usage,
    })
    return out + anthropicFrame({type: 'message_stop'})
  }
}

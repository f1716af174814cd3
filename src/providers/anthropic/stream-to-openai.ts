/**
 * Anthropic Messages stream -> OpenAI chat.completion.chunk stream, for an OpenAI client served by
 * a Claude model. A state machine over upstream events: no I/O, no clock.
 */
import {
  MALFORMED_STREAM_MESSAGE,
  OPENAI_DONE_FRAME,
  TRUNCATED_STREAM_MESSAGE,
  isBlankData,
  openAIErrorFrame,
  openAIFrame,
  type SseEvent,
  type StreamTransformer,
  type TokenUsage,
  tokenUsage,
  type StreamErrorCode,
  type TranslatingStreamOptions,
} from '../stream.js'
import {isRecord, parseJson} from '../util.js'
import {upstreamErrorMessage} from '../openai/stream-chunk.js'
import type {OpenAIChatCompletionChunk, OpenAIChunkDelta, OpenAIFinishReason} from '../openai/types.js'
import {anthropicTokenCounts, mergeAnthropicCounts, openAIFinishReason, openAIUsageFromCounts, type AnthropicTokenCounts} from './to-openai-response.js'

export class AnthropicToOpenAIStream implements StreamTransformer {
  private id: string | undefined
  private counts: AnthropicTokenCounts | null = null
  /** message_delta reported output_tokens (message_start's figure is a placeholder). */
  private outputReported = false
  /** Anthropic content-block index -> OpenAI tool_calls index (tool_use blocks counted from 0). */
  private readonly toolIndex = new Map<number, number>()
  /** Tool calls (OpenAI index) that have had argument text: one without any gets "{}" when its block stops. */
  private readonly toolArguments = new Set<number>()
  private finishSent = false
  private finished = false
  private broken = false

  /** It ended with an error frame: nothing more is relayed. */
  get failed(): boolean {
    return this.broken
  }

  constructor(private readonly options: TranslatingStreamOptions) {
    this.id = options.id
  }

  get usage(): TokenUsage | null {
    // A whole stream without a final report: message_start's output_tokens (1) is a placeholder,
    // so no usage (billed like any answer without a report). A cut-off one keeps its partial counts.
    if (!this.counts || (this.finished && !this.outputReported)) return null
    const {input, cacheCreation, cacheRead, output} = this.counts
    return tokenUsage(input + cacheCreation + cacheRead, output, cacheRead, cacheCreation)
  }

  get complete(): boolean {
    return this.finished
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
      case 'message_start':
        return this.start(data.message)
      case 'content_block_start':
        return this.blockStart(data.index, data.content_block)
      case 'content_block_delta':
        return this.blockDelta(data.index, data.delta)
      case 'content_block_stop':
        return this.blockStop(data.index)
      case 'message_delta':
        this.recordUsage(data.usage)
        if (isRecord(data.usage) && typeof data.usage.output_tokens === 'number') this.outputReported = true
        this.finishSent = true
        return this.chunk({}, openAIFinishReason(isRecord(data.delta) ? data.delta.stop_reason : undefined))
      case 'message_stop':
        return this.stop()
      case 'error': {
        this.broken = true
        const error = isRecord(data.error) ? data.error : {}
        return openAIErrorFrame(upstreamErrorMessage(error), typeof error.type === 'string' ? error.type : 'api_error')
      }
      default:
        // ping and event types added after this was written.
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

  private start(message: unknown): string {
    const msg = isRecord(message) ? message : {}
    this.id ??= `chatcmpl-${typeof msg.id === 'string' ? msg.id : 'tokenhub'}`
    this.recordUsage(msg.usage)
    return this.chunk({role: 'assistant', content: ''})
  }

  private blockStart(index: unknown, block: unknown): string {
    if (typeof index !== 'number' || !isRecord(block)) return ''
    if (block.type === 'text') return typeof block.text === 'string' && block.text !== '' ? this.chunk({content: block.text}) : ''
    if (block.type !== 'tool_use') return '' // thinking and server-tool blocks have no Chat Completions form
    const k = this.toolIndex.size
    this.toolIndex.set(index, k)
    // Anthropic streams input as deltas after an empty {}; a non-empty start input is sent whole.
    const input = isRecord(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : ''
    if (input) this.toolArguments.add(k)
    return this.chunk({
      tool_calls: [{index: k, id: String(block.id ?? ''), type: 'function', function: {name: String(block.name ?? ''), arguments: input}}],
    })
  }

  private blockDelta(index: unknown, delta: unknown): string {
    if (!isRecord(delta)) return ''
    if (delta.type === 'text_delta') return typeof delta.text === 'string' && delta.text !== '' ? this.chunk({content: delta.text}) : ''
    if (delta.type !== 'input_json_delta' || typeof index !== 'number') return ''
    const k = this.toolIndex.get(index)
    // Deltas of server-tool blocks (not in the map) and the empty opening fragment carry nothing.
    if (k === undefined || typeof delta.partial_json !== 'string' || delta.partial_json === '') return ''
    this.toolArguments.add(k)
    return this.chunk({tool_calls: [{index: k, function: {arguments: delta.partial_json}}]})
  }

  /** A call without arguments ends with "{}", as OpenAI sends it: clients JSON.parse the text ("" throws). */
  private blockStop(index: unknown): string {
    const k = typeof index === 'number' ? this.toolIndex.get(index) : undefined
    if (k === undefined || this.toolArguments.has(k)) return ''
    this.toolArguments.add(k)
    return this.chunk({tool_calls: [{index: k, function: {arguments: '{}'}}]})
  }

  private stop(): string {
    this.finished = true
    // OpenAI clients expect a finish_reason before the end; Anthropic always sends message_delta first.
    let out = this.finishSent ? '' : this.chunk({}, 'stop')
    if (this.options.includeUsage) {
      const final = this.envelope([])
      final.usage = openAIUsageFromCounts(this.counts ?? anthropicTokenCounts(undefined))
      out += openAIFrame(final)
    }
    return out + OPENAI_DONE_FRAME
  }

  private recordUsage(usage: unknown): void {
    this.counts = mergeAnthropicCounts(this.counts, usage)
  }

  /** A chunk with its envelope fields; built as one literal (a spread plus fields is a slow path in V8, per chunk). */
  private envelope(choices: OpenAIChatCompletionChunk['choices']): OpenAIChatCompletionChunk {
    return {id: this.id ?? 'chatcmpl-tokenhub', object: 'chat.completion.chunk', created: this.options.created, model: this.options.model, choices}
  }

  private chunk(delta: OpenAIChunkDelta, finishReason: OpenAIFinishReason | null = null): string {
    const chunk = this.envelope([{index: 0, delta, finish_reason: finishReason}])
    return openAIFrame(chunk)
  }
}

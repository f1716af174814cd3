/** Anthropic stream to an Anthropic client: events re-framed unchanged, usage read on the way. */
import {scrubbedErrorEvent} from '../errors.js'
import {MALFORMED_STREAM_MESSAGE, TRUNCATED_STREAM_MESSAGE, anthropicErrorFrame, isBlankData, looksLikeJsonObject, sseFrame, tokenUsage, type SseEvent, type StreamErrorCode, type StreamTransformer, type TokenUsage} from '../stream.js'
import {isRecord, parseJson} from '../util.js'
import {mergeAnthropicCounts, type AnthropicTokenCounts} from './to-openai-response.js'

/** Only these events carry usage or end the stream; the many content deltas are not parsed. */
const INSPECTED = new Set(['message_start', 'message_delta', 'message_stop', 'error'])

export class AnthropicPassthroughStream implements StreamTransformer {
  private counts: AnthropicTokenCounts | null = null
  /** message_delta reported output_tokens (message_start's figure is a placeholder). */
  private outputReported = false
  private finished = false
  private broken = false

  /** It ended with an error frame: nothing more is relayed. */
  get failed(): boolean {
    return this.broken
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
    if (!looksLikeJsonObject(event.data)) return this.fail(MALFORMED_STREAM_MESSAGE)
    const data = event.event === undefined || INSPECTED.has(event.event) ? this.inspect(event.data) : undefined
    if (data?.type === 'error') return sseFrame(scrubbedErrorEvent(event.data, data), event.event)
    return sseFrame(event.data, event.event)
  }

  end(): string {
    if (this.finished || this.broken) return ''
    this.broken = true
    return anthropicErrorFrame(TRUNCATED_STREAM_MESSAGE)
  }

  fail(message: string, error?: StreamErrorCode): string {
    if (this.finished || this.broken) return ''
    this.broken = true
    return anthropicErrorFrame(message, error?.type, error?.code)
  }

  private inspect(text: string): Record<string, unknown> | undefined {
    const data = parseJson(text)
    if (!isRecord(data)) return undefined
    if (data.type === 'message_start' && isRecord(data.message)) this.record(data.message.usage)
    else if (data.type === 'message_delta') {
      this.record(data.usage)
      if (isRecord(data.usage) && typeof data.usage.output_tokens === 'number') this.outputReported = true
    }
    else if (data.type === 'message_stop') this.finished = true
    else if (data.type === 'error') this.broken = true
    return data
  }

  private record(usage: unknown): void {
    this.counts = mergeAnthropicCounts(this.counts, usage)
  }
}

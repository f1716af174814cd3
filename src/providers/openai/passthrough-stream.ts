/**
 * OpenAI stream to an OpenAI client: events are re-framed unchanged, except the usage-only chunk
 * the gateway asked for on its own behalf (DESIGN §4: upstream always gets
 * stream_options.include_usage so streams are accounted).
 */
import {scrubbedErrorEvent} from '../errors.js'
import {MALFORMED_STREAM_MESSAGE, OPENAI_DONE_FRAME, TRUNCATED_STREAM_MESSAGE, isBlankData, looksLikeJsonObject, openAIErrorFrame, sseFrame, type SseEvent, type StreamErrorCode, type StreamTransformer, type TokenUsage} from '../stream.js'
import {isRecord, parseJson} from '../util.js'
import {openAIChatUsage} from './stream-chunk.js'

export interface OpenAIPassthroughOptions {
  /** The client itself asked for stream_options.include_usage. */
  includeUsage: boolean
}

export class OpenAIPassthroughStream implements StreamTransformer {
  private recorded: TokenUsage | null = null
  private finishSeen = false
  private doneSent = false
  private broken = false

  /** It ended with an error frame: nothing more is relayed. */
  get failed(): boolean {
    return this.broken
  }

  constructor(private readonly options: OpenAIPassthroughOptions) {}

  get usage(): TokenUsage | null {
    return this.recorded
  }

  get complete(): boolean {
    return this.doneSent || this.finishSeen
  }

  push(event: SseEvent): string {
    if (this.doneSent || this.broken) return ''
    if (event.data.trim() === '[DONE]') {
      this.doneSent = true
      return OPENAI_DONE_FRAME
    }
    if (isBlankData(event.data)) return ''
    if (!looksLikeJsonObject(event.data)) return this.fail(MALFORMED_STREAM_MESSAGE)
    // Most chunks are content deltas the client gets as they are: parsed only when they may carry
    // usage, an error or a finish reason (keys are never escaped by upstreams; in content text a
    // quote is, so "usage" with both quotes cannot come from there).
    const chunk = mayCarryState(event.data) ? parseJson(event.data) : null
    if (chunk === undefined) return this.fail(MALFORMED_STREAM_MESSAGE)
    if (isRecord(chunk)) {
      if (chunk.error !== undefined && chunk.error !== null) {
        this.broken = true
        return sseFrame(scrubbedErrorEvent(event.data, chunk), event.event)
      }
      if (isRecord(chunk.usage)) {
        this.recorded = openAIChatUsage(chunk.usage)
        const usageOnly = Array.isArray(chunk.choices) && chunk.choices.length === 0
        if (usageOnly && !this.options.includeUsage) return ''
      }
      if (Array.isArray(chunk.choices) && chunk.choices.some((c) => isRecord(c) && typeof c.finish_reason === 'string')) this.finishSeen = true
    }
    return sseFrame(event.data, event.event)
  }

  end(): string {
    if (this.doneSent || this.broken) return ''
    if (this.finishSeen) {
      this.doneSent = true
      return OPENAI_DONE_FRAME
    }
    this.broken = true
    return openAIErrorFrame(TRUNCATED_STREAM_MESSAGE)
  }

  fail(message: string, error?: StreamErrorCode): string {
    if (this.doneSent || this.broken) return ''
    this.broken = true
    return openAIErrorFrame(message, error?.type, error?.code)
  }
}

const FINISHED = /"finish_reason"\s*:\s*"/

function mayCarryState(data: string): boolean {
  return data.includes('"usage"') || data.includes('"error"') || FINISHED.test(data)
}

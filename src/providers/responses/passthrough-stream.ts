/**
 * Responses stream to a Responses client (an OpenAI upstream answering /v1/responses itself):
 * events re-framed unchanged, usage read from the terminal event on the way.
 */
import {scrubbedErrorEvent} from '../errors.js'
import {MALFORMED_STREAM_MESSAGE, TRUNCATED_STREAM_MESSAGE, isBlankData, looksLikeJsonObject, sseFrame, type SseEvent, type StreamErrorCode, type StreamTransformer, type TokenUsage} from '../stream.js'
import {isRecord, parseJson} from '../util.js'
import {responsesErrorFrame} from './events.js'
import {responsesUsage} from './usage.js'

/** Events that end a response; each carries the whole response object, usage included. */
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed'])

export class ResponsesPassthroughStream implements StreamTransformer {
  private recorded: TokenUsage | null = null
  private id: string | null = null
  private lastSequence = -1
  private finished = false
  private broken = false

  /** It ended with an error frame: nothing more is relayed. */
  get failed(): boolean {
    return this.broken
  }

  get usage(): TokenUsage | null {
    return this.recorded
  }

  get complete(): boolean {
    return this.finished
  }

  get responseId(): string | null {
    return this.id
  }

  push(event: SseEvent): string {
    if (this.finished || this.broken) return ''
    if (isBlankData(event.data)) return ''
    if (!looksLikeJsonObject(event.data)) return this.fail(MALFORMED_STREAM_MESSAGE)
    // The many delta events are not parsed: only their sequence number is picked out, for our own error event.
    if (event.event === undefined || event.event === 'error' || TERMINAL.has(event.event)) {
      const data = this.inspect(event.data)
      if (data?.type === 'error' || data?.type === 'response.failed') return sseFrame(scrubbedErrorEvent(event.data, data), event.event)
    } else this.noteSequence(event.data)
    return sseFrame(event.data, event.event)
  }

  end(): string {
    if (this.finished || this.broken) return ''
    this.broken = true
    return responsesErrorFrame(TRUNCATED_STREAM_MESSAGE, this.lastSequence + 1)
  }

  fail(message: string, error?: StreamErrorCode): string {
    if (this.finished || this.broken) return ''
    this.broken = true
    return responsesErrorFrame(message, this.lastSequence + 1, error?.code, error?.type)
  }

  private inspect(text: string): Record<string, unknown> | undefined {
    const data = parseJson(text)
    if (!isRecord(data)) return undefined
    if (typeof data.sequence_number === 'number') this.lastSequence = Math.max(this.lastSequence, data.sequence_number)
    const type = data.type
    if (typeof type === 'string' && TERMINAL.has(type)) {
      this.finished = true
      this.recorded = responsesUsage(data.response) ?? this.recorded
      if (isRecord(data.response) && typeof data.response.id === 'string') this.id = data.response.id
    } else if (type === 'error') this.broken = true
    return data
  }

  private noteSequence(text: string): void {
    const match = /"sequence_number"\s*:\s*(\d+)/.exec(text)
    if (match) this.lastSequence = Math.max(this.lastSequence, Number(match[1]))
  }
}

/**
 * Two stream translators in a row, for the compositions that have no direct translator: a Claude
 * stream to a Responses client is Anthropic -> Chat (AnthropicToOpenAIStream, with
 * includeUsage: true so the usage reaches the second step) -> Responses (ChatToResponsesStream).
 * The frames of the first step are parsed back into events for the second; both are pure, so the
 * chain is too.
 */
import type {SseEvent, StreamErrorCode, StreamTransformer, TokenUsage} from '../stream.js'

/** Frames as the translators write them (`sseFrame` and friends): `event:` / `data:` lines, a blank line after each. */
export function parseFrames(text: string): SseEvent[] {
  const events: SseEvent[] = []
  for (const block of text.split('\n\n')) {
    let event: string | undefined
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trimStart()
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
    }
    if (data.length > 0) events.push(event === undefined ? {data: data.join('\n')} : {event, data: data.join('\n')})
  }
  return events
}

export class ChainedStream implements StreamTransformer {
  /**
   * @param first reads the upstream's events (and is what saw the upstream's own usage numbers)
   * @param second turns the first one's output into the client's dialect
   */
  constructor(
    private readonly first: StreamTransformer,
    private readonly second: StreamTransformer,
  ) {}

  get usage(): TokenUsage | null {
    return this.first.usage ?? this.second.usage
  }

  /** The client's stream decides: it is complete once the second step saw its terminal event. */
  get complete(): boolean {
    return this.second.complete
  }

  get failed(): boolean {
    return this.first.failed || this.second.failed
  }

  push(event: SseEvent): string {
    return this.feed(this.first.push(event))
  }

  end(): string {
    // A truncated upstream becomes an error frame of the first step, which the second translates.
    return this.feed(this.first.end()) + this.second.end()
  }

  fail(message: string, error?: StreamErrorCode): string {
    this.first.fail(message, error)
    return this.second.fail(message, error)
  }

  private feed(text: string): string {
    if (text === '') return ''
    let out = ''
    for (const event of parseFrames(text)) out += this.second.push(event)
    return out
  }
}

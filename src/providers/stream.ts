/**
 * The contract every stream adapter implements, and the SSE framing both client dialects use.
 * Adapters are pure state machines: the gateway feeds them parsed upstream events and writes
 * whatever text they return, so they can be tested from transcripts without a socket or a clock.
 */

/** One parsed upstream SSE event (the gateway parses with eventsource-parser). */
export interface SseEvent {
  event?: string
  data: string
}

/**
 * Token counts as the upstream reported them. `input` is the whole prompt, cached parts included
 * (OpenAI `prompt_tokens`; Anthropic `input_tokens + cache_creation_input_tokens +
 * cache_read_input_tokens`), so cost and context accounting read the same number from both.
 */
export interface TokenUsage {
  /** Every prompt token, cached ones included. */
  input: number
  output: number
  /** Of `input`, tokens read from the upstream's prompt cache (billed at its cache-read price). */
  cacheRead?: number
  /** Of `input`, tokens written to the prompt cache (Anthropic; billed at its cache-write price). */
  cacheWrite?: number
}

/** A TokenUsage with the cache counts only when there are some. */
export function tokenUsage(input: number, output: number, cacheRead = 0, cacheWrite = 0): TokenUsage {
  const usage: TokenUsage = {input, output}
  if (cacheRead > 0) usage.cacheRead = cacheRead
  if (cacheWrite > 0) usage.cacheWrite = cacheWrite
  return usage
}

/** A gateway error in a stream's error frame: TokenHub's stable code and the client dialect's error type. */
export interface StreamErrorCode {
  code: string
  type: string
}

export interface StreamTransformer {
  /** One upstream event in; returns the SSE text to send to the client now ('' for nothing). */
  push(event: SseEvent): string
  /**
   * Upstream body ended. Complete stream: returns any closing frames not yet sent. Incomplete (no
   * terminal event seen: OpenAI `[DONE]`/finish_reason, Anthropic `message_stop`): returns an
   * error frame in the client dialect and NOT a [DONE]/message_stop, so a truncated answer never
   * looks complete.
   */
  end(): string
  /**
   * The upstream failed mid-stream (reset, idle timeout): an error frame in the client dialect, never a completion marker.
   * `error` is a failure of the gateway itself (a cut at shutdown): its TokenHub code and the dialect's error type,
   * the same as in the non-stream answer.
   */
  fail(message: string, error?: StreamErrorCode): string
  /** What the upstream reported so far. */
  readonly usage: TokenUsage | null
  /** A terminal event was seen. */
  readonly complete: boolean
  /** It ended with an error frame (the upstream's error, garbage, a cut): nothing more will be relayed. */
  readonly failed: boolean
  /** A Responses stream passed through: the upstream's response id, from its terminal event. */
  readonly responseId?: string | null
}

/** Options of the two translating streams (AnthropicToOpenAIStream, OpenAIToAnthropicStream). */
export interface TranslatingStreamOptions {
  /** The model id shown to the client. */
  model: string
  /** Unix seconds, stamped on OpenAI chunks. */
  created: number
  /** Message/chunk id; defaults to one derived from the upstream id. */
  id?: string
  /** The OpenAI client asked for stream_options.include_usage (Anthropic clients always get usage). */
  includeUsage: boolean
  /**
   * The Anthropic client asked for extended thinking: the reasoning text of an OpenAI-compatible
   * reasoning model (DeepSeek, vLLM...) is relayed as thinking blocks. Without it the reasoning is
   * not shown, and a long one keeps the stream alive with ping events.
   */
  thinking?: boolean
  /**
   * The gateway's estimate of the prompt's tokens. An Anthropic client is told it (and an output
   * estimate) when the upstream reports no usage: Claude Code sizes its context by the usage and
   * would take zeros for an empty one.
   */
  inputEstimate?: number
}

/** Message sent when the upstream body ends without its terminal event. */
export const TRUNCATED_STREAM_MESSAGE = 'The upstream stream ended before the response was complete'

/** Message sent when an upstream event is not the JSON object every chat stream event is. */
export const MALFORMED_STREAM_MESSAGE = 'The upstream sent a malformed stream event (not a JSON object)'

const isSpace = (code: number) => code === 32 || code === 9 || code === 10 || code === 13

/**
 * Whether an event's data is shaped like one JSON object (`{` ... `}`), checked without parsing:
 * passthrough streams relay most content deltas unparsed, and this catches garbage and cut-off
 * lines before a client's SDK chokes on them.
 */
export function looksLikeJsonObject(data: string): boolean {
  let start = 0
  let end = data.length - 1
  while (start <= end && isSpace(data.charCodeAt(start))) start++
  while (end >= start && isSpace(data.charCodeAt(end))) end--
  return start < end && data.charCodeAt(start) === 123 && data.charCodeAt(end) === 125
}

/** An event with no data at all (a bare `data:` line): nothing to relay or read. */
export const isBlankData = (data: string) => data.trim() === ''

/** One SSE frame. Data with line breaks becomes several `data:` lines, as the SSE format requires. */
export function sseFrame(data: string, event?: string): string {
  const head = event === undefined || event === '' ? '' : `event: ${event}\n`
  // Almost every payload is one line (JSON): no split then.
  const lines = data.includes('\n') || data.includes('\r') ? data.split(/\r\n|\r|\n/).join('\ndata: ') : data
  return `${head}data: ${lines}\n\n`
}

export const OPENAI_DONE_FRAME = 'data: [DONE]\n\n'

/** An OpenAI stream chunk (or any OpenAI-side JSON payload) as a frame. */
export function openAIFrame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`
}

/** An Anthropic stream event as a frame; the SSE event name is the payload's `type`. */
export function anthropicFrame(payload: {type: string; [key: string]: unknown}): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`
}

/** Mid-stream error for an OpenAI client. No [DONE] follows it. */
export function openAIErrorFrame(message: string, type = 'api_error', code?: string): string {
  return openAIFrame({error: code === undefined ? {message, type} : {message, type, param: null, code}})
}

/** Mid-stream error for an Anthropic client. No message_stop follows it. */
export function anthropicErrorFrame(message: string, type = 'api_error', code?: string): string {
  return anthropicFrame({type: 'error', error: code === undefined ? {type, message} : {type, message, code}})
}

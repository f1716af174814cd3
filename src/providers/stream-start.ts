/**
 * The start of an upstream stream, before anything reached the client: which events are only a
 * preamble (held back, so an error right after them can still fail over: Anthropic's message_start
 * and ping, a Responses stream's response.created, an OpenAI chunk that only says role: assistant), and which event is an
 * error the upstream sent inside its 200 stream (Anthropic's `overloaded_error`, an OpenAI-style
 * `{"error": ...}` chunk, a Responses `error` / `response.failed` event).
 */
import type {SseEvent} from './stream.js'
import {isRecord, parseJson} from './util.js'

/** Upstream events that carry no content: Anthropic's message_start and ping, a Responses stream's opening pair (and, unnamed, an OpenAI role chunk). */
const PREAMBLE = new Set(['message_start', 'ping', 'response.created', 'response.in_progress'])

export function isPreambleEvent(event: SseEvent): boolean {
  if (event.event !== undefined) return PREAMBLE.has(event.event)
  return event.data.includes('"role"') && isRoleChunk(parseJson(event.data))
}

/** An OpenAI chunk that only opens the assistant's turn: `{"delta": {"role": "assistant", "content": ""}}`, nothing else. */
function isRoleChunk(chunk: unknown): boolean {
  if (!isRecord(chunk) || !Array.isArray(chunk.choices) || chunk.choices.length === 0 || isRecord(chunk.usage)) return false
  return chunk.choices.every((choice) => {
    if (!isRecord(choice) || !isRecord(choice.delta) || (choice.finish_reason !== undefined && choice.finish_reason !== null)) return false
    return Object.entries(choice.delta).every(([key, value]) => key === 'role' || ((key === 'content' || key === 'refusal') && (value === '' || value === null)))
  })
}

/** An error event at the start of a stream, as an upstream error answer: the HTTP status it stands for and its body. */
export interface LeadingStreamError {
  status: number
  /** The event's JSON, in the upstream's own error shape (for the client when it is the client's fault). */
  body: string
  message: string
}

const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  // Codes of a Responses stream's response.failed / error event that are the request's fault
  // (a policy block included: another model would only be asked the same), not a server error to
  // retry and fail over on.
  invalid_prompt: 400,
  context_length_exceeded: 400,
  data_residency_mismatch: 400,
  bio_policy: 400,
  invalid_image: 400,
  invalid_image_format: 400,
  invalid_base64_image: 400,
  invalid_image_url: 400,
  image_too_large: 400,
  image_too_small: 400,
  image_parse_error: 400,
  image_content_policy_violation: 400,
  invalid_image_mode: 400,
  image_file_too_large: 400,
  unsupported_image_media_type: 400,
  empty_image_file: 400,
  failed_to_download_image: 400,
  image_file_not_found: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  requests: 429,
  tokens: 429,
  insufficient_quota: 429,
  api_error: 500,
  server_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
}

/** The HTTP status an in-stream error stands for: its numeric code when it has one, else its type; unknown ones are server errors. */
function statusOf(error: Record<string, unknown>): number {
  const code = typeof error.code === 'number' ? error.code : typeof error.status === 'number' ? error.status : null
  if (code !== null && Number.isInteger(code) && code >= 400 && code <= 599) return code
  for (const key of ['type', 'code']) {
    const value = error[key]
    if (typeof value === 'string' && STATUS_OF_TYPE[value] !== undefined) return STATUS_OF_TYPE[value]
  }
  return 500
}

/** The error an event reports, or null for any other event. Parses only events that can be one. */
export function leadingStreamError(event: SseEvent): LeadingStreamError | null {
  const named = event.event === 'error' || event.event === 'response.failed'
  if (!named && !event.data.includes('"error"')) return null
  const data = parseJson(event.data)
  if (!isRecord(data)) return named ? {status: 500, body: JSON.stringify({error: {message: 'upstream stream error', type: 'api_error'}}), message: 'upstream stream error'} : null
  let error: Record<string, unknown> | null = null
  if (data.type === 'response.failed' && isRecord(data.response) && isRecord(data.response.error)) error = data.response.error
  else if (isRecord(data.error)) error = data.error
  else if (data.type === 'error' && typeof data.message === 'string') error = data
  else if (typeof data.error === 'string') error = {message: data.error}
  if (!error) return null
  const message = typeof error.message === 'string' ? error.message : 'upstream stream error'
  const status = statusOf(error)
  // Anthropic and OpenAI shapes go back as they came; others (a Responses error event or
  // response.failed) in OpenAI's shape, which every error translator reads, with their code kept.
  const asSent = (data.type === 'error' && isRecord(data.error)) || (isRecord(data.error) && data.type === undefined)
  const body = asSent
    ? event.data
    : JSON.stringify({error: {message, type: errorTypeOf(error, status), param: typeof error.param === 'string' ? error.param : null, code: typeof error.code === 'string' ? error.code : null}})
  return {status, body, message}
}

/** The error's own type, unless it is the event's (`"type": "error"`) or missing: then the one OpenAI gives that status. */
function errorTypeOf(error: Record<string, unknown>, status: number): string {
  if (typeof error.type === 'string' && error.type !== 'error') return error.type
  if (status === 429) return 'rate_limit_error'
  return status < 500 ? 'invalid_request_error' : 'server_error'
}

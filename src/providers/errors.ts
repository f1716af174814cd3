/**
 * Upstream error bodies -> the client's error dialect. Upstreams answer in OpenAI's shape,
 * Anthropic's shape, some compatible server's own JSON, or a proxy's plain text / HTML page; the
 * client always gets the JSON its SDK parses.
 */
import {redactSecrets} from '../core/redact.js'
import {isRecord, parseJson} from './util.js'

export type ErrorDialect = 'openai' | 'anthropic'

/** Error types an Anthropic client knows (its SDK's ErrorType). */
const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'timeout_error',
  'api_error',
  'overloaded_error',
])

/** Anthropic error types OpenAI clients do not know -> OpenAI's (the others are the same words in both). */
const OPENAI_TYPE_OF_ANTHROPIC: Record<string, string | undefined> = {
  not_found_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  billing_error: 'insufficient_quota',
  timeout_error: 'server_error',
  api_error: 'server_error',
  overloaded_error: 'server_error',
}

const MAX_MESSAGE_CHARS = 500

export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error'
    case 401:
      return 'authentication_error'
    case 402:
      return 'billing_error'
    case 403:
      return 'permission_error'
    case 404:
      return 'not_found_error'
    case 413:
      return 'request_too_large'
    case 429:
      return 'rate_limit_error'
    case 504:
      return 'timeout_error'
    case 529:
      return 'overloaded_error'
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error'
  }
}

/** An error type an Anthropic client knows, from an OpenAI stream's error type ('server_error' -> 'api_error'). */
export function anthropicErrorType(type: unknown): string {
  if (typeof type === 'string' && ANTHROPIC_ERROR_TYPES.has(type)) return type
  if (type === 'requests' || type === 'tokens' || type === 'rate_limit_exceeded') return 'rate_limit_error'
  return 'api_error'
}

interface UpstreamError {
  shape: 'openai' | 'anthropic' | 'other'
  message: string
  type?: string
  code?: string | null
  param?: string | null
}

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** Reads whatever the upstream sent into a message and, when it has them, a type and code. */
export function parseUpstreamError(text: string, status: number): UpstreamError {
  const json = parseJson(text)
  if (isRecord(json)) {
    const error = json.error
    if (json.type === 'error' && isRecord(error) && typeof error.message === 'string') {
      return {shape: 'anthropic', message: error.message, type: optionalString(error.type) ?? undefined}
    }
    if (isRecord(error) && typeof error.message === 'string') {
      return {shape: 'openai', message: error.message, type: optionalString(error.type) ?? undefined, code: codeString(error.code), param: optionalString(error.param)}
    }
    // vLLM / llama.cpp / FastAPI / gateway shapes: {"error":"..."}, {"message":"..."}, {"detail":"..."}.
    const message = [error, json.message, detailText(json.detail)].find((m): m is string => typeof m === 'string' && m !== '')
    if (message) return {shape: 'other', message}
  }
  return {shape: 'other', message: nonJsonMessage(text, status)}
}

/** Some compatible servers put the HTTP status in `code`; only OpenAI's string codes mean something. */
function codeString(code: unknown): string | null {
  return typeof code === 'string' && code !== '' ? code : null
}

function detailText(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) {
    const parts = detail.map((d) => (isRecord(d) && typeof d.msg === 'string' ? d.msg : '')).filter((d) => d !== '')
    return parts.length > 0 ? parts.join('; ') : undefined
  }
  return undefined
}

/** A proxy's HTML error page says what it is in its <title>; plain text is shown as is. */
function nonJsonMessage(text: string, status: number): string {
  let body = text.trim()
  if (/^<(!doctype|html|head|body)\b/i.test(body) || /<\/(html|body|title)>/i.test(body)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1]
    const source = title && title.trim() !== '' ? title : body.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ')
    body = decodeEntities(source).replace(/\s+/g, ' ').trim()
  }
  if (body.length > MAX_MESSAGE_CHARS) body = `${body.slice(0, MAX_MESSAGE_CHARS)}...`
  return body === '' ? `Upstream error (HTTP ${status})` : `Upstream error (HTTP ${status}): ${body}`
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' '}
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10)
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : entity
    }
    return named[name.toLowerCase()] ?? entity
  })
}

const OVERFLOW_PATTERNS: RegExp[] = [
  /context_length_exceeded/i,
  /prompt is too long/i,
  /maximum context length/i,
  /exceeds? (the )?(model'?s? )?context (window|limit|length)/i,
  /context window (is )?(exceeded|too small)/i,
  /input is too long/i,
  /too many (input )?tokens/i,
  /exceed_context_size/i,
]

/**
 * The upstream refused the request because the prompt does not fit the model's context: OpenAI
 * `context_length_exceeded` ("maximum context length is ..."), Anthropic "prompt is too long" /
 * "input length and `max_tokens` exceed context limit", and compatible servers' variants.
 * Failover then picks a larger-context model (DESIGN §7) instead of retrying the same one.
 */
export function isContextOverflow(status: number, text: string): boolean {
  if (status < 400 || status >= 500 || status === 429 || status === 401 || status === 403) return false
  return OVERFLOW_PATTERNS.some((pattern) => pattern.test(text))
}

/**
 * A 404 about something the request named, not about the model: OpenAI answers an unknown
 * `previous_response_id`, `conversation` or file id with 404 and the parameter in `param`
 * (`previous_response_not_found`). That is the caller's mistake, returned as is; it must not count
 * against the model's health or send the request to another candidate (which has not got it either).
 * A 404 naming `model`, or saying nothing, stays the gateway's mapping problem (upstream_config).
 */
export function isRequestNotFound(status: number, text: string): boolean {
  if (status !== 404 || text === '') return false
  const parsed = parseUpstreamError(text, status)
  if (parsed.shape !== 'openai') return false
  if (parsed.code === 'model_not_found') return false
  if (parsed.code === 'previous_response_not_found') return true
  return parsed.param !== undefined && parsed.param !== null && parsed.param !== '' && !/^model\b/.test(parsed.param)
}

/**
 * Claude Code and other Anthropic clients recognise an overflow by "prompt is too long" (and
 * then compact the conversation), so an OpenAI-style overflow is restated in those words.
 */
function anthropicOverflowMessage(message: string): string {
  if (/prompt is too long/i.test(message)) return message
  const limit = /maximum context length is (\d+)/i.exec(message)?.[1]
  const used = /(?:resulted in|requested|you requested) (\d+) tokens/i.exec(message)?.[1]
  if (limit && used) return `prompt is too long: ${used} tokens > ${limit} maximum`
  return `prompt is too long: ${message}`
}

/**
 * What an upstream's JSON error says, for a client of the gateway: credentials redacted, the
 * operator's account ids (OpenAI `org-...`, `proj_...`) and URLs taken out, at most 300 characters.
 * Null when it says nothing, or is not a JSON error (a proxy's HTML page may name internal hosts).
 */
export function upstreamErrorMessage(text: string | null, status: number): string | null {
  if (!text || text.trim() === '' || parseJson(text) === undefined) return null
  const message = clientSafeMessage(parseUpstreamError(text, status).message)
  return message === '' ? null : message
}

/**
 * An error event of an upstream stream relayed as it is (a pass-through), with its words made
 * client-safe (see clientSafeMessage): OpenAI's `{"error": {...}}` chunk, Anthropic's `error`
 * event, a Responses `error` or `response.failed` event. The text as it came when nothing in it
 * needed that; `data` is the text parsed (changed in place).
 */
export function scrubbedErrorEvent(text: string, data: Record<string, unknown>): string {
  const holder = isRecord(data.error) ? data.error : isRecord(data.response) && isRecord(data.response.error) ? data.response.error : data.type === 'error' ? data : null
  if (!holder || typeof holder.message !== 'string') return text
  const safe = clientSafeMessage(holder.message)
  if (safe === holder.message) return text
  holder.message = safe
  return JSON.stringify(data)
}

/**
 * An upstream's own error words as a client may see them, in an error answer or a stream's error
 * frame: credentials redacted, the operator's account ids (`org-...`, `proj_...`) and URLs taken
 * out, at most 300 characters.
 */
export function clientSafeMessage(message: string): string {
  const safe = redactSecrets(message)
    .replace(/\b(org|proj)[-_][A-Za-z0-9]{6,}/g, '$1-[REDACTED]')
    .replace(/\bhttps?:\/\/\S+/g, '[URL]')
    .trim()
  return safe.length > 300 ? `${safe.slice(0, 300)}...` : safe
}

/** An upstream error body (any shape, or text/HTML) as the client dialect's error JSON. Secrets quoted back by the upstream are redacted. */
export function translateErrorBody(text: string, status: number, to: ErrorDialect): string {
  const parsed = parseUpstreamError(text, status)
  const overflow = isContextOverflow(status, text)
  let message = redactSecrets(parsed.message)
  if (to === 'openai') {
    // An Anthropic type OpenAI has no word for is said in OpenAI's; the Anthropic one stays as the code.
    const renamed = parsed.shape === 'anthropic' && parsed.type !== undefined ? OPENAI_TYPE_OF_ANTHROPIC[parsed.type] : undefined
    const type = renamed ?? parsed.type ?? errorTypeForStatus(status)
    const code = parsed.code ?? (overflow ? 'context_length_exceeded' : renamed ? parsed.type! : null)
    return JSON.stringify({error: {message, type, param: parsed.param ?? null, code}})
  }
  if (overflow) message = anthropicOverflowMessage(message)
  const type = parsed.shape === 'anthropic' && parsed.type ? parsed.type : errorTypeForStatus(status)
  return JSON.stringify({type: 'error', error: {type, message}})
}

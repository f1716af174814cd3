import type {Request} from 'hyper-express'
import {untilAbort, type AbortWatch} from './response-sink.js'
import {TokenHubError} from '../../src/core/errors.js'

export interface RequestContext {
  readonly method: string
  readonly path: string
  readonly params: Record<string, string>
  readonly query: URLSearchParams
  readonly requestId: string
  readonly remoteAddress: string
  header(name: string): string | undefined
  /** The body parsed as JSON; malformed JSON or a missing body is a 400. */
  json(): Promise<unknown>
  /** The body parsed as JSON, or undefined when there is none. */
  optionalJson(): Promise<unknown>
  /** For actions that take no input: an empty body or {} passes, anything else is a 400. */
  noBody(): Promise<void>
}

/** A path segment as the client meant it (`a%20b` is "a b"); malformed percent-encoding is a 400, not a 500. */
export function decodePathSegment(raw: string, what = 'id'): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new TokenHubError('VALIDATION', `the ${what} in the path is not valid percent-encoding`)
  }
}

export function createContext(req: Request, requestId: string, maxBodyBytes: number, client?: AbortWatch): RequestContext {
  const whole = (read: Promise<string>) => (client ? untilAbort(client, read) : read)
  let body: Promise<string> | undefined = isChunked(req) ? whole(readChunkedBody(req, maxBodyBytes)) : undefined
  let query: URLSearchParams | undefined
  let ip: string | undefined
  let params: Record<string, string> | undefined
  const readBody = () => (body ??= whole(readBodyText(req, maxBodyBytes)))
  return {
    method: req.method,
    path: req.path,
    get params() {
      return (params ??= Object.fromEntries(Object.entries(req.path_parameters).map(([name, value]) => [name, decodePathSegment(value)])))
    },
    // Parsed on first use: the /v1 path never needs them.
    get query() {
      return (query ??= new URLSearchParams(req.path_query))
    },
    requestId,
    get remoteAddress() {
      return (ip ??= safeIp(req))
    },
    header: (name) => req.headers[name.toLowerCase()],
    async json() {
      return requiredJson(await readBody())
    },
    async optionalJson() {
      const text = await readBody()
      return text.trim() === '' ? undefined : parseJson(text)
    },
    async noBody() {
      const text = await readBody()
      if (text.trim() === '') return
      const body = parseJson(text)
      if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return
      throw new TokenHubError('VALIDATION', 'this endpoint takes no body (send none, or {})')
    },
  }
}

/**
 * The body parsed as JSON, as `createContext(...).json()` reads it, without the context object
 * and its closures (the /v1 path needs nothing else from it). Call it before the handler's first
 * await: a chunked body is only delivered to a reader attached by then.
 */
export function readJsonBody(req: Request, maxBodyBytes: number): Promise<unknown> {
  return readRequestText(req, maxBodyBytes).then(requiredJson)
}

/** The whole body as text (plain or chunked), within the size limit; not parsed yet. */
export function readRequestText(req: Request, maxBodyBytes: number): Promise<string> {
  return isChunked(req) ? readChunkedBody(req, maxBodyBytes) : readBodyText(req, maxBodyBytes)
}

/** A body's JSON, or VALIDATION errors for an empty or malformed one. */
export function requiredJson(text: string): unknown {
  if (text.trim() === '') throw new TokenHubError('VALIDATION', 'the request body is empty; send a JSON object')
  return parseJson(text)
}

function safeIp(req: Request): string {
  try {
    return req.ip
  } catch {
    return ''
  }
}

/** Deeper JSON is refused before parsing: V8 parses deep nesting slowly (~0.5 s per million levels) and JSON.stringify overflows the stack on it. */
export const MAX_JSON_DEPTH = 512

/**
 * Whether arrays and objects nest deeper than `limit`. Strings are jumped over with the native
 * search (most of a large body, an agent's history, is string content), so the check costs a
 * fraction of the parse it guards.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      let end = text.indexOf('"', i + 1)
      // A quote after an odd number of backslashes is inside the string.
      for (; end !== -1; end = text.indexOf('"', end + 1)) {
        let slashes = 0
        while (text.charCodeAt(end - 1 - slashes) === 92) slashes++
        if (slashes % 2 === 0) break
      }
      if (end === -1) return false // unterminated: JSON.parse says so
      i = end
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return true
    } else if (c === 93 || c === 125) depth--
  }
  return false
}

function parseJson(text: string): unknown {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new TokenHubError('VALIDATION', `malformed JSON body: nested deeper than ${MAX_JSON_DEPTH} levels`)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new TokenHubError('VALIDATION', `malformed JSON body: ${(error as Error).message}`)
  }
}

const isChunked = (req: Request) => req.headers['content-length'] === undefined && req.headers['transfer-encoding'] !== undefined

const tooLarge = (bytes: number, limit: number) =>
  new TokenHubError('PAYLOAD_TOO_LARGE', `the request body is ${bytes === -1 ? 'larger than the limit' : `${bytes} bytes`}; the limit is ${limit} (TOKENHUB_MAX_BODY_BYTES)`)

/**
 * A chunked body (Transfer-Encoding, no Content-Length), which hyper-express would read as empty
 * (STACK-NOTES trap 16). uWS hands the data only to a handler attached before the route's first
 * await, so this starts when the context is created, and stops as soon as the limit is passed.
 */
function readChunkedBody(req: Request, maxBodyBytes: number): Promise<string> {
  const raw = (req as unknown as {_raw_response: {onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): void}})._raw_response
  const body = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    let done = false
    raw.onData((chunk, isLast) => {
      if (done) return
      total += chunk.byteLength
      if (total > maxBodyBytes) {
        done = true
        reject(tooLarge(-1, maxBodyBytes))
        return
      }
      // uWS reuses the chunk's memory after this callback: copy it.
      chunks.push(Buffer.from(chunk.slice(0)))
      if (isLast) {
        done = true
        resolve(Buffer.concat(chunks).toString('utf8'))
      }
    })
  })
  body.catch(() => {}) // the handler that reads the body reports the error
  return body
}

/** Reads a Content-Length body within the limit; a larger declared length is refused before reading. */
async function readBodyText(req: Request, maxBodyBytes: number): Promise<string> {
  const length = req.headers['content-length']
  if (length === undefined) return ''
  const declared = Number(length)
  if (!Number.isSafeInteger(declared) || declared < 0) throw new TokenHubError('VALIDATION', 'invalid Content-Length header')
  if (declared > maxBodyBytes) throw tooLarge(declared, maxBodyBytes)
  return declared === 0 ? '' : req.text()
}

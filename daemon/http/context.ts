import type {Request} from 'hyper-express'
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
}

export function createContext(req: Request, requestId: string, maxBodyBytes: number): RequestContext {
  const remoteAddress = safeIp(req)
  let body: Promise<string> | undefined
  const readBody = () => (body ??= readBodyText(req, maxBodyBytes))
  return {
    method: req.method,
    path: req.path,
    params: req.path_parameters,
    query: new URLSearchParams(req.path_query),
    requestId,
    remoteAddress,
    header: (name) => req.headers[name.toLowerCase()],
    async json() {
      const text = await readBody()
      if (text.trim() === '') throw new TokenHubError('VALIDATION', 'the request body is empty; send a JSON object')
      return parseJson(text)
    },
    async optionalJson() {
      const text = await readBody()
      return text.trim() === '' ? undefined : parseJson(text)
    },
  }
}

function safeIp(req: Request): string {
  try {
    return req.ip
  } catch {
    return ''
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new TokenHubError('VALIDATION', `malformed JSON body: ${(error as Error).message}`)
  }
}

/**
 * Reads the body within the limit. hyper-express only reads bodies that declare Content-Length
 * (a chunked body would read as empty), so chunked bodies are refused with 411 rather than
 * mistaken for empty ones.
 */
async function readBodyText(req: Request, maxBodyBytes: number): Promise<string> {
  const length = req.headers['content-length']
  if (length === undefined) {
    if (req.headers['transfer-encoding']) {
      throw new TokenHubError('LENGTH_REQUIRED', 'chunked request bodies are not accepted on this endpoint; send Content-Length')
    }
    return ''
  }
  const declared = Number(length)
  if (!Number.isSafeInteger(declared) || declared < 0) throw new TokenHubError('VALIDATION', 'invalid Content-Length header')
  if (declared > maxBodyBytes) {
    throw new TokenHubError('PAYLOAD_TOO_LARGE', `the request body is ${declared} bytes; the limit is ${maxBodyBytes}`)
  }
  return declared === 0 ? '' : req.text()
}

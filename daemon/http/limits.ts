import type {Request, Response} from 'hyper-express'
import {TokenHubError} from '../../src/core/errors.js'

export interface RequestLimits {
  maxBodyBytes: number
  maxHeaderBytes: number
  maxUrlBytes: number
}

/**
 * URL and header sizes, answered with 414 / 431 in the endpoint's format. uWS 20.30 closes the
 * connection before any route runs when a head arriving in more than one read passes 4 KiB (any
 * head over ~1.4 KB on a real network), or a head read whole passes ~128 KiB.
 */
export function checkRequestHead(req: Request, res: Response, limits: RequestLimits): void {
  checkFraming(req, res)
  const urlBytes = req.path.length + (req.path_query?.length ?? 0)
  if (urlBytes > limits.maxUrlBytes) throw new TokenHubError('URI_TOO_LONG', `the URL is ${urlBytes} bytes; the limit is ${limits.maxUrlBytes} (TOKENHUB_MAX_URL_BYTES)`)
  let headerBytes = 0
  // for...in, not Object.entries: no array of pairs per request.
  const headers = req.headers
  for (const name in headers) {
    const value = headers[name]
    headerBytes += name.length + (typeof value === 'string' ? value.length : 0) + 4
  }
  if (headerBytes > limits.maxHeaderBytes) {
    throw new TokenHubError('HEADERS_TOO_LARGE', `the request headers are ${headerBytes} bytes; the limit is ${limits.maxHeaderBytes} (TOKENHUB_MAX_HEADER_BYTES)`)
  }
}

/**
 * A body's length said two ways ends the connection at once (RFC 9112 §6.3: unrecoverable). uWS
 * frames the body by the first Content-Length and hyper-express read the last one: two different
 * values gave a body padded with NUL bytes, and the bytes past the first length were parsed as the
 * next request on the connection, a request-smuggling gap behind a proxy that reads the other one.
 * Transfer-Encoding with a Content-Length is as ambiguous. uWS parses a pipelined request in the
 * same read before any answer goes out, and only a closed socket stops it, so there is no 400:
 * the socket is closed. Checked while uWS's request is still readable (synchronously, before the
 * handler's first await); one native call when a Content-Length is present.
 */
function checkFraming(req: Request, res: Response): void {
  if (closedOnAmbiguousFraming(req, res)) {
    throw new TokenHubError('VALIDATION', 'the request gives its body length more than one way (two different Content-Length headers, or one with Transfer-Encoding); connection closed')
  }
}

/** Closes the connection when the request's body length is given two ways (see checkFraming); true when it did. */
export function closedOnAmbiguousFraming(req: Request, res: Response): boolean {
  if (!framingConflict(req)) return false
  res.close()
  return true
}

/** Whether the request's body length is given two ways; false once uWS's request is gone. */
function framingConflict(req: Request): boolean {
  const length = req.headers['content-length']
  if (length === undefined) return false
  if (req.headers['transfer-encoding'] !== undefined) return true
  try {
    return req.raw.getHeader('content-length') !== length
  } catch {
    // The uWS request is gone (called after an await): nothing more to compare.
    return false
  }
}

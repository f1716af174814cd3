import type {Request} from 'hyper-express'
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
export function checkRequestHead(req: Request, limits: RequestLimits): void {
  const urlBytes = req.path.length + (req.path_query?.length ?? 0)
  if (urlBytes > limits.maxUrlBytes) throw new TokenHubError('URI_TOO_LONG', `the URL is ${urlBytes} bytes; the limit is ${limits.maxUrlBytes} (TOKENHUB_MAX_URL_BYTES)`)
  let headerBytes = 0
  for (const [name, value] of Object.entries(req.headers)) headerBytes += name.length + (typeof value === 'string' ? value.length : 0) + 4
  if (headerBytes > limits.maxHeaderBytes) {
    throw new TokenHubError('HEADERS_TOO_LARGE', `the request headers are ${headerBytes} bytes; the limit is ${limits.maxHeaderBytes} (TOKENHUB_MAX_HEADER_BYTES)`)
  }
}

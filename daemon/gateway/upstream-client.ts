import {EventEmitter} from 'node:events'
import {Agent, type Dispatcher} from 'undici'

/**
 * Cancels one upstream call. undici takes an EventEmitter as a request's signal (documented next
 * to AbortSignal); Node 20 builds an AbortController with an EventTarget, a few microseconds per
 * request that every request paid and almost none uses.
 */
export class UpstreamAbort extends EventEmitter {
  aborted = false

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.emit('abort')
  }
}

export interface UpstreamRequest {
  baseUrl: string
  path: string
  headers: Record<string, string>
  body: string
  signal: AbortSignal | UpstreamAbort
  /** Time to the response headers (first byte). */
  firstByteTimeoutMs: number
  /** Longest silence between body chunks. */
  idleTimeoutMs: number
}

/**
 * Upstream HTTP through one undici Agent: a keep-alive connection pool per origin, no redirects
 * followed (undici's request() never follows them), Nagle off. HTTP/1.1 carries one request per
 * connection at a time, so by default every concurrent request gets its own connection (1,000
 * open streams to one provider are 1,000 connections); `maxConnections` caps that per origin, and
 * requests beyond the cap wait in line for a free connection.
 */
export class UpstreamClient {
  private readonly agent: Agent

  constructor(options: {maxConnections?: number} = {}) {
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connections: options.maxConnections ? options.maxConnections : null,
      pipelining: 1,
      connect: {noDelay: true},
    })
  }

  private readonly bases = new Map<string, {origin: string; prefix: string}>()

  send(request: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    const base = this.base(request.baseUrl)
    return this.agent.request({
      origin: base.origin,
      path: base.prefix + request.path,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      headersTimeout: request.firstByteTimeoutMs,
      bodyTimeout: request.idleTimeoutMs,
    })
  }

  /** Provider base URLs parsed once ("https://host/openai" -> origin + path prefix). */
  private base(baseUrl: string): {origin: string; prefix: string} {
    let base = this.bases.get(baseUrl)
    if (!base) {
      const url = new URL(baseUrl)
      base = {origin: url.origin, prefix: url.pathname.replace(/\/$/, '')}
      this.bases.set(baseUrl, base)
    }
    return base
  }

  close(): Promise<void> {
    return this.agent.close()
  }
}

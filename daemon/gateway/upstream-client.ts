import {Agent, type Dispatcher} from 'undici'

export interface UpstreamRequest {
  baseUrl: string
  path: string
  headers: Record<string, string>
  body: string
  signal: AbortSignal
  /** Time to the response headers (first byte). */
  firstByteTimeoutMs: number
  /** Longest silence between body chunks. */
  idleTimeoutMs: number
}

/**
 * Upstream HTTP through one undici Agent: a keep-alive connection pool per origin, no redirects
 * followed (undici's request() never follows them), Nagle off.
 */
export class UpstreamClient {
  private readonly agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: 512,
    pipelining: 1,
    connect: {noDelay: true},
  })

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

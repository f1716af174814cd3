import type {Dispatcher} from 'undici'
// Only the Agent and its errors, not undici's index: that loads fetch, WebSocket, caches, mocks
// and interceptors too (~1 MB of code), ~50-80 ms of the daemon's time to listening.
import Agent from 'undici/lib/dispatcher/agent.js'
import errors from 'undici/lib/core/errors.js'
import {TokenHubError} from '../../src/core/errors.js'

export interface UpstreamRequest {
  baseUrl: string
  path: string
  headers: Record<string, string>
  /** POST when absent (every /v1 call); GET and DELETE for what an upstream stored. */
  method?: 'POST' | 'GET' | 'DELETE'
  /** Absent for a GET or DELETE. */
  body?: string
  /** Time to the response headers (first byte). */
  firstByteTimeoutMs: number
  /** Longest silence between body chunks. */
  idleTimeoutMs: number
}

/** Body bytes held for a reader that has not caught up before the upstream socket is paused. */
const HIGH_WATER_BYTES = 64 * 1024

/**
 * One upstream call, fed by undici's dispatcher handler interface (the layer undici's own
 * `request()` is built on) instead of `request()`: no Readable stream per response, no
 * AsyncResource, no abort-signal listeners. Same-window A/B of two bare proxies at concurrency
 * 50: ~12 us less CPU per request (of ~75); per streamed chunk a promise instead of the stream
 * machinery.
 *
 * `ready` resolves once the status and headers are in (and rejects on a network error, a
 * first-byte timeout or an abort before them); the body is then read once, either whole with
 * `text()` or chunk by chunk with `for await`. A reader that falls behind pauses the upstream
 * socket (backpressure); leaving the loop early, or `abort()`, drops the connection.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler, AsyncIterable<Buffer> {
  statusCode = 0
  readonly ready: Promise<void>

  private rawHeaders: Buffer[] = []
  private settleReady!: {resolve: () => void; reject: (error: Error) => void}
  private abortUndici: ((reason: Error) => void) | null = null
  private abortReason: Error | null = null
  private resumeUndici: (() => void) | null = null
  private paused = false
  private readonly chunks: Buffer[] = []
  private queuedBytes = 0
  private complete = false
  private failure: Error | null = null
  private wake: (() => void) | null = null

  constructor() {
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = {resolve, reject}))
    // Nobody may be waiting on `ready` when an abort rejects it (the caller already moved on).
    this.ready.catch(() => {})
  }

  /** Stops the call: before the headers `ready` rejects; after them, reading the body fails. Idempotent; a no-op once complete. */
  abort(reason: Error = new errors.RequestAbortedError()): void {
    if (this.complete || this.failure || this.abortReason) return
    this.abortReason = reason
    if (this.abortUndici) this.abortUndici(reason)
    // Still waiting for a free connection (TOKENHUB_UPSTREAM_MAX_CONNECTIONS): fail now, not
    // when one frees up; undici drops the request once it gets there (onConnect).
    else this.onError(reason)
  }

  /** A response header (the first value), by lower-case name. */
  header(name: string): string | undefined {
    for (let i = 0; i < this.rawHeaders.length; i += 2) {
      const key = this.rawHeaders[i]
      if (key.length === name.length && key.toString('latin1').toLowerCase() === name) return this.rawHeaders[i + 1].toString('latin1')
    }
    return undefined
  }

  /**
   * The whole body as UTF-8 text, without a leading byte order mark (as undici's own text() and the
   * Fetch spec decode). Past `maxBytes` the call is dropped and this throws.
   */
  async text(maxBytes = Number.POSITIVE_INFINITY): Promise<string> {
    const parts: Buffer[] = []
    let received = 0
    for await (const chunk of this) {
      received += chunk.length
      if (received > maxBytes) {
        this.abort()
        throw new Error(`the upstream's answer is larger than ${maxBytes} bytes`)
      }
      parts.push(chunk)
    }
    const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts)
    const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
    return bytes.toString('utf8', bom ? 3 : 0)
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.nextChunk(),
      // `break` or a throw in the reader's loop: the rest of the body is not wanted.
      return: () => {
        this.abort()
        return Promise.resolve({done: true, value: undefined})
      },
    }
  }

  private async nextChunk(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const chunk = this.chunks.shift()
      if (chunk !== undefined) {
        this.queuedBytes -= chunk.length
        if (this.paused && this.queuedBytes < HIGH_WATER_BYTES) {
          this.paused = false
          this.resumeUndici?.()
        }
        return {done: false, value: chunk}
      }
      if (this.failure) throw this.failure
      if (this.complete) return {done: true, value: undefined}
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  /** undici's callbacks hold its client, request and socket: a finished call keeps none of them. */
  private release(): void {
    this.abortUndici = null
    this.resumeUndici = null
  }

  private notify(): void {
    const wake = this.wake
    if (wake) {
      this.wake = null
      wake()
    }
  }

  // undici's handler interface, called by its HTTP/1.1 client.

  onConnect(abort: (reason: Error) => void): void {
    if (this.abortReason) abort(this.abortReason)
    else this.abortUndici = abort
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx interim answers: the real one follows.
    if (statusCode < 200) return true
    this.statusCode = statusCode
    this.rawHeaders = rawHeaders
    this.resumeUndici = resume
    this.settleReady.resolve()
    return true
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk)
    this.queuedBytes += chunk.length
    this.notify()
    if (this.queuedBytes < HIGH_WATER_BYTES) return true
    this.paused = true
    return false
  }

  onComplete(): void {
    this.complete = true
    this.release()
    this.notify()
  }

  onError(error: Error): void {
    this.failure = error
    this.release()
    // Before the headers: the caller is waiting on `ready`; after them, on the body.
    this.settleReady.reject(error)
    this.notify()
  }
}

/**
 * Upstream HTTP through one undici Agent: a keep-alive connection pool per origin, no redirects
 * followed (a 3xx comes back as it is), Nagle off. HTTP/1.1 carries one request per connection
 * at a time, so by default every concurrent request gets its own connection (1,000 open streams
 * to one provider are 1,000 connections); `maxConnections` caps that per origin, and requests
 * beyond the cap wait in line for a free connection.
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

  send(request: UpstreamRequest): UpstreamCall {
    const base = this.base(request.baseUrl)
    const call = new UpstreamCall()
    this.agent.dispatch(
      {
        origin: base.origin,
        path: base.prefix + request.path,
        method: request.method ?? 'POST',
        headers: request.headers,
        body: request.body ?? null,
        headersTimeout: request.firstByteTimeoutMs,
        bodyTimeout: request.idleTimeoutMs,
      },
      call,
    )
    return call
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

  /** The daemon cut the calls still open (past its drain deadline): their failures are not the upstream's. */
  cut = false

  /** Waits for requests in flight to finish; `abort` ends them now instead (past the drain deadline). */
  close(abort = false): Promise<void> {
    if (!abort) return this.agent.close()
    this.cut = true
    // A coded error, not a plain Error, so whatever still reads it says what happened ("SHUTTING_DOWN: ...").
    return this.agent.destroy(new TokenHubError('SHUTTING_DOWN', 'the daemon is shutting down'))
  }
}

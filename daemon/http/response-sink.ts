import type {Response} from 'hyper-express'
import {TokenHubError} from '../../src/core/errors.js'

/**
 * The gateway's view of a client response: JSON in one go, or a stream written chunk by chunk
 * with backpressure (each write resolves once uWS took the bytes). Keeps hyper-express out of the
 * gateway logic.
 */
export interface ResponseSink {
  readonly aborted: boolean
  readonly started: boolean
  onAbort(listener: () => void): void
  send(status: number, body: string, headers: Record<string, string>): void
  startStream(status: number, headers: Record<string, string>): void
  write(text: string): Promise<void>
  end(): void
}

/**
 * Calls `listener` when the client goes away. hyper-express reports aborts through an
 * EventEmitter that it builds (as a whole Writable stream) on first use: far too costly per
 * request. Its uWS onAborted handler is replaced by one that does the same bookkeeping
 * (hyper-express 6.14.12, Response constructor) and then calls the listener. uWS keeps one
 * onAborted handler per response; the last one set wins, so one listener per response.
 */
export function onClientAbort(res: Response, listener: () => void): void {
  const internals = res as unknown as {
    _raw_response: {onAborted(handler: () => void): void}
    _wrapped_request: {_body_parser_stop(): void}
    _writable: unknown
    _drain_handler: ((offset: number) => boolean) | null
    completed: boolean
    emit(event: string, ...args: unknown[]): boolean
  }
  internals._raw_response.onAborted(() => {
    if (!internals.completed) {
      internals.completed = true
      internals._wrapped_request._body_parser_stop()
      if (internals._writable) {
        internals.emit('abort', internals._wrapped_request, res)
        internals.emit('close', internals._wrapped_request, res)
      }
      // A write waiting for the client to drain (uWS onWritable) would wait forever: uWS calls
      // nothing on a response after its abort. Its drain handler sees `completed` and settles it.
      internals._drain_handler?.(0)
    }
    listener()
  })
}

/** Something that knows whether its client left. */
export interface AbortWatch {
  readonly aborted: boolean
  onAbort(listener: () => void): void
}

/** An AbortWatch for a response that has no sink (admin routes). */
export function watchAbort(res: Response): AbortWatch {
  let aborted = false
  const listeners: Array<() => void> = []
  onClientAbort(res, () => {
    aborted = true
    for (const listener of listeners) listener()
  })
  return {
    get aborted() {
      return aborted
    },
    onAbort: (listener) => listeners.push(listener),
  }
}

/**
 * `promise`, or CLIENT_CLOSED once the client leaves: a body the client stopped sending never
 * ends, and a handler waiting for it would hold its in-flight count (and every shutdown's drain) forever.
 */
export function untilAbort<T>(watch: AbortWatch, promise: Promise<T>): Promise<T> {
  const closed = () => new TokenHubError('CLIENT_CLOSED', 'the client closed the connection before sending the whole request')
  if (watch.aborted) return Promise.reject(closed())
  return new Promise<T>((resolve, reject) => {
    watch.onAbort(() => reject(closed()))
    promise.then(resolve, reject)
  })
}

/** The hyper-express internals the stream writer uses (6.14.12): its cork, its status/header flush, and uWS itself. */
interface RawResponse {
  completed: boolean
  atomic(fn: () => void): void
  _initiate_response(): void
  _raw_response: {write(chunk: string): boolean}
  drain(handler: (offset: number) => boolean): void
}

export class HyperExpressSink implements ResponseSink {
  private startedFlag = false
  private readonly client: AbortWatch

  constructor(private readonly res: Response) {
    this.client = watchAbort(res)
  }

  get aborted(): boolean {
    return this.client.aborted || this.res.completed
  }

  get started(): boolean {
    return this.startedFlag
  }

  onAbort(listener: () => void): void {
    this.client.onAbort(listener)
  }

  send(status: number, body: string, headers: Record<string, string>): void {
    if (this.aborted) return
    this.startedFlag = true
    this.res.atomic(() => {
      this.res.status(status)
      for (const name in headers) this.res.header(name, headers[name])
      this.res.send(body)
    })
  }

  startStream(status: number, headers: Record<string, string>): void {
    this.startedFlag = true
    this.res.status(status)
    for (const name in headers) this.res.header(name, headers[name])
  }

  /**
   * hyper-express's public write()/end() go through a stream.Writable it builds per response and
   * a callback per chunk; this is the uWS write itself, under cork, with backpressure, without the
   * stream machinery: a stream of 1,000 chunks costs that much less per chunk. end() is send()
   * with no body: uWS closes the chunked body.
   */
  write(text: string): Promise<void> {
    if (this.aborted) return Promise.resolve()
    // Not hyper-express's _stream_chunk: on backpressure it writes the chunk again from its drain
    // handler, but uWS write() has already buffered all of it ("returns false if backpressure was
    // added"), so a slow client received events twice and the buffer grew by each copy. Here the
    // bytes are written once; a write that found or added backpressure resolves when uWS drains.
    // Every such write shares one drain wait: hyper-express keeps one drain handler per response,
    // and a second write (an events keep-alive) would otherwise orphan the first one's.
    const res = this.res as unknown as RawResponse
    return new Promise((resolve) =>
      res.atomic(() => {
        if (res.completed) return resolve()
        res._initiate_response()
        if (res._raw_response.write(text) && this.draining === null) return resolve()
        this.drained().then(resolve, resolve)
      }),
    )
  }

  private draining: Promise<void> | null = null
  private settleDrain: (() => void) | null = null

  /** Settles when uWS can take more (or the response ended: the abort handler calls the drain handler). */
  private drained(): Promise<void> {
    this.draining ??= new Promise((resolve) => {
      this.settleDrain = resolve
      ;(this.res as unknown as RawResponse).drain(() => {
        this.draining = null
        this.settleDrain = null
        resolve()
        return true
      })
    })
    return this.draining
  }

  end(): void {
    if (!this.aborted) this.res.send()
  }

  /**
   * Drops the connection of an unfinished response (a client that stopped reading: the body is
   * cut, uWS's buffered bytes freed); a waiting write settles. A finished response is uWS's alone.
   */
  destroy(): void {
    if (!this.aborted) this.res.close()
    this.draining = null
    this.settleDrain?.()
    this.settleDrain = null
  }
}

import type {Response} from 'hyper-express'

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

export class HyperExpressSink implements ResponseSink {
  private abortedFlag = false
  private startedFlag = false
  private readonly listeners: Array<() => void> = []

  constructor(private readonly res: Response) {
    // hyper-express reports aborts through an EventEmitter that it builds (as a whole Writable
    // stream) on first use: far too costly per request. Its uWS onAborted handler is replaced by
    // one that does the same bookkeeping (hyper-express 6.14.12, Response constructor) and then
    // tells our listeners. uWS keeps one onAborted handler per response; the last one set wins.
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
      this.abortedFlag = true
      for (const listener of this.listeners) listener()
    })
  }

  get aborted(): boolean {
    return this.abortedFlag || this.res.completed
  }

  get started(): boolean {
    return this.startedFlag
  }

  onAbort(listener: () => void): void {
    this.listeners.push(listener)
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
   * a callback per chunk; its internal chunk writer (the one that Writable calls) does the same
   * uWS write under cork with backpressure, without the stream machinery: a stream of 1,000
   * chunks costs that much less per chunk. end() is send() with no body: uWS closes the chunked
   * body.
   */
  write(text: string): Promise<void> {
    if (this.aborted) return Promise.resolve()
    return (this.res as unknown as {_stream_chunk(chunk: string): Promise<void>})._stream_chunk(text)
  }

  end(): void {
    if (!this.aborted) this.res.send()
  }
}

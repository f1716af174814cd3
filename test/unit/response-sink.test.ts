/**
 * The stream writer against uWS's write semantics, faked: write() always takes the whole chunk and
 * returns false when that added backpressure; the one drain handler is called when the socket
 * drains (or, from our abort handler, when the client left).
 */
import {describe, expect, it} from 'vitest'
import {HyperExpressSink} from '../../daemon/http/response-sink.js'

function fakeResponse() {
  const written: string[] = []
  let backpressure = false
  let aborted: (() => void) | null = null
  const res = {
    completed: false,
    _writable: null,
    _drain_handler: null as ((offset: number) => boolean) | null,
    _wrapped_request: {_body_parser_stop() {}},
    _raw_response: {
      onAborted(handler: () => void) {
        aborted = handler
      },
      write(chunk: string) {
        written.push(chunk)
        return !backpressure
      },
    },
    atomic(fn: () => void) {
      fn()
    },
    _initiate_response() {},
    drain(handler: (offset: number) => boolean) {
      res._drain_handler = handler
    },
    emit() {
      return true
    },
  }
  return {
    res,
    written,
    congest: (on: boolean) => (backpressure = on),
    drainNow: () => res._drain_handler?.(0),
    abort: () => aborted?.(),
  }
}

const settled = async (promise: Promise<void>) => {
  let done = false
  void promise.then(() => (done = true))
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('HyperExpressSink.write', () => {
  it('writes each chunk once; under backpressure every pending write settles on the one drain, nothing is written again', async () => {
    const fake = fakeResponse()
    const sink = new HyperExpressSink(fake.res as never)
    expect(await settled(sink.write('a'))).toBe(true)
    fake.congest(true)
    const b = sink.write('b')
    // A second write while the first waits (the events stream's keep-alive) shares the wait.
    const keepalive = sink.write(': keep-alive\n\n')
    expect(await settled(b)).toBe(false)
    fake.congest(false)
    const c = sink.write('c')
    expect(await settled(c)).toBe(false) // still behind the drain
    fake.drainNow()
    expect(await settled(b)).toBe(true)
    expect(await settled(keepalive)).toBe(true)
    expect(await settled(c)).toBe(true)
    expect(fake.written).toEqual(['a', 'b', ': keep-alive\n\n', 'c'])
    expect(await settled(sink.write('d'))).toBe(true)
    expect(fake.written).toEqual(['a', 'b', ': keep-alive\n\n', 'c', 'd'])
  })

  it('a write waiting for a client that leaves settles, and later writes are dropped', async () => {
    const fake = fakeResponse()
    const sink = new HyperExpressSink(fake.res as never)
    fake.congest(true)
    const pending = sink.write('x')
    expect(await settled(pending)).toBe(false)
    fake.abort()
    expect(await settled(pending)).toBe(true)
    expect(sink.aborted).toBe(true)
    expect(await settled(sink.write('y'))).toBe(true)
    expect(fake.written).toEqual(['x'])
  })
})

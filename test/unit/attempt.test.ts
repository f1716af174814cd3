import {describe, expect, it} from 'vitest'
import {blameFor, nextStep} from '../../src/core/failover.js'
import type {RoutableModel} from '../../src/core/routing/types.js'
import {planRequest} from '../../src/providers/plan.js'
import {runAttempt, STREAM_CUT_MESSAGE} from '../../daemon/gateway/attempt.js'
import {dialectErrorBody} from '../../daemon/gateway/dialect-errors.js'
import {TokenHubError} from '../../src/core/errors.js'
import type {ResponseSink} from '../../daemon/http/response-sink.js'
import {UpstreamCall, type UpstreamClient} from '../../daemon/gateway/upstream-client.js'

const model = {id: 'm', providerId: 'p', providerType: 'openai', upstreamModel: 'm-up', maxOutputTokens: 0, maxContextTokens: 0} as unknown as RoutableModel

const sink: ResponseSink = {aborted: false, started: false, onAbort: () => {}, send: () => {}, startStream: () => {}, write: async () => {}, end: () => {}}

function attemptWith(error: Error & {code?: string}) {
  // undici reports a failed connect through the call's onError, before any headers.
  const send = () => {
    const call = new UpstreamCall()
    call.onError(error)
    return call
  }
  const upstream = {send} as unknown as UpstreamClient
  const plan = planRequest({dialect: 'openai', endpoint: 'chat', body: {model: 'm', messages: [{role: 'user', content: 'hi'}]}, stream: false, requestId: 'r1'}, model, 'sk-test')
  return runAttempt({plan, model, baseUrl: 'http://127.0.0.1:1', stream: false, clientDialect: 'openai', endpoint: 'chat', sink, upstream, firstByteTimeoutMs: 1000, idleTimeoutMs: 1000, responseHeaders: () => ({}), secrets: [], now: () => performance.now()})
}

describe('an upstream attempt that cannot connect', () => {
  it('blames the provider when the network refuses, and fails over', async () => {
    const outcome = await attemptWith(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {code: 'ECONNREFUSED'}))
    expect(outcome.kind).toBe('failure')
    if (outcome.kind !== 'failure') return
    expect(outcome.failure.errorClass).toBe('network')
    expect(blameFor(outcome.failure.errorClass)).toBe('provider')
    expect(nextStep(outcome.failure, 1)).toBe('next_candidate')
  })

  it.each(['EMFILE', 'ENFILE'])('does not blame the provider when the gateway is out of file descriptors (%s), and says what to raise', async (code) => {
    const outcome = await attemptWith(Object.assign(new Error(`connect ${code}`), {code}))
    expect(outcome.kind).toBe('failure')
    if (outcome.kind !== 'failure') return
    expect(outcome.failure).toMatchObject({errorClass: 'gateway_resources', status: 503})
    expect(outcome.failure.message).toMatch(/file descriptors.*LimitNOFILE.*TOKENHUB_UPSTREAM_MAX_CONNECTIONS/)
    expect(blameFor(outcome.failure.errorClass)).toBe('none')
    // Another provider would meet the same limit: the client gets the 503 now.
    expect(nextStep(outcome.failure, 0)).toBe('return_to_client')
  })
})

/** A streamed attempt against a scripted upstream: `script` feeds the call; the clock is the test's. */
async function streamAttempt(script: (call: UpstreamCall, clock: {now: number}, written: string[]) => Promise<void>, options: {cut?: boolean; clientDialect?: 'anthropic' | 'openai'} = {}) {
  const clock = {now: 0}
  const written: string[] = []
  const streamSink = {
    aborted: false,
    started: false,
    onAbort: () => {},
    send: () => {},
    startStream() {
      streamSink.started = true
    },
    write: async (text: string) => {
      written.push(text)
    },
    end: () => {},
  }
  const call = new UpstreamCall()
  const upstream = {send: () => call, cut: options.cut ?? false} as unknown as UpstreamClient
  const claude = {...model, providerType: 'anthropic'} as unknown as RoutableModel
  const clientDialect = options.clientDialect ?? 'anthropic'
  const plan = planRequest({dialect: clientDialect, endpoint: 'chat', body: {model: 'm', max_tokens: 5, messages: [{role: 'user', content: 'hi'}]}, stream: true, requestId: 'r1'}, claude, 'sk-test')
  const running = runAttempt({plan, model: claude, baseUrl: 'http://127.0.0.1:1', stream: true, clientDialect, endpoint: 'chat', sink: streamSink as ResponseSink, upstream, firstByteTimeoutMs: 1000, idleTimeoutMs: 1000, responseHeaders: () => ({}), secrets: [], now: () => clock.now})
  await script(call, clock, written)
  return {outcome: await running, written}
}

const frame = (type: string, data: object = {}) => Buffer.from(`event: ${type}\ndata: ${JSON.stringify({type, ...data})}\n\n`)
const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('the start of an upstream stream', () => {
  it('holds the preamble, so an overloaded_error after it fails over with nothing sent', async () => {
    const {outcome, written} = await streamAttempt(async (call) => {
      call.onHeaders(200, [], () => {})
      call.onData(frame('message_start', {message: {id: 'msg_1', usage: {input_tokens: 3, output_tokens: 1}}}))
      await tick()
      call.onData(frame('ping'))
      await tick()
      call.onData(frame('error', {error: {type: 'overloaded_error', message: 'Overloaded'}}))
      call.onComplete()
    })
    expect(written).toEqual([])
    expect(outcome).toMatchObject({kind: 'failure', failure: {errorClass: 'transient', status: 529}})
  })

  it('sends the held preamble with the first content', async () => {
    const {outcome, written} = await streamAttempt(async (call) => {
      call.onHeaders(200, [], () => {})
      call.onData(frame('message_start', {message: {id: 'msg_1', usage: {input_tokens: 3, output_tokens: 1}}}))
      await tick()
      call.onData(frame('content_block_start', {index: 0, content_block: {type: 'text', text: ''}}))
      await tick()
      call.onData(Buffer.concat([frame('message_delta', {delta: {stop_reason: 'end_turn'}, usage: {output_tokens: 1}}), frame('message_stop')]))
      call.onComplete()
    })
    expect(outcome.kind).toBe('success')
    expect(written[0]).toMatch(/^event: message_start\n[\s\S]*event: content_block_start\n/)
  })

  it('stops holding after 5 s: a later ping goes out with the preamble', async () => {
    const {written} = await streamAttempt(async (call, clock, written) => {
      call.onHeaders(200, [], () => {})
      call.onData(frame('message_start', {message: {id: 'msg_1'}}))
      await tick()
      expect(written).toEqual([])
      clock.now = 6_000
      call.onData(frame('ping'))
      await tick()
      expect(written.join('')).toMatch(/message_start[\s\S]*ping/)
      call.onData(frame('message_stop'))
      call.onComplete()
    })
    expect(written.length).toBeGreaterThan(0)
  })
})

describe('a JSON answer to a streaming request', () => {
  const json = [Buffer.from('content-type'), Buffer.from('application/json')]

  it('is an upstream that does not stream: the next candidate is tried, nothing is sent', async () => {
    const {outcome, written} = await streamAttempt(async (call) => {
      call.onHeaders(200, json, () => {})
      call.onData(Buffer.from(JSON.stringify({id: 'x', object: 'chat.completion', choices: [{message: {role: 'assistant', content: 'ok'}}]})))
      call.onComplete()
    })
    expect(written).toEqual([])
    expect(outcome).toMatchObject({kind: 'failure', failure: {errorClass: 'upstream_config', status: 502}})
    if (outcome.kind === 'failure') expect(nextStep(outcome.failure, 0)).toBe('next_candidate')
  })

  it('holding an error fails like the status it stands for', async () => {
    const {outcome} = await streamAttempt(async (call) => {
      call.onHeaders(200, json, () => {})
      call.onData(Buffer.from(JSON.stringify({error: {type: 'rate_limit_exceeded', message: 'slow down'}})))
      call.onComplete()
    })
    expect(outcome).toMatchObject({kind: 'failure', failure: {errorClass: 'rate_limited', status: 429}})
  })
})

describe('a stream the daemon cuts at its drain deadline', () => {
  const cutMidStream = (clientDialect: 'anthropic' | 'openai') =>
    streamAttempt(
      async (call) => {
        call.onHeaders(200, [], () => {})
        call.onData(frame('message_start', {message: {id: 'msg_1', usage: {input_tokens: 3, output_tokens: 1}}}))
        call.onData(frame('content_block_start', {index: 0, content_block: {type: 'text', text: ''}}))
        call.onData(frame('content_block_delta', {index: 0, delta: {type: 'text_delta', text: 'Hel'}}))
        await tick()
        // What UpstreamClient.close(true) does: the agent is destroyed with its own error.
        call.onError(new TokenHubError('SHUTTING_DOWN', 'the daemon is shutting down'))
      },
      {cut: true, clientDialect},
    )
  const lastData = (written: string[]) => JSON.parse(written.join('').trim().split('\n').filter((line) => line.startsWith('data: ')).at(-1)!.slice(6))

  it('ends an Anthropic stream with the code and error type of the non-stream 503 SHUTTING_DOWN', async () => {
    const {outcome, written} = await cutMidStream('anthropic')
    const expected = dialectErrorBody('anthropic', new TokenHubError('SHUTTING_DOWN', STREAM_CUT_MESSAGE)) as {error: {type: string}}
    expect(lastData(written)).toEqual({type: 'error', error: {type: expected.error.type, message: STREAM_CUT_MESSAGE, code: 'SHUTTING_DOWN'}})
    expect(expected.error.type).toBe('overloaded_error')
    expect(outcome).toMatchObject({kind: 'success', streamError: STREAM_CUT_MESSAGE})
  })

  it('ends an OpenAI stream with code SHUTTING_DOWN, and no "Error:" prefix', async () => {
    const {written} = await cutMidStream('openai')
    expect(lastData(written)).toEqual({error: {message: STREAM_CUT_MESSAGE, type: 'api_error', param: null, code: 'SHUTTING_DOWN'}})
    expect(STREAM_CUT_MESSAGE).toMatch(/^the daemon is shutting down/)
  })
})

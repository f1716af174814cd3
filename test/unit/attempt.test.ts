import {describe, expect, it} from 'vitest'
import {blameFor, nextStep} from '../../src/core/failover.js'
import type {RoutableModel} from '../../src/core/routing/types.js'
import {planRequest} from '../../src/providers/plan.js'
import {runAttempt} from '../../daemon/gateway/attempt.js'
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

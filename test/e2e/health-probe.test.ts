import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {startFakeUpstream, type FakeUpstream} from '../helpers/fake-upstream.js'

let daemon: TestDaemon
let upstream: FakeUpstream

beforeAll(async () => {
  upstream = await startFakeUpstream()
  daemon = await startTestDaemon({env: {TOKENHUB_HEALTH_PROBE_SECS: '0.1', TOKENHUB_CIRCUIT_FAILURES: '2', TOKENHUB_CIRCUIT_OPEN_SECS: '60'}})
  await daemon.admin('POST', '/admin/v1/providers', {id: 'alive', type: 'vllm', base_url: upstream.url})
  await daemon.admin('POST', '/admin/v1/providers', {id: 'dead', type: 'vllm', base_url: 'http://127.0.0.1:1'})
})
afterAll(async () => {
  await daemon?.cleanup()
  await upstream?.close()
})

async function providerState(id: string): Promise<string | undefined> {
  const health = await daemon.admin('GET', '/admin/v1/health')
  return health.body.providers.find((p: {id: string}) => p.id === id)?.state
}

describe('background health probe', () => {
  it('opens the circuit of an unreachable provider without any traffic, and closes it when it answers again', async () => {
    const deadline = Date.now() + 5000
    while ((await providerState('dead')) !== 'open' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await providerState('dead')).toBe('open')
    expect(await providerState('alive')).toBe('closed')
    expect(upstream.requests.some((r) => r.path.startsWith('/v1/models'))).toBe(true)

    await daemon.admin('PATCH', '/admin/v1/providers/dead', {base_url: upstream.url})
    const recovered = Date.now() + 5000
    while ((await providerState('dead')) !== 'closed' && Date.now() < recovered) await new Promise((r) => setTimeout(r, 100))
    expect(await providerState('dead')).toBe('closed')
  })
})

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'

let daemon: TestDaemon
beforeAll(async () => {
  daemon = await startTestDaemon({env: {TOKENHUB_METRICS_TOKEN: 'scrape-token-123456'}})
})
afterAll(() => daemon?.cleanup())

describe('GET /metrics with TOKENHUB_METRICS_TOKEN', () => {
  it('needs the token', async () => {
    expect((await fetch(`${daemon.url}/metrics`)).status).toBe(401)
    expect((await fetch(`${daemon.url}/metrics`, {headers: {authorization: 'Bearer wrong'}})).status).toBe(401)
    const ok = await fetch(`${daemon.url}/metrics`, {headers: {authorization: 'Bearer scrape-token-123456'}})
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toContain('text/plain')
    expect(await ok.text()).toContain('tokenhub_process_resident_memory_bytes')
  })
})

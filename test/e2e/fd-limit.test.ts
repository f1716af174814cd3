import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

// A daemon under a small open-file limit: each open stream needs a client and an upstream socket.
let fx: GatewayFixture

beforeAll(async () => {
  fx = await startGatewayFixture({openFiles: 64})
  await fx.addModel({id: 'slow', provider_id: 'oa', weight: 5})
})
afterAll(async () => {
  await fx?.close()
})

const stream = async (model: string) => {
  const response = await fetch(`${fx.daemon.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {authorization: `Bearer ${fx.key}`, 'content-type': 'application/json'},
    body: JSON.stringify({model, stream: true, messages: [{role: 'user', content: 'one two three'}]}),
  })
  return {status: response.status, text: await response.text()}
}

describe('out of file descriptors', () => {
  it('answers 503 GATEWAY_RESOURCES for what it cannot open, blames no provider, and serves again afterwards', async () => {
    fx.openai.behave('slow', {chunkDelayMs: 150})
    const results = await Promise.all(Array.from({length: 60}, () => stream('slow')))
    const refused = results.filter((r) => r.status === 503)
    expect(results.every((r) => r.status === 200 || r.status === 503)).toBe(true)
    expect(refused.length).toBeGreaterThan(0)
    for (const r of refused) {
      const body = JSON.parse(r.text)
      expect(body.error.code).toBe('GATEWAY_RESOURCES')
      expect(body.error.message).toMatch(/file descriptors.*LimitNOFILE/)
    }
    expect(results.filter((r) => r.status === 200).every((r) => r.text.includes('data: [DONE]'))).toBe(true)

    // The provider and model are healthy: the limit was the gateway's own.
    const health = (await fx.daemon.admin('GET', '/admin/v1/health')).body
    expect(health.providers.find((p: {id: string}) => p.id === 'oa').state).toBe('closed')
    expect(health.models.find((m: {id: string}) => m.id === 'slow').state).toBe('closed')
    const logs = (await fx.daemon.admin('GET', `/admin/v1/logs?limit=${results.length}`)).body.logs
    expect(logs.filter((l: {error_class: string}) => l.error_class === 'gateway_resources').length).toBe(refused.length)
    expect(fx.daemon.stderr()).toContain('out of resources opening an upstream connection')

    fx.openai.behave('slow', {})
    expect((await stream('slow')).status).toBe(200)
  })
})

import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {json, runCli} from '../helpers/cli.js'
import {startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

let fx: GatewayFixture
const cli = (args: string[]) => runCli(args, {env: fx.daemon.cliEnv})

beforeAll(async () => {
  fx = await startGatewayFixture()
  const client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
  await client.chat.completions.create({model: 'strong-gpt', messages: [{role: 'user', content: 'one'}]})
  await client.chat.completions.create({model: 'claude', messages: [{role: 'user', content: 'two'}]})
  await client.chat.completions.create({model: 'nope', messages: [{role: 'user', content: 'three'}]}).catch(() => {})
})
afterAll(() => fx?.close())

describe('gateway commands', () => {
  it('logs: newest first, filters, JSON', async () => {
    const table = await cli(['logs'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^TIME\s+STATUS\s+ENDPOINT/m)
    const lines = table.stdout.trim().split('\n')
    expect(lines[1]).toContain('404')
    expect(lines[2]).toMatch(/200\s+chat\/completions\s+default\s+claude/)
    const filtered = json(await cli(['logs', '--model', 'strong-gpt', '--json']))
    expect(filtered).toHaveLength(1)
    expect(filtered[0]).toMatchObject({model_id: 'strong-gpt', status_code: 200, input_tokens: 11})
    expect(json(await cli(['logs', '--status', '404', '--json']))).toHaveLength(1)
    expect(json(await cli(['logs', '--limit', '1', '--json']))).toHaveLength(1)
  })

  it('health shows providers and models with circuit states', async () => {
    const result = await cli(['health'])
    expect(result.stdout).toMatch(/^PROVIDERS/m)
    expect(result.stdout).toMatch(/^oa\s+closed\s+1/m)
    expect(result.stdout).toMatch(/^claude\s+closed/m)
    expect(json(await cli(['health', '--json'])).models.map((m: {id: string}) => m.id).sort()).toEqual(['claude', 'strong-gpt'])
  })

  it('simulate ranks every model with scores and skip reasons (seed JSON form and flags)', async () => {
    const cheap = json(await cli(['simulate', '{"mode":"cheap","token_count":500}', '--json']))
    expect(cheap.chosen).toBe('cheap-gpt')
    expect(cheap.candidates).toHaveLength(3)
    expect(cheap.candidates[0]).toMatchObject({rank: 1, model_id: 'cheap-gpt', components: {cost: expect.any(Number), latency: expect.any(Number), failure: expect.any(Number), weight: expect.any(Number)}})
    const strong = json(await cli(['simulate', '--mode', 'high_confidence', '--tokens', '2000', '--json']))
    // strong-gpt (weight 9) or claude (8), depending on their observed latency; never the weak one.
    expect(['strong-gpt', 'claude']).toContain(strong.chosen)
    const tight = await cli(['simulate', '{"mode":"normal","token_count":200000}'])
    expect(tight.stdout).toContain('no eligible model')
    expect(tight.stdout).toContain('context_overflow')
    expect((await cli(['simulate', '{"mode":"warp"}'])).code).toBe(1)
  })

  it('alias set, list, get, route through it, delete', async () => {
    const set = await cli(['alias', 'set', 'gpt-4', '--model', 'strong-gpt=3', '--model', 'cheap-gpt=1', '--sticky-by', 'api_key'])
    expect(set.code).toBe(0)
    expect(set.stdout).toMatch(/gpt-4\s+strong-gpt=3, cheap-gpt=1\s+api_key/)
    await cli(['alias', 'set', 'claude-*', '{"variants":[{"model_id":"claude"}]}'])
    expect(json(await cli(['alias', 'list', '--json'])).map((a: {name: string}) => a.name)).toEqual(['gpt-4', 'claude-*'])
    expect(json(await cli(['alias', 'get', 'claude-*', '--json'])).variants).toEqual([{model_id: 'claude', weight: 1}])
    const client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const routed = await client.chat.completions.create({model: 'claude-3-5-sonnet-20241022', messages: [{role: 'user', content: 'agent'}]}).withResponse()
    expect(routed.response.headers.get('x-tokenhub-model')).toBe('claude')
    expect(routed.response.headers.get('x-tokenhub-routing-reason')).toContain('alias claude-*')
    const unknownModel = await cli(['alias', 'set', 'x', '--model', 'not-registered'])
    expect(unknownModel.code).toBe(1)
    expect(unknownModel.stderr).toContain('not-registered')
    const shadow = await cli(['alias', 'set', 'claude', '--model', 'strong-gpt'])
    expect(shadow.code).toBe(1)
    expect(shadow.stderr).toContain('registered model')
    expect((await cli(['alias', 'delete', 'gpt-4', '--yes'])).code).toBe(0)
    expect((await cli(['alias', 'get', 'gpt-4'])).code).toBe(1)
  })
})

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
    // A count that is not one is a usage error, caught before the daemon is asked.
    for (const args of [['logs', '--limit', '-1'], ['logs', '--limit', '0'], ['logs', '--offset', '1.5'], ['audit', '--limit', 'ten']]) {
      const refused = await cli(args)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('expected a whole number')
    }
  })

  it('health shows providers and models with circuit states', async () => {
    const result = await cli(['health'])
    expect(result.stdout).toMatch(/^PROVIDERS/m)
    expect(result.stdout).toMatch(/^oa\s+closed\s+1/m)
    expect(result.stdout).toMatch(/^claude\s+closed/m)
    // Every registered model, the idle one too.
    const health = json(await cli(['health', '--json']))
    expect(health.models.map((m: {id: string}) => m.id).sort()).toEqual(['cheap-gpt', 'claude', 'strong-gpt'])
    expect(health.models.find((m: {id: string}) => m.id === 'cheap-gpt')).toMatchObject({state: 'closed', requests: 0})
    expect(health.providers.map((p: {id: string}) => p.id).sort()).toEqual(['an', 'oa'])
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
    // A weight out of range is a usage error found before the daemon is asked.
    const heavy = await cli(['alias', 'set', 'x', '--model', 'strong-gpt=101'])
    expect(heavy.code).toBe(2)
    expect(heavy.stderr.replace(/\s+›\s+/g, ' ')).toContain('a whole number from 0 to 100')
    expect((await cli(['alias', 'delete', 'gpt-4', '--yes'])).code).toBe(0)
    expect((await cli(['alias', 'get', 'gpt-4'])).code).toBe(1)
  })

  it('stats, audit, rewards, engine models and tsdb from the CLI', async () => {
    const summary = await cli(['stats'])
    expect(summary.stdout).toMatch(/^WINDOW\s+REQUESTS/m)
    expect(summary.stdout).toMatch(/^1m\s+\d+/m)
    const detail = await cli(['stats', '--window', '1h'])
    expect(detail.stdout).toContain('BY MODEL')
    expect(detail.stdout).toMatch(/^claude\s+\d+\s+0 \(0\.0%\)/m)
    const day = json(await cli(['stats', '--window', '24h', '--json']))
    expect(day.total.requests).toBeGreaterThanOrEqual(3)
    expect((await cli(['stats', '--window', '2h'])).code).toBe(2)

    const audit = await cli(['audit'])
    expect(audit.stdout).toMatch(/provider\.create\s+oa\s+ok/)
    expect(json(await cli(['audit', '--action', 'model', '--json'])).every((a: {resource: string}) => a.resource === 'model')).toBe(true)

    const rewards = await cli(['rewards'])
    expect(rewards.stdout).toContain('POSTERIORS')
    expect(rewards.stdout).toMatch(/strong-gpt\s+small/)

    const engine = await cli(['engine', 'models'])
    expect(engine.stdout).toMatch(/claude\s+an\s+anthropic\s+claude-sonnet-4-5\s+closed/)

    expect((await cli(['tsdb', 'metrics'])).stdout).toMatch(/^cost\s+usd\s+sum/m)
    const chart = await cli(['tsdb', 'query', '--metric', 'requests', '--since', '30m'])
    expect(chart.code).toBe(0)
    expect(chart.stdout).toContain('requests (sum, step 60s)')
    expect(chart.stdout).toMatch(/[┼┤╭╮╰╯│─]/)
    expect(chart.stderr).not.toContain('rounded')
    const rounded = await cli(['tsdb', 'query', '--metric', 'requests', '--since', '30m', '--step', '90s'])
    expect(rounded.stderr).toContain('(step 90s rounded to 2 min: steps are whole minutes)')
    const points = json(await cli(['tsdb', 'query', 'metric=tokens_in&model_id=claude&step_ms=60000', '--json']))
    expect(points.points.reduce((s: number, p: {value: number}) => s + p.value, 0)).toBe(day.by_model.claude.tokens_in)
    expect((await cli(['tsdb', 'query', '--metric', 'nope'])).code).toBe(2)
    // A misspelt filter in the query-string form is refused instead of widening the query: a usage
    // error found before anything is sent, as in the flag form (the daemon refuses it too).
    const typo = await cli(['tsdb', 'query', 'metric=cost&modle_id=claude'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('unknown query parameter "modle_id"')
    // Shorter deletes history at once: without a terminal to ask on, only with --yes.
    const unconfirmed = await cli(['tsdb', 'retention', '36h'])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('no terminal to confirm on')
    expect((await cli(['tsdb', 'retention'])).stdout).toContain('retention: 7 days')
    expect((await cli(['tsdb', 'retention', '36h', '--yes'])).stdout).toContain('retention: 36 hours')
    // A bare number is days; longer needs no confirmation.
    expect((await cli(['tsdb', 'retention', '14'])).stdout).toContain('retention: 14 days')
    expect((await cli(['tsdb', 'retention', '10d', '--yes'])).stdout).toContain('retention: 10 days')
    expect((await cli(['tsdb', 'prune', '--json'])).code).toBe(0)

    const csv = await cli(['logs', '--csv', '--model', 'claude'])
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^timestamp,request_id/)
    expect(csv.stdout).toContain(',claude,an,')
    expect((await cli(['logs', '--since', '1h', '--json'])).code).toBe(0)
  })

  it('a URL that is not a TokenHub daemon is said to be so (status, events), not shown as a daemon with uptime NaN', async () => {
    for (const args of [['status'], ['events']]) {
      const other = await runCli([...args, '--url', fx.openai.url], {env: {...fx.daemon.cliEnv, TOKENHUB_URL: ''}})
      expect(other.code, args[0]).toBe(1)
      expect(other.stderr, args[0]).toMatch(/not a TokenHub daemon|is it a TokenHub daemon\?/)
      expect(other.stdout, args[0]).not.toContain('NaN')
    }
  })

  it('out-of-range flag values are usage errors (exit 2) before the daemon is asked', async () => {
    const cases: Array<[string[], string]> = [
      [['model', 'add', 'm-x', '--provider', 'oa', '--weight', '11'], 'expected a whole number 0-10, got "11"'],
      [['model', 'edit', 'claude', '--max-context-tokens', '0'], 'expected a whole number 1-100000000'],
      [['model', 'edit', 'claude', '--input-per-1k', '-0.5'], 'expected a number >= 0'],
      [['routing', 'set', '--max-budget-usd', '-1'], 'expected a number >= 0, got "-1"'],
      [['routing', 'set', '--max-latency-ms', '1.5'], 'expected a whole number >= 0'],
      [['apikey', 'create', 'x', '--rate-limit-rpm', '-3'], 'expected a whole number >= 0'],
      [['simulate', '--min-weight', '12'], 'expected a whole number 0-10'],
      [['logs', '--status', '42'], 'expected a whole number 100-599'],
      [['logs', '--since', 'yesterday'], 'neither a time'],
      [['audit', '--since', '5 parsecs'], 'neither a time'],
      [['tsdb', 'retention', 'abc'], 'is not a retention'],
      [['tsdb', 'retention', '30m'], 'between 1 hour and 400 days'],
      [['tsdb', 'retention', '401'], 'between 1 hour and 400 days'],
      [['events', '--type', 'route_sucess'], 'Expected --type=route_sucess to be one of'],
      [['apikey', 'create', '--name', 'never', '--expires-in', '1x'], '--expires-in: invalid duration "1x"'],
      [['apikey', 'create', '--name', 'never', '--expires-in', '0'], '--expires-in: duration must be a positive'],
      [['apikey', 'create', '--name', 'never', '--expires-at', '2027-02-30T00:00:00Z'], '--expires-at: "2027-02-30T00:00:00Z" is not an ISO 8601 date-time'],
      [['apikey', 'create', '--name', 'never', '--expires-at', '2027-01-31'], '--expires-at: "2027-01-31" is not an ISO 8601 date-time'],
      [['logs', '--csv', '--limit', '5'], 'cannot also be provided when using --limit'],
    ]
    for (const [args, message] of cases) {
      const refused = await cli(args)
      expect(refused.code, args.join(' ')).toBe(2)
      expect(refused.stderr.replace(/\s*›\s*/g, ' '), args.join(' ')).toContain(message)
      // stderr is a pipe here: the message is not wrapped at a terminal's width, and no --help pointer.
      expect(refused.stderr.split('\n').some((line) => line.includes(message)), args.join(' ')).toBe(true)
      expect(refused.stderr, args.join(' ')).not.toContain('See more help')
    }
    // Nothing was changed by any of them.
    expect(json(await cli(['routing', 'get', '--json']))).not.toMatchObject({default_max_budget_usd: -1})
    expect(json(await cli(['model', 'list', '--json'])).map((m: {id: string}) => m.id)).not.toContain('m-x')
  })

  it('an empty page says why: no records, no match for the filters, or an offset past the end', async () => {
    expect((await cli(['logs', '--model', 'never-used'])).stdout).toContain('No requests match these filters.')
    const pastEnd = await cli(['logs', '--offset', '500'])
    expect(pastEnd.stdout).toMatch(/No requests at offset 500 \(\d+ match\)/)
    expect(pastEnd.stderr).not.toContain('shown; use --limit')
    expect((await cli(['audit', '--resource', 'nothing-here'])).stdout).toContain('No entries match these filters.')
  })

  it('CSV costs are written without float noise', async () => {
    const csv = (await cli(['logs', '--csv'])).stdout
    const costs = csv.trim().split('\r\n').slice(1).map((row) => row.split(',')).filter((cells) => cells.length > 20)
    expect(costs.length).toBeGreaterThan(0)
    for (const line of csv.split('\r\n')) expect(line).not.toMatch(/\d\.\d{13,}/)
  })

  it('plural topics work for list (providers list, models list) and an extra word is a usage error', async () => {
    expect((await cli(['providers', 'list'])).stdout).toMatch(/^oa\s/m)
    expect(json(await cli(['models', 'list', '--json'])).length).toBeGreaterThan(0)
    const extra = await cli(['provider', 'list', 'extra', '--json'])
    expect(extra.code).toBe(2)
    expect(json(extra).error).toMatchObject({code: 'USAGE', message: expect.stringContaining('provider list does not take "extra"')})
    const unknown = await cli(['provider', 'frob'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('provider list')
  })
})

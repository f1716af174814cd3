import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {json, runCli} from '../helpers/cli.js'
import {startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

/**
 * tokenhubctl (Go) invocations that scripts use, run unchanged: bare topics, plural topics,
 * the top-level verbs (discover, provider-status, model-test), tsdb query's joined words, -v / -h.
 */

let fx: GatewayFixture
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, {env: {...fx.daemon.cliEnv, ...env}})

beforeAll(async () => {
  fx = await startGatewayFixture()
})
afterAll(() => fx?.close())

describe('a topic alone does what tokenhubctl does', () => {
  it('provider, model, apikey and alias list; routing and engine show; --json as the list verb', async () => {
    for (const [bare, verb] of [
      ['provider', 'list'],
      ['model', 'list'],
      ['apikey', 'list'],
      ['alias', 'list'],
      ['routing', 'get'],
      ['engine', 'models'],
    ]) {
      const alone = await cli([bare])
      const explicit = await cli([bare, verb])
      expect(alone.code, bare).toBe(0)
      expect(alone.stdout, bare).toBe(explicit.stdout)
      expect(json(await cli([bare, '--json'])), bare).toEqual(json(await cli([bare, verb, '--json'])))
    }
    expect((await cli(['provider'])).stdout).toMatch(/^ID\s+TYPE\s+BASE URL/m)
  })

  it('--help (and help TOPIC, -h) still lists the topic\'s commands; the root help lists the topic once', async () => {
    for (const args of [['provider', '--help'], ['help', 'provider'], ['provider', '-h']]) {
      const help = await runCli(args)
      expect(help.code, args.join(' ')).toBe(0)
      for (const verb of ['provider add', 'provider list', 'provider discover']) expect(help.stdout, args.join(' ')).toContain(verb)
    }
    const root = await runCli(['--help'])
    expect(root.stdout.match(/^ {2}provider {2,}/gm)).toHaveLength(1)
  })

  it('the plural topics work with every verb, alone too', async () => {
    expect((await cli(['providers'])).stdout).toBe((await cli(['provider', 'list'])).stdout)
    expect(json(await cli(['models', '--json'])).map((m: {id: string}) => m.id)).toContain('claude')
    expect(json(await cli(['apikeys', 'list', '--json'])).length).toBeGreaterThan(0)
    const added = await cli(['models', 'add', '--id', 'plural-model', '--provider', 'oa', '--input-per-1k', '0', '--output-per-1k', '0'])
    expect(added.code).toBe(0)
    expect((await cli(['models', 'disable', 'plural-model'])).code).toBe(0)
    expect((await cli(['models', 'delete', 'plural-model', '--yes'])).code).toBe(0)
    expect((await cli(['providers', 'edit', 'oa', '--enable'])).code).toBe(0)
    // Their help is the topic's, with its commands listed.
    for (const args of [['providers', '--help'], ['help', 'models'], ['apikeys', '-h'], ['aliases', '--help']]) {
      const help = await cli(args)
      expect([args.join(' '), help.code]).toEqual([args.join(' '), 0])
      expect(help.stdout, args.join(' ')).toContain('COMMANDS')
    }
  })

  it('an unknown word after a topic is still a usage error naming what the topic has', async () => {
    for (const args of [['provider', 'frobnicate'], ['providers', 'frobnicate'], ['routing', 'show']]) {
      const result = await cli(args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toContain(`unknown command "${args.join(' ')}"; ${args[0].replace(/s$/, '')} has: `)
    }
    const asJson = await cli(['provider', 'frobnicate', '--json'])
    expect(json(asJson).error).toMatchObject({code: 'USAGE', message: expect.stringContaining('provider add')})
    // A verb's extra word keeps its own message.
    expect((await cli(['provider', 'list', 'extra'])).stderr).toContain('provider list does not take "extra"')
  })
})

describe('top-level verbs of tokenhubctl', () => {
  it('discover ID is provider discover ID', async () => {
    const top = await cli(['discover', 'oa', '--json'])
    expect(top.code).toBe(0)
    expect(json(top)).toEqual(json(await cli(['provider', 'discover', 'oa', '--json'])))
    const unknown = await cli(['discover', 'ghost'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('provider "ghost" not found')
    expect((await cli(['discover'])).code).toBe(2)
  })

  it('provider-status ID shows one provider\'s health; an unknown id is exit 1', async () => {
    const status = await cli(['provider-status', 'oa'])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/^provider\s+oa$/m)
    expect(status.stdout).toMatch(/^circuit\s+closed$/m)
    expect(json(await cli(['provider-status', 'oa', '--json']))).toMatchObject({id: 'oa', state: 'closed', consecutive_failures: 0})
    const unknown = await cli(['provider-status', 'ghost', '--json'])
    expect(unknown.code).toBe(1)
    expect(json(unknown).error).toMatchObject({code: 'NOT_FOUND', message: 'provider "ghost" not found'})
  })

  it('model-test ID [KEY] sends one small request through /v1 with a client key', async () => {
    const tested = await cli(['model-test', 'strong-gpt', fx.key])
    expect(tested.code).toBe(0)
    expect(tested.stdout).toMatch(/^status\s+200$/m)
    expect(tested.stdout).toMatch(/^answered by\s+strong-gpt \(oa\)$/m)
    expect(tested.stdout).not.toContain(fx.key)
    const viaEnv = json(await cli(['model-test', 'claude', '--json'], {TOKENHUB_API_KEY: fx.key}))
    expect(viaEnv).toMatchObject({model: 'claude', status: 200, model_used: 'claude', provider: 'an'})
    expect(viaEnv.response).toEqual(expect.any(String))
    expect(viaEnv.input_tokens).toBeGreaterThan(0)
    const request = fx.openai.requests.find((r) => JSON.stringify(r.body ?? '').includes('Say the word OK'))
    expect(request).toBeDefined()
  })

  it('model-test: no key is a usage error, a refused request exit 1 with the gateway\'s message', async () => {
    const noKey = await cli(['model-test', 'strong-gpt'])
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain('TOKENHUB_API_KEY')
    const badKey = await cli(['model-test', 'strong-gpt', 'th-not-a-real-key', '--json'])
    expect(badKey.code).toBe(1)
    expect(json(badKey).error).toMatchObject({status: 401})
    const unknown = await cli(['model-test', 'no-such-model'], {TOKENHUB_API_KEY: fx.key})
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('HTTP 404')
    const unreachable = await runCli(['model-test', 'strong-gpt', fx.key], {env: {TOKENHUB_URL: 'http://127.0.0.1:1'}})
    expect(unreachable.code).toBe(3)
    // Port 1 is on fetch's blocked list: said in the words every other command uses, not "bad port".
    expect(unreachable.stderr).toContain('blocked-port list')
  })
})

describe('small forms', () => {
  it('tsdb query takes the query string\'s parts as separate words, as tokenhubctl joins them', async () => {
    const joined = json(await cli(['tsdb', 'query', 'metric=requests&model_id=strong-gpt', '--json']))
    const words = await cli(['tsdb', 'query', 'metric=requests', 'model_id=strong-gpt', '--json'])
    expect(words.code).toBe(0)
    expect(json(words)).toMatchObject({metric: joined.metric, step_ms: joined.step_ms})
    const misspelt = await cli(['tsdb', 'query', 'metric=requests', '--modle', 'x'])
    expect(misspelt.code).toBe(2)
    // A mistake in that form is a usage error (exit 2) as in the flag form, found before anything is sent.
    for (const [words, message] of [
      [['metric=bogus'], 'metric must be one of'],
      [['metric=latency', 'agg=bogus'], 'agg must be one of'],
      [['metric=latency', 'step_ms=abc'], 'step_ms must be'],
      [['metric=latency', 'modle=x'], 'unknown query parameter "modle"'],
      [['a=b', 'c=d'], 'unknown query parameter "a"'],
    ] as const) {
      const refused = await runCli(['tsdb', 'query', ...words], {env: {TOKENHUB_URL: 'http://127.0.0.1:9', TOKENHUB_ADMIN_TOKEN: 'x'}})
      expect([words.join(' '), refused.code]).toEqual([words.join(' '), 2])
      expect(refused.stderr).toContain(message)
    }
  })

  it('-v prints the version and -h the help, as in tokenhubctl', async () => {
    const version = await runCli(['-v'])
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^tokenhub\/0\.1\.0 /)
    const help = await runCli(['-h'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('TOPICS')
  })
})

import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {json, runCli} from '../helpers/cli.js'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {startFakeUpstream, type FakeUpstream} from '../helpers/fake-upstream.js'
import {tempDir} from '../helpers/paths.js'

const PROVIDER_KEY = 'sk-cli-canary-provider-5d6e7f'
const VAULT_PASSWORD = 'cli-vault-password-1'

let daemon: TestDaemon
let upstream: FakeUpstream
let configDir: {path: string; cleanup: () => Promise<void>}
let env: Record<string, string>

/** `tokenhub ...` against the test daemon. */
const cli = (args: string[], options: {input?: string; env?: Record<string, string | undefined>} = {}) =>
  runCli(args, {input: options.input, env: {...env, ...options.env}})

beforeAll(async () => {
  ;[daemon, upstream, configDir] = await Promise.all([startTestDaemon(), startFakeUpstream({apiKey: PROVIDER_KEY}), tempDir()])
  env = {...daemon.cliEnv, TOKENHUB_CONFIG_DIR: configDir.path, TOKENHUB_DATA_DIR: daemon.dataDir}
})
afterAll(async () => {
  await daemon?.cleanup()
  await upstream?.close()
  await configDir?.cleanup()
})

describe('help and version', () => {
  it('prints the version three ways', async () => {
    expect((await runCli(['--version'])).stdout).toMatch(/^tokenhub\/0\.1\.0 /)
    expect((await runCli(['version'])).stdout.trim()).toBe('0.1.0')
    expect(json(await runCli(['version', '--json']))).toMatchObject({version: '0.1.0'})
  })

  it('lists topics and space-separated subcommands', async () => {
    const help = await runCli(['--help'])
    for (const topic of ['provider', 'model', 'routing', 'apikey', 'vault', 'daemon', 'status', 'admin-token', 'autocomplete']) expect(help.stdout).toContain(topic)
    const topic = await runCli(['help', 'provider'])
    expect(topic.stdout).toContain('provider add')
    expect(topic.stdout).toContain('provider discover')
    const command = await runCli(['model', 'add', '--help'])
    expect(command.stdout).toContain('--max-context-tokens')
    expect(command.stdout).toContain('--json')
  })

  it('sets up shell completion that knows the commands', async () => {
    const home = await tempDir()
    try {
      const setup = await runCli(['autocomplete', 'bash'], {env: {HOME: home.path}})
      expect(setup.code).toBe(0)
      const {readFile} = await import('node:fs/promises')
      const functions = await readFile(`${home.path}/.cache/tokenhub/autocomplete/functions/bash/tokenhub.bash`, 'utf8')
      for (const command of ['provider', 'discover', 'apikey', 'rotate']) expect(functions).toContain(command)
    } finally {
      await home.cleanup()
    }
  })

  it('answers an unknown command with a usage exit code', async () => {
    const result = await runCli(['frobnicate'])
    expect(result.code).toBe(2)
  })
})

describe('exit codes', () => {
  it('3 and the URL tried when the daemon cannot be reached', async () => {
    const result = await runCli(['status'], {env: {TOKENHUB_URL: 'http://127.0.0.1:1', TOKENHUB_ADMIN_TOKEN: 'x'.repeat(20)}})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('http://127.0.0.1:1')
    const asJson = await runCli(['status', '--json'], {env: {TOKENHUB_URL: 'http://127.0.0.1:1', TOKENHUB_ADMIN_TOKEN: 'x'.repeat(20)}})
    expect(asJson.code).toBe(3)
    expect(json(asJson).error.code).toBe('UNREACHABLE')
    // events follows forever once connected, but a daemon that is not there at the start is an answer.
    const events = await runCli(['events'], {env: {TOKENHUB_URL: 'http://127.0.0.1:1', TOKENHUB_ADMIN_TOKEN: 'x'.repeat(20)}})
    expect(events.code).toBe(3)
  })

  it('2 for a URL or token that is not one (not "cannot reach")', async () => {
    for (const url of ['notaurl', '127.0.0.1:8080', 'ftp://127.0.0.1']) {
      const result = await runCli(['status', '--url', url, '--token', 'x'.repeat(20)])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('not an http(s) URL')
    }
    // The admin paths are appended to the URL: a query, fragment or path would send them elsewhere.
    for (const [url, what] of [[`${daemon.url}/?x=1`, 'a query'], [`${daemon.url}#top`, 'a fragment'], [`${daemon.url}/tokenhub`, 'a path (/tokenhub)']]) {
      const result = await runCli(['status', '--url', url, '--token', 'x'.repeat(20)])
      expect(result.code, url).toBe(2)
      expect(result.stderr).toContain(`--url has ${what}`)
    }
    const token = await runCli(['status', '--url', 'http://127.0.0.1:1', '--token', 'tok\r'])
    expect(token.code).toBe(2)
    expect(token.stderr).toContain('visible ASCII')
  })

  it('1 with the server message on a wrong admin token', async () => {
    const result = await cli(['provider', 'list'], {env: {TOKENHUB_ADMIN_TOKEN: 'wrong-token-wrong-token'}})
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('invalid admin token')
    const asJson = await cli(['provider', 'list', '--json'], {env: {TOKENHUB_ADMIN_TOKEN: 'wrong-token-wrong-token'}})
    expect(asJson.code).toBe(1)
    expect(json(asJson).error.code).toBe('AUTH_INVALID')
  })

  it('2 on malformed JSON arguments, missing arguments and bad flag values', async () => {
    const malformed = await cli(['model', 'add', '{"id": "x",'])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain('malformed')
    expect((await cli(['model', 'edit'])).code).toBe(2)
    expect((await cli(['model', 'add', '--id', 'x', '--provider', 'p', '--weight', 'heavy'])).code).toBe(2)
    expect((await cli(['provider', 'add', '--id', 'x'])).code).toBe(2)
    // More than the daemon answers in one page is said, not silently cut to 1000 rows.
    const tooMany = await cli(['logs', '--limit', '5000'])
    expect(tooMany.code).toBe(2)
    expect(tooMany.stderr).toContain('at most 1000 per page')
  })

  it('2 when a destructive command has no terminal to confirm on and no --yes', async () => {
    const result = await cli(['apikey', 'delete', 'whatever'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--yes')
  })
})

describe('admin token commands', () => {
  it('admin-token prints the env token, else the data dir file', async () => {
    expect((await cli(['admin-token'])).stdout.trim()).toBe(daemon.adminToken)
    const fromFile = await runCli(['admin-token'], {env: {TOKENHUB_DATA_DIR: daemon.dataDir}})
    expect(fromFile.stdout.trim()).toBe(daemon.adminToken)
    const missing = await runCli(['admin-token'], {env: {TOKENHUB_DATA_DIR: configDir.path}})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('.admin-token does not exist')
    // oclif's own <BIN>_DATA_DIR convention must not make it read plugins from the data dir.
    expect(missing.stderr).not.toContain('package.json')
  })

  it('the CLI reads the token file for the URL a daemon on all interfaces prints (0.0.0.0), and says why it could not', async () => {
    const printed = `http://0.0.0.0:${daemon.port}`
    const status = await runCli(['status', '--json'], {env: {TOKENHUB_URL: printed, TOKENHUB_DATA_DIR: daemon.dataDir}})
    expect(status.code, status.stderr).toBe(0)
    const dir = await tempDir()
    try {
      const missing = await runCli(['status'], {env: {TOKENHUB_URL: printed, TOKENHUB_DATA_DIR: dir.path}})
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain(`no admin token: TOKENHUB_ADMIN_TOKEN is not set, --token is not given, and ${join(dir.path, '.admin-token')} does not exist`)
      // A daemon elsewhere: the local token file is not its own, and the message says why it was not read.
      const remote = await runCli(['status'], {env: {TOKENHUB_URL: 'http://192.0.2.1:8080', TOKENHUB_DATA_DIR: dir.path}})
      expect(remote.code).toBe(2)
      expect(remote.stderr).toContain('the local .admin-token is used only for a daemon on this machine, and http://192.0.2.1:8080 is not one')
      // --csv exports everything that matches: --offset has no meaning with it (and the usage line shows no empty alternative).
      const csvOffset = await runCli(['logs', '--csv', '--offset', '3'], {env: {TOKENHUB_URL: printed, TOKENHUB_DATA_DIR: daemon.dataDir}})
      expect(csvOffset.code).toBe(2)
      expect((await runCli(['logs', '--help'])).stdout).not.toMatch(/\| \]/)
    } finally {
      await dir.cleanup()
    }
  })

  it('client-side usage errors are exit 2 with the usual --json shape (admin-token without a token, an empty piped key, a short new admin token)', async () => {
    const dir = await tempDir()
    try {
      const missing = await runCli(['admin-token', '--json'], {env: {TOKENHUB_DATA_DIR: dir.path}})
      expect(missing.code).toBe(2)
      expect(json(missing)).toEqual({error: {code: 'USAGE', message: expect.stringContaining('no admin token'), suggestion: expect.any(String)}})
    } finally {
      await dir.cleanup()
    }
    const emptyKey = await cli(['provider', 'add', '--id', 'from-empty-stdin', '--type', 'openai', '--base-url', 'http://127.0.0.1:9', '--api-key-stdin'], {input: ''})
    expect(emptyKey.code).toBe(2)
    // stderr is not a terminal here: one unwrapped line, easy to grep.
    expect(emptyKey.stderr).toBe(' ›   Error: stdin was empty: no API key was read (is the variable you piped in set?)\n')
    const short = await cli(['rotate-admin-token', 'short', '--yes'])
    expect(short.code).toBe(2)
    expect(short.stderr).toContain('at least 16 characters')
  })

  it('admin-token says why a token file it found cannot be used (empty, a directory)', async () => {
    const dir = await tempDir()
    try {
      await writeFile(join(dir.path, '.admin-token'), '')
      expect((await runCli(['admin-token'], {env: {TOKENHUB_DATA_DIR: dir.path}})).stderr).toContain('.admin-token is empty')
      await rm(join(dir.path, '.admin-token'))
      await mkdir(join(dir.path, '.admin-token'))
      await writeFile(join(dir.path, 'package.json'), '{not json')
      const unreadable = await runCli(['admin-token'], {env: {TOKENHUB_DATA_DIR: dir.path}})
      expect(unreadable.code).toBe(2)
      expect(unreadable.stderr).toContain('.admin-token cannot be read (EISDIR)')
      expect(unreadable.stderr).not.toContain('package.json')
    } finally {
      await dir.cleanup()
    }
  })

  it('finds the token of a local daemon in its data dir when none is set', async () => {
    const result = await runCli(['status', '--json'], {env: {TOKENHUB_URL: daemon.url, TOKENHUB_DATA_DIR: daemon.dataDir}})
    expect(result.code).toBe(0)
    expect(json(result).version).toBe('0.1.0')
  })
})

describe('vault commands', () => {
  it('unlock (first time) from stdin, lock, wrong password, rotate', async () => {
    // A line break before the end (two newlines) would set a password nobody can type: refused before anything is sent.
    for (const input of [`${VAULT_PASSWORD}\n\n`, `${VAULT_PASSWORD}\nsecond line`]) {
      const refused = await cli(['vault', 'unlock', '--password-stdin'], {input})
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('must be one line')
    }
    const unlocked = await cli(['vault', 'unlock', '--password-stdin', '--json'], {input: `${VAULT_PASSWORD}\n`})
    expect(unlocked.code).toBe(0)
    expect(json(unlocked)).toMatchObject({initialized: true, vault_locked: false})
    expect((await cli(['vault', 'lock'])).stdout).toContain('Vault locked')
    const wrong = await cli(['vault', 'unlock', 'not-the-password'])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('wrong vault password')
    const rotated = await cli(['vault', 'rotate', '--password-stdin'], {input: `${VAULT_PASSWORD}\nnew-${VAULT_PASSWORD}\n`})
    expect(rotated.code).toBe(0)
    expect((await cli(['vault', 'unlock', `new-${VAULT_PASSWORD}`])).stdout).toContain('Vault unlocked')
    const noTerminal = await cli(['vault', 'unlock'])
    expect(noTerminal.code).toBe(2)
  })
})

describe('providers, models, routing and keys through the CLI', () => {
  it('provider add (flags, key from stdin), list, edit, discover', async () => {
    const added = await cli(['provider', 'add', '--id', 'up', '--type', 'openai', '--base-url', upstream.url, '--api-key-stdin', '--json'], {input: PROVIDER_KEY})
    expect(added.code).toBe(0)
    expect(json(added).provider).toMatchObject({id: 'up', has_api_key: true})
    expect(added.stdout).not.toContain(PROVIDER_KEY)
    const seedForm = await cli(['provider', 'add', JSON.stringify({id: 'local', type: 'vllm', base_url: 'http://127.0.0.1:1'})])
    expect(seedForm.code).toBe(0)
    const list = await cli(['provider', 'list'])
    expect(list.stdout).toMatch(/^ID\s+TYPE\s+BASE URL/m)
    expect(list.stdout).toMatch(/^up\s+openai/m)
    expect(json(await cli(['provider', 'list', '--json'])).map((p: {id: string}) => p.id)).toEqual(['up', 'local'])
    const edited = await cli(['provider', 'edit', 'local', '{"enabled": false}', '--json'])
    expect(json(edited).provider.enabled).toBe(false)
    const discovered = await cli(['provider', 'discover', 'up'])
    expect(discovered.code).toBe(0)
    expect(discovered.stdout).toMatch(/gpt-4o\s+openai\s+no/)
    const unreachable = await cli(['provider', 'discover', 'local'])
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain('ECONNREFUSED')
  })

  it('model add (flags and JSON), list, edit, enable, disable, delete, slashes included', async () => {
    const flags = await cli(['model', 'add', '--id', 'gpt-4o', '--provider', 'up', '--weight', '8', '--json'])
    expect(json(flags).model).toMatchObject({id: 'gpt-4o', weight: 8, pricing_source: 'catalog'})
    const seed = await cli([
      'model',
      'add',
      '{"id":"Qwen/Qwen2.5-Coder-32B-Instruct","provider_id":"local","weight":4,"max_context_tokens":32768,"input_per_1k":0,"output_per_1k":0,"enabled":true}',
    ])
    expect(seed.code).toBe(0)
    const unpriced = await cli(['model', 'add', '--id', 'mystery', '--provider', 'local'])
    expect(unpriced.stderr).toContain('warning: no price given')
    expect((await cli(['model', 'list'])).stdout).toMatch(/^Qwen\/Qwen2\.5-Coder-32B-Instruct\s+local\s+chat\s+4\s+32768/m)
    expect(json(await cli(['model', 'edit', 'Qwen/Qwen2.5-Coder-32B-Instruct', '{"weight": 9}', '--json'])).model.weight).toBe(9)
    expect(json(await cli(['model', 'disable', 'Qwen/Qwen2.5-Coder-32B-Instruct', '--json'])).model.enabled).toBe(false)
    expect(json(await cli(['model', 'enable', 'Qwen/Qwen2.5-Coder-32B-Instruct', '--json'])).model.enabled).toBe(true)
    expect((await cli(['model', 'edit', 'gpt-4o', '--input-per-1k', '0.002', '--json'])).code).toBe(0)
    expect((await cli(['alias', 'set', 'qwen', '--model', 'Qwen/Qwen2.5-Coder-32B-Instruct'])).code).toBe(0)
    const deleted = await cli(['model', 'delete', 'Qwen/Qwen2.5-Coder-32B-Instruct', '--yes'])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toContain('alias(es) left empty and deleted: qwen')
    const gone = await cli(['model', 'delete', 'Qwen/Qwen2.5-Coder-32B-Instruct', '--yes', '--json'])
    expect(gone.code).toBe(1)
    expect(json(gone).error.code).toBe('NOT_FOUND')
    // Adding an id that exists updates it, as tokenhubctl does; --create-only refuses it.
    const dup = await cli(['model', 'add', '--id', 'gpt-4o', '--provider', 'up', '--create-only'])
    expect(dup.code).toBe(1)
    expect(dup.stderr).toContain('already exists')
    const again = await cli(['model', 'add', '--id', 'gpt-4o', '--provider', 'up'])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('nothing changed')
  })

  it('provider delete needs --cascade while models remain', async () => {
    const refused = await cli(['provider', 'delete', 'local', '--yes'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('mystery')
    const done = await cli(['provider', 'delete', 'local', '--cascade', '--yes', '--json'])
    expect(json(done).deleted_models).toEqual(['mystery'])
  })

  it('routing get and set (JSON and flags)', async () => {
    expect(json(await cli(['routing', 'get', '--json']))).toEqual({default_mode: 'normal', default_max_budget_usd: 0, default_max_latency_ms: 0})
    await cli(['routing', 'set', '{"default_mode":"cheap","default_max_budget_usd":0.02,"default_max_latency_ms":10000}'])
    const set = await cli(['routing', 'set', '--mode', 'high_confidence', '--json'])
    expect(json(set)).toMatchObject({default_mode: 'high_confidence', default_max_budget_usd: 0.02, default_max_latency_ms: 10000})
    const bad = await cli(['routing', 'set', '{"default_mode":"warp"}'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('default_mode')
    expect((await cli(['routing', 'get'])).stdout).toMatch(/default_mode\s+high_confidence/)
  })

  it('apikey create prints the key once; list, edit, rotate, delete', async () => {
    const created = await cli(['apikey', 'create', '--name', 'ci', '--scopes', 'chat', '--monthly-budget-usd', '5', '--expires-in', '30d'])
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^th-[A-Za-z0-9_-]{43}$/)
    expect(created.stderr).toContain('only time')
    const seedForm = json(await cli(['apikey', 'create', '{"name":"prod-app","scopes":"[\\"chat\\",\\"plan\\"]","monthly_budget_usd":50.0}', '--json']))
    expect(seedForm.scopes).toEqual(['chat', 'plan'])
    const list = await cli(['apikey', 'list'])
    expect(list.stdout).toMatch(/ci\s+th-\S{8}\.\.\.\s+chat\s+active\s+\$0 \/ \$5/)
    expect(list.stdout).not.toContain(key)
    const keys = json(await cli(['apikey', 'list', '--json']))
    const id = keys.find((k: {name: string}) => k.name === 'ci').id
    expect(json(await cli(['apikey', 'edit', id, '--monthly-budget-usd', '10', '--json'])).api_key.monthly_budget_usd).toBe(10)
    const rotated = await cli(['apikey', 'rotate', id, '--yes'])
    expect(rotated.stdout.trim()).toMatch(/^th-/)
    expect(rotated.stdout.trim()).not.toBe(key)
    const revoked = await cli(['apikey', 'delete', id, '--yes', '--json'])
    expect(json(revoked).api_key.status).toBe('revoked')
    const typo = await cli(['apikey', 'create', '{"name":"x","monthly_budget":5}'])
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain('monthly_budget')
    // A revoked key stays revoked: an edit is refused, not reported as done.
    const deadEdit = await cli(['apikey', 'edit', id, '--name', 'revived'])
    expect(deadEdit.code).toBe(1)
    expect(deadEdit.stderr).toContain('is revoked')
    // An empty list (an unset $VAR) would make a key that can use nothing; "all" lifts a restriction.
    const empty = await cli(['apikey', 'create', '--name', 'empty', '--allowed-models', ''])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('--allowed-models is empty')
    const limited = json(await cli(['apikey', 'create', '--name', 'limited', '--allowed-models', 'gpt-4o', '--json']))
    expect(limited.allowed_models).toEqual(['gpt-4o'])
    expect(json(await cli(['apikey', 'edit', limited.id, '--allowed-models', 'all', '--json'])).api_key.allowed_models).toBeNull()
    // A number JSON cannot carry would arrive as null and clear the field.
    const huge = await cli(['apikey', 'edit', limited.id, '{"monthly_budget_usd": 1e400}'])
    expect(huge.code).toBe(2)
    expect(huge.stderr).toContain('too large')
  })

  it('alias set replaces the alias; a weight after "=" must be given', async () => {
    expect((await cli(['alias', 'set', 'swap', '--model', 'gpt-4o', '--sticky-by', 'api_key', '--disable'])).code).toBe(0)
    const replaced = json(await cli(['alias', 'set', 'swap', '--model', 'gpt-4o', '--json'])).alias
    expect(replaced).toMatchObject({enabled: true, sticky_by: 'request'})
    const blank = await cli(['alias', 'set', 'swap', '--model', 'gpt-4o='])
    expect(blank.code).toBe(2)
    expect(blank.stderr).toContain('must be a whole number')
    expect((await cli(['alias', 'delete', 'swap', '--yes'])).code).toBe(0)
  })

  it('prints control characters of ids and upstream text inert in error messages', async () => {
    const evil = await cli(['model', 'delete', 'x\u001b[31mRED\u0007', '--yes'])
    expect(evil.code).toBe(1)
    expect(evil.stderr).not.toContain('\u001b')
    expect(evil.stderr).not.toContain('\u0007')
    expect(evil.stderr).toContain('\\u001b[31mRED')
  })

  it('tsdb query --height must be 2-100', async () => {
    for (const height of ['-3', '0', '100000']) expect((await cli(['tsdb', 'query', '--metric', 'requests', '--height', height])).code).toBe(2)
  })

  it('status shows counts and vault state', async () => {
    const status = json(await cli(['status', '--json']))
    expect(status).toMatchObject({url: daemon.url, vault_locked: false, vault_initialized: true, providers: 1, models: 1})
    expect((await cli(['status'])).stdout).toMatch(/vault\s+unlocked/)
  })
})

describe('config and rotate-admin-token', () => {
  it('config set url is used when neither flag nor environment gives one', async () => {
    expect((await cli(['config', 'set', 'url', 'ftp://nope'])).code).toBe(2)
    await cli(['config', 'set', 'url', daemon.url])
    expect((await cli(['config', 'get', 'url'])).stdout.trim()).toBe(daemon.url)
    const viaConfig = await cli(['status', '--json'], {env: {TOKENHUB_URL: undefined}})
    expect(viaConfig.code).toBe(0)
    const flagWins = await cli(['status', '--url', 'http://127.0.0.1:1'])
    expect(flagWins.code).toBe(3)
    await cli(['config', 'unset', 'url'])
    expect((await cli(['config', 'get', 'url'])).stdout.trim()).toBe('')
  })

  it('a settings file that is not JSON is named (exit 2), never silently replaced by the default url; config set rewrites it', async () => {
    const file = join(configDir.path, 'config.json')
    await writeFile(file, '{bad')
    for (const args of [['status'], ['config', 'get']]) {
      const broken = await cli(args, {env: {TOKENHUB_URL: undefined}})
      expect(broken.code, args.join(' ')).toBe(2)
      expect(broken.stderr.replace(/\s*›\s*/g, ' '), args.join(' ')).toContain(`${file} is not valid JSON`)
    }
    expect((await cli(['config', 'set', 'url', daemon.url])).code).toBe(0)
    expect((await cli(['status', '--json'], {env: {TOKENHUB_URL: undefined}})).code).toBe(0)
    await cli(['config', 'unset', 'url'])
  })

  it('admin-token warns when TOKENHUB_ADMIN_TOKEN is not the token the daemon wrote (rotated away)', async () => {
    const printed = await runCli(['admin-token'], {env: {TOKENHUB_DATA_DIR: daemon.dataDir, TOKENHUB_ADMIN_TOKEN: 'an-old-token-rotated-away'}})
    expect(printed.code).toBe(0)
    expect(printed.stdout.trim()).toBe('an-old-token-rotated-away')
    expect(printed.stderr).toContain('TOKENHUB_ADMIN_TOKEN differs from')
    const same = await runCli(['admin-token'], {env: {TOKENHUB_DATA_DIR: daemon.dataDir, TOKENHUB_ADMIN_TOKEN: daemon.adminToken}})
    expect(same.stderr).toBe('')
  })

  it('rotate-admin-token refuses a token that could not travel in a header', async () => {
    // Refused before anything is sent (exit 2); the daemon applies the same rule.
    const refused = await cli(['rotate-admin-token', 'abcdefghijklmnop\u0001q', '--yes'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('visible ASCII')
    expect((await cli(['status'])).code).toBe(0)
  })

  it('rotate-admin-token: without a terminal it needs --yes (exit 2, nothing changed)', async () => {
    const unconfirmed = await cli(['rotate-admin-token'])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('--yes')
    expect((await cli(['status'])).code).toBe(0)
  })

  it('rotate-admin-token: the old token stops working at once', async () => {
    const result = await cli(['rotate-admin-token', '--yes', '--json'])
    const token = json(result).token as string
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    expect((await cli(['status'])).code).toBe(1)
    expect((await cli(['status'], {env: {TOKENHUB_ADMIN_TOKEN: token}})).code).toBe(0)
    env.TOKENHUB_ADMIN_TOKEN = token
    daemon.adminToken = token
  })
})

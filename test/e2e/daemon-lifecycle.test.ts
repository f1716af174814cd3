import {spawn} from 'node:child_process'
import {chmod, mkdir, open, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import OpenAI from 'openai'
import {expectStartFailure, startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {startGatewayFixture} from '../helpers/gateway-fixture.js'
import {runCli} from '../helpers/cli.js'
import {binRun, freePort, tempDir} from '../helpers/paths.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function started(options: Parameters<typeof startTestDaemon>[0] = {}): Promise<TestDaemon> {
  const daemon = await startTestDaemon(options)
  cleanups.push(() => daemon.cleanup())
  return daemon
}

async function temp() {
  const dir = await tempDir()
  cleanups.push(dir.cleanup)
  return dir.path
}

describe('tokenhub daemon', () => {
  it('creates a missing data dir (0700), prints where it listens and serves /healthz without auth', async () => {
    const parent = await temp()
    const dataDir = join(parent, 'nested', 'data')
    const daemon = await started({dataDir})
    expect(daemon.stdout()).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/m)
    expect(daemon.stdout()).toContain(join(dataDir, '.admin-token'))
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
    const response = await fetch(`${daemon.url}/healthz`)
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body).toMatchObject({status: 'ok', version: '0.1.0', vault_locked: true})
    expect(typeof body.uptime_s).toBe('number')
  })

  it('stops on SIGTERM with exit 0 after finishing an in-flight request, and releases the lock', async () => {
    const daemon = await started({env: {TOKENHUB_DRAIN_TIMEOUT_SECS: '10'}})
    // A vault unlock at the default scrypt work factor takes most of a second: a real in-flight request.
    const inflight = daemon.admin('POST', '/admin/v1/vault/unlock', {password: 'drain-test-password'})
    await new Promise((resolve) => setTimeout(resolve, 100))
    const exit = daemon.stop('SIGTERM')
    const response = await inflight
    expect(response.status).toBe(200)
    expect(await exit).toBe(0)
    await expect(stat(join(daemon.dataDir, 'daemon.pid'))).rejects.toThrow(/ENOENT/)
    expect(daemon.stderr()).toContain('draining')
    // The change made by the drained request is on disk: the next daemon sees an initialised vault.
    const next = await started({dataDir: daemon.dataDir})
    expect((await next.admin('GET', '/admin/v1/info')).body.vault_initialized).toBe(true)
  })

  it('past --drain-timeout-secs the requests still open are cut and the daemon exits (it waited for the upstream before)', async () => {
    const fx = await startGatewayFixture({env: {TOKENHUB_DRAIN_TIMEOUT_SECS: '1', TOKENHUB_PROVIDER_TIMEOUT_SECS: '60'}})
    cleanups.push(() => fx.close())
    fx.openai.behave('gpt-4o', {hang: true})
    const client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0, timeout: 30_000})
    const inflight = client.chat.completions.create({model: 'strong-gpt', messages: [{role: 'user', content: 'x'}]}).then(
      () => 'answered',
      (error) => `failed ${error.status ?? ''} ${error.error?.code ?? ''}`.trim(),
    )
    await vi.waitFor(() => expect(fx.openai.requests.some((r) => r.json?.model === 'gpt-4o')).toBe(true))
    const started = Date.now()
    expect(await fx.daemon.stop('SIGTERM')).toBe(0)
    expect(Date.now() - started).toBeLessThan(6000)
    // The client is told the daemon is going away, not that the upstream failed; the upstream is
    // not blamed (no retry, no failover, no circuit change).
    expect(await inflight).toBe('failed 503 SHUTTING_DOWN')
    expect(fx.daemon.stderr()).toContain('drain deadline passed')
    expect(fx.daemon.stderr()).not.toContain('circuit state changed')
    expect(fx.openai.requests.filter((r) => r.json?.model === 'gpt-4o')).toHaveLength(1)
  })

  it('a client that leaves halfway through sending its body does not hold the shutdown until the drain deadline', async () => {
    const fx = await startGatewayFixture({env: {TOKENHUB_DRAIN_TIMEOUT_SECS: '20'}})
    cleanups.push(() => fx.close())
    const { connect } = await import('node:net')
    const abandon = (head: string) =>
      new Promise<void>((resolve) => {
        const socket = connect(fx.daemon.port, '127.0.0.1', () => {
          socket.write(head + '{"messages": [')
          setTimeout(() => {
            socket.destroy()
            resolve()
          }, 200)
        })
      })
    await abandon(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fx.key}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`)
    await abandon(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${fx.key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n`)
    await abandon(`POST /admin/v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fx.daemon.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await fx.daemon.stop('SIGTERM')).toBe(0)
    expect(fx.daemon.stderr()).not.toContain('drain deadline passed')
  })

  it('also stops cleanly on SIGINT', async () => {
    const daemon = await started()
    expect(await daemon.stop('SIGINT')).toBe(0)
  })

  it('refuses a second daemon on the same data dir and names the first one', async () => {
    const first = await started()
    const failure = await expectStartFailure({dataDir: first.dataDir})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain(`pid ${first.child.pid}`)
    expect(failure.stderr).toContain('already using this data dir')
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
  })

  it('takes over a stale lock left by a killed daemon', async () => {
    const first = await started()
    await first.stop('SIGKILL')
    expect((await readFile(join(first.dataDir, 'daemon.pid'), 'utf8')).split('\n')[0]).toBe(String(first.child.pid))
    const second = await started({dataDir: first.dataDir})
    expect(second.stderr()).toContain('stale lock')
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200)
  })

  it('an acknowledged admin change keeps its audit record through a kill -9 right after the answer', async () => {
    const first = await started()
    const created = await Promise.all(Array.from({length: 5}, (_, i) => first.admin('POST', '/admin/v1/apikeys', {name: `crash-${i}`})))
    await first.admin('POST', '/admin/v1/vault/unlock', {password: 'the-right-password'})
    await first.admin('POST', '/admin/v1/vault/lock')
    const refused = await first.admin('POST', '/admin/v1/vault/unlock', {password: 'not-the-password'})
    await first.stop('SIGKILL')
    const second = await started({dataDir: first.dataDir})
    const audit = (await second.admin('GET', '/admin/v1/audit?limit=100')).body.logs
    for (const answer of created) {
      expect(answer.status).toBe(201)
      expect(audit.some((e: {action: string; resource_id: string}) => e.action === 'api_key.create' && e.resource_id === answer.body.id), answer.body.id).toBe(true)
    }
    // The first unlock sets the password, so a second, wrong one is the refused one.
    expect(refused.status).toBe(401)
    expect(audit.some((e: {outcome: string}) => e.outcome === 'denied')).toBe(true)
  })

  it('exits non-zero on a corrupt store, names the file and leaves it untouched', async () => {
    const dataDir = await temp()
    const daemon = await started({dataDir})
    await daemon.stop()
    const storeFile = join(dataDir, 'store.age')
    const original = await readFile(storeFile)
    const damaged = Buffer.from(original)
    damaged[damaged.length - 5] ^= 0xff
    await writeFile(storeFile, damaged)
    const failure = await expectStartFailure({dataDir})
    expect(failure.code).not.toBe(0)
    expect(failure.stderr).toContain(storeFile)
    expect(failure.stderr).not.toMatch(/\n\s+at /) // a message, not a stack trace
    expect(await readFile(storeFile)).toEqual(damaged)
  })

  it('a data dir it cannot create says so in one line (what, who, how to fix), no stack', async () => {
    const parent = await temp()
    await writeFile(join(parent, 'a-file'), 'x')
    const dataDir = join(parent, 'a-file', 'data')
    const failure = await expectStartFailure({dataDir})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain(`data dir ${dataDir} cannot be created or used by uid`)
    expect(failure.stderr).toContain('ENOTDIR')
    expect(failure.stderr).toContain('StateDirectory=tokenhub')
    expect(failure.stderr).not.toMatch(/\n\s+at /)
  })

  it('an unusable .admin-token stops the start with one line; one readable by others is brought back to 0600', async () => {
    const dataDir = await temp()
    await writeFile(join(dataDir, '.admin-token'), 'abc\n')
    const failure = await expectStartFailure({dataDir})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain('.admin-token holds an unusable admin token: it must be at least 16 characters; delete the file')
    expect(failure.stderr).not.toMatch(/\n\s+at /)
    await rm(join(dataDir, '.admin-token'))
    await mkdir(join(dataDir, '.admin-token'))
    const unreadable = await expectStartFailure({dataDir})
    expect(unreadable.stderr).toContain('.admin-token cannot be read (EISDIR)')
    expect(unreadable.stderr).not.toMatch(/\n\s+at /)
    await rm(join(dataDir, '.admin-token'), {recursive: true})
    await writeFile(join(dataDir, '.admin-token'), 'a-long-enough-admin-token\n', {mode: 0o644})
    await chmod(join(dataDir, '.admin-token'), 0o644)
    const daemon = await started({dataDir})
    expect((await stat(join(dataDir, '.admin-token'))).mode & 0o777).toBe(0o600)
    expect(daemon.stderr()).toContain('its mode is now 0600')
    expect((await fetch(`${daemon.url}/admin/v1/info`, {headers: {authorization: 'Bearer a-long-enough-admin-token'}})).status).toBe(200)
  })

  it('a used data dir whose store.age is gone does not start empty (a restore that missed it would lose every provider and key)', async () => {
    const dataDir = await temp()
    const first = await started({dataDir})
    expect((await first.admin('POST', '/admin/v1/providers', {id: 'p', type: 'openai', base_url: 'http://127.0.0.1:9'})).status).toBe(201)
    await first.stop()
    await rm(join(dataDir, 'store.age'))
    const failure = await expectStartFailure({dataDir})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain('store.age: is missing, but this data dir has been used')
    await expect(stat(join(dataDir, 'store.age'))).rejects.toThrow(/ENOENT/)
  })

  it('exits non-zero on a store that is not even age', async () => {
    const dataDir = await temp()
    await started({dataDir}).then((d) => d.stop())
    await writeFile(join(dataDir, 'store.age'), '{"providers": {}}')
    const failure = await expectStartFailure({dataDir})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain('store.age')
    expect(await readFile(join(dataDir, 'store.age'), 'utf8')).toBe('{"providers": {}}')
  })

  it('explains a bad setting with exit 2 before touching the data dir', async () => {
    const parent = await temp()
    const failure = await expectStartFailure({dataDir: join(parent, 'never-created'), env: {TOKENHUB_DEFAULT_MODE: 'fastest'}})
    expect(failure.code).toBe(2)
    expect(failure.stderr).toContain('unknown routing mode "fastest"')
    await expect(stat(join(parent, 'never-created'))).rejects.toThrow(/ENOENT/)
    // An empty flag (an unset variable in a unit file) is not 0, which would override the environment's drain.
    const empty = await expectStartFailure({dataDir: join(parent, 'never-created'), args: ['--drain-timeout-secs', ''], env: {TOKENHUB_DRAIN_TIMEOUT_SECS: '30'}})
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('--drain-timeout-secs is empty')
  })

  it('starts from flags without oclif, and leaves help and flags it cannot read to oclif, whose errors are exit 2 as before', async () => {
    const parent = await temp()
    const never = join(parent, 'never-created')
    // Every flag at once, in both spellings, is read by the fast start and takes effect.
    const daemon = await started({args: ['--default-mode=cheap', '--log-level', 'warn', '--max-body-bytes', '2048', '--drain-timeout-secs=5', '--default-max-budget-usd', '0', '--default-max-latency-ms', '0', '--provider-timeout-secs', '30']})
    const big = await fetch(`${daemon.url}/v1/chat/completions`, {method: 'POST', headers: {authorization: 'Bearer x', 'content-type': 'application/json'}, body: 'x'.repeat(5000)})
    expect(big.status).toBe(413)
    for (const [args, message] of [
      [['--drain-timeout-secs', 'soon'], '--drain-timeout-secs must be a number, got "soon"'],
      [['--bogus', '1'], 'Nonexistent flag: --bogus'],
      [['--listen', '127.0.0.1:0', '--listen', '127.0.0.1:1'], '--listen can only be specified once'],
      [['extra'], 'daemon does not take "extra"'],
    ] as const) {
      const failure = await expectStartFailure({dataDir: never, args: [...args]})
      expect(failure.code, args.join(' ')).toBe(2)
      expect(failure.stderr).toContain(message)
    }
    await expect(stat(never)).rejects.toThrow(/ENOENT/)
    const help = await runCli(['daemon', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--drain-timeout-secs=<value>')
    expect(help.stdout).toContain('TOKENHUB_LISTEN_ADDR')
  })

  it('keeps serving when whatever read its stdout went away during start-up (`tokenhub daemon | head -1`)', {timeout: 30_000}, async () => {
    const {spawn} = await import('node:child_process')
    const dataDir = await temp()
    const child = spawn(process.execPath, [binRun, 'daemon', '--listen', '127.0.0.1:0'], {env: {PATH: process.env.PATH ?? '', HOME: dataDir, TOKENHUB_DATA_DIR: dataDir}, stdio: ['ignore', 'pipe', 'pipe']})
    let exited: number | null | undefined
    child.on('exit', (code) => (exited = code))
    // Like `| head -1`: the first line read, then the pipe closed.
    await new Promise((resolve) => child.stdout.once('data', resolve))
    child.stdout.destroy()
    // oclif's output flush used to time out 10 s later, as an uncaught exception that ended the daemon.
    await new Promise((resolve) => setTimeout(resolve, 12_000))
    expect(exited).toBeUndefined()
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    expect(exited).toBe(0)
  })

  it('keeps serving when nothing reads its stdout at all (`tokenhub daemon | true`): the lines it prints are lost, not the daemon', {timeout: 30_000}, async () => {
    const dataDir = await temp()
    const port = await freePort()
    const child = spawn(process.execPath, [binRun, 'daemon', '--listen', `127.0.0.1:${port}`], {env: {PATH: process.env.PATH ?? '', HOME: dataDir, TOKENHUB_DATA_DIR: dataDir}, stdio: ['ignore', 'pipe', 'pipe']})
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    // Closed before the daemon wrote anything: its first line meets EPIPE.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    let exited: number | null | undefined
    child.on('exit', (code) => (exited = code))
    await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200), {timeout: 15_000, interval: 100})
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(exited, stderr).toBeUndefined()
    expect(stderr).not.toContain('uncaught exception')
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    expect(exited).toBe(0)
  })

  it('refuses to start when TOKENHUB_VAULT_PASSWORD does not open the vault', async () => {
    const dataDir = await temp()
    const first = await started({dataDir, env: {TOKENHUB_VAULT_PASSWORD: 'the-real-password'}})
    expect((await first.admin('GET', '/admin/v1/info')).body).toMatchObject({vault_locked: false, vault_initialized: true})
    await first.stop()
    const failure = await expectStartFailure({dataDir, env: {TOKENHUB_VAULT_PASSWORD: 'not-the-password'}})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain('TOKENHUB_VAULT_PASSWORD does not unlock the vault')
    expect(failure.stderr).not.toContain('not-the-password')
  })

  it('a first start that cannot listen has not set the vault password from TOKENHUB_VAULT_PASSWORD', async () => {
    const first = await started()
    const dataDir = await temp()
    const failure = await expectStartFailure({dataDir, env: {TOKENHUB_LISTEN_ADDR: `127.0.0.1:${first.port}`, TOKENHUB_VAULT_PASSWORD: 'a-typo-in-the-password'}})
    expect(failure.code).toBe(1)
    // Fixed and started again: the intended password is the one set.
    const second = await started({dataDir, env: {TOKENHUB_VAULT_PASSWORD: 'the-intended-password'}})
    expect((await second.admin('GET', '/admin/v1/info')).body).toMatchObject({vault_locked: false, vault_initialized: true})
  })

  it('says so when the port is taken', async () => {
    const first = await started()
    const failure = await expectStartFailure({env: {TOKENHUB_LISTEN_ADDR: `127.0.0.1:${first.port}`}})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain(`cannot listen on 127.0.0.1:${first.port}: the port is in use (EADDRINUSE); see what holds it with: ss -ltnp 'sport = :${first.port}'`)
  })

  it('says the machine has no such address, not that a port is in use', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine has it.
    const failure = await expectStartFailure({env: {TOKENHUB_LISTEN_ADDR: '192.0.2.1:18080'}})
    expect(failure.code).toBe(1)
    expect(failure.stderr).toContain('cannot listen on 192.0.2.1:18080: this machine has no address 192.0.2.1 (EADDRNOTAVAIL)')
  })

  it('restarts on the same fixed port right after serving traffic, and never shares a port', async () => {
    const port = await freePort()
    const first = await started({env: {TOKENHUB_LISTEN_ADDR: `127.0.0.1:${port}`}})
    for (let i = 0; i < 3; i++) await (await fetch(`${first.url}/healthz`)).text()
    const other = await expectStartFailure({env: {TOKENHUB_LISTEN_ADDR: `127.0.0.1:${port}`}})
    expect(other.stderr).toContain(`cannot listen on 127.0.0.1:${port}`)
    expect(await first.stop()).toBe(0)
    const again = await started({dataDir: first.dataDir, env: {TOKENHUB_LISTEN_ADDR: `127.0.0.1:${port}`}})
    expect(again.port).toBe(port)
  })

  it('tightens a data dir that others can read', async () => {
    const dataDir = join(await temp(), 'loose')
    await mkdir(dataDir, {mode: 0o755})
    const first = await started({dataDir})
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
    // An audit record, so the audit journal has a segment on disk.
    await first.admin('POST', '/admin/v1/apikeys', {name: 'restored'})
    expect(await first.stop()).toBe(0)
    // Restored from a backup with a wide umask: the store, its key and the journals' folders.
    for (const name of ['store.age', 'store.key']) await chmod(join(dataDir, name), 0o644)
    await mkdir(join(dataDir, 'copied-in'), {mode: 0o755})
    await chmod(join(dataDir, 'copied-in'), 0o755)
    const {readdir} = await import('node:fs/promises')
    const segments = (await readdir(join(dataDir, 'journal', 'audit'))).map((name) => join(dataDir, 'journal', 'audit', name))
    expect(segments.length).toBeGreaterThan(0)
    for (const segment of segments) await chmod(segment, 0o644)
    const second = await started({dataDir})
    for (const name of ['store.age', 'store.key']) expect((await stat(join(dataDir, name))).mode & 0o777, name).toBe(0o600)
    expect((await stat(join(dataDir, 'copied-in'))).mode & 0o777).toBe(0o700)
    // The journals' segments too (restored from a backup with the rest; listed again: a segment left unsealed gets its sealed name at start).
    const after = (await readdir(join(dataDir, 'journal', 'audit'))).map((name) => join(dataDir, 'journal', 'audit', name))
    expect(after.length).toBeGreaterThan(0)
    for (const segment of after) expect((await stat(segment)).mode & 0o777, segment).toBe(0o600)
    expect(second.stderr()).toContain('files in the data dir were readable by others')
  })

  it('keeps running after SIGHUP, and logs that it ignores it', async () => {
    const daemon = await started()
    daemon.child.kill('SIGHUP')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200)
    // Nothing is re-read on SIGHUP: the log must not claim the configuration is read live.
    expect(daemon.stdout() + daemon.stderr()).toContain('SIGHUP received and ignored')
    expect(daemon.stdout() + daemon.stderr()).not.toContain('read live')
  })
})

describe('a log that cannot be written', () => {
  it('stderr on a full disk (/dev/full): the daemon keeps serving, and SIGTERM still stops it with exit 0', async () => {
    const dataDir = await temp()
    const port = await freePort()
    const full = await open('/dev/full', 'w')
    cleanups.push(() => full.close())
    const child = spawn(process.execPath, [binRun, 'daemon', '--listen', `127.0.0.1:${port}`, '--log-level', 'debug'], {
      env: {...process.env, TOKENHUB_DATA_DIR: dataDir},
      stdio: ['ignore', 'pipe', full.fd],
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    await vi.waitFor(() => expect(out).toContain('listening on'), {timeout: 10_000})
    const token = (await readFile(join(dataDir, '.admin-token'), 'utf8')).trim()
    // Every admin write logs (debug): each line fails to reach stderr.
    for (let i = 0; i < 20; i++) {
      const created = await fetch(`http://127.0.0.1:${port}/admin/v1/apikeys`, {method: 'POST', headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'}, body: JSON.stringify({name: `k${i}`}), signal: AbortSignal.timeout(5000)})
      expect(created.status).toBe(201)
    }
    expect((await fetch(`http://127.0.0.1:${port}/healthz`, {signal: AbortSignal.timeout(5000)})).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})

describe('tokenhub --version', () => {
  it('prints the version', async () => {
    const child = spawn(process.execPath, ['bin/run.js', '--version'])
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const code = await new Promise((resolve) => child.on('exit', resolve))
    expect(code).toBe(0)
    expect(out).toMatch(/^tokenhub\/0\.1\.0 /)
  })
})

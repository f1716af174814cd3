import {spawn} from 'node:child_process'
import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestDaemon} from '../helpers/daemon.js'
import {startGatewayFixture, VAULT_PASSWORD, type GatewayFixture} from '../helpers/gateway-fixture.js'
import {binRun, freePort} from '../helpers/paths.js'

let fx: GatewayFixture
beforeAll(async () => {
  // A fixed port, so the restarted daemon is where the follower reconnects.
  fx = await startGatewayFixture({env: {TOKENHUB_LISTEN_ADDR: `127.0.0.1:${await freePort()}`}})
})
afterAll(() => fx?.close())

const ask = (content: string) =>
  new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'cheap-gpt', messages: [{role: 'user', content}]})

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('tokenhub events', () => {
  it('follows for more than a minute, across a daemon restart, until Ctrl-C', {timeout: 120_000}, async () => {
    const started = Date.now()
    const child = spawn(process.execPath, [binRun, 'events', '--type', 'route_success', '--json'], {
      env: {PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', NO_COLOR: '1', ...fx.daemon.cliEnv},
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const lines = () => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))

    await new Promise((resolve) => setTimeout(resolve, 1500))
    await ask('first')
    await until(() => lines().length === 1, 10_000, 'the first event')

    const port = fx.daemon.port
    expect(await fx.daemon.stop()).toBe(0)
    await until(() => stderr.includes('disconnected'), 10_000, 'the disconnect notice')
    fx.daemon = await startTestDaemon({dataDir: fx.daemon.dataDir, env: {TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD, TOKENHUB_LISTEN_ADDR: `127.0.0.1:${port}`}})
    await until(() => stderr.includes('reconnected'), 15_000, 'the reconnect')
    await ask('second')
    await until(() => lines().length === 2, 10_000, 'the event after the restart')

    // Still following well past the 30 s after which TokenHub (Go)'s tokenhubctl gave up.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 62_000 - (Date.now() - started))))
    await ask('third')
    await until(() => lines().length === 3, 10_000, 'the event after a minute')
    expect(lines().map((e) => e.type)).toEqual(['route_success', 'route_success', 'route_success'])
    expect(Number(lines()[2].id)).toBeGreaterThan(Number(lines()[0].id))

    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })

  it('--backlog starts with the newest kept events; a bad count is a usage error', async () => {
    await ask('kept')
    const child = spawn(process.execPath, [binRun, 'events', '--type', 'route_success', '--backlog', '1', '--json'], {
      env: {PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', NO_COLOR: '1', ...fx.daemon.cliEnv},
    })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await until(() => stdout.trim().split('\n').filter(Boolean).length === 1, 10_000, 'the kept event')
    expect(JSON.parse(stdout.trim())).toMatchObject({type: 'route_success', model_id: 'cheap-gpt'})
    child.kill('SIGINT')
    expect(await exited).toBe(0)

    const bad = spawn(process.execPath, [binRun, 'events', '--backlog', '-3'], {env: {PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', ...fx.daemon.cliEnv}})
    expect(await new Promise((resolve) => bad.on('exit', resolve))).toBe(2)
  })

  it('a request the daemon refuses (400) ends with its message and exit 2, not a retry loop', async () => {
    const {createServer} = await import('node:http')
    // A daemon of another version that refuses what this CLI sent.
    const refusing = createServer((req, res) => {
      if (req.url === '/admin/v1/info') {
        res.writeHead(200, {'content-type': 'application/json', 'x-tokenhub-request-id': 'req_i'})
        return res.end(JSON.stringify({version: '0.0.0'}))
      }
      res.writeHead(400, {'content-type': 'application/json', 'x-tokenhub-request-id': 'req_x'})
      res.end(JSON.stringify({error: {code: 'VALIDATION', message: 'last_event_id: must be at most 9007199254740991'}}))
    })
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(refusing.address() as {port: number}).port}`
    const run = (args: string[]) =>
      new Promise<{code: number | null; stderr: string}>((resolve) => {
        const child = spawn(process.execPath, [binRun, 'events', ...args], {env: {PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', NO_COLOR: '1', ...fx.daemon.cliEnv, TOKENHUB_URL: url}})
        let stderr = ''
        child.stderr.on('data', (d) => (stderr += d))
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        child.on('exit', (code) => {
          clearTimeout(killer)
          resolve({code, stderr})
        })
      })
    try {
      const refused = await run(['--since-id', '5'])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('last_event_id: must be at most')
      expect(refused.stderr).not.toContain('retrying')
      expect((await run(['--since-id', '99999999999999999'])).code).toBe(2)
    } finally {
      refusing.close()
    }
  })

  it('--count N exits after N printed events, without waiting for a write to find its reader gone', async () => {
    const child = spawn(process.execPath, [binRun, 'events', '--type', 'route_success', '--json', '--count', '2'], {
      env: {PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', NO_COLOR: '1', ...fx.daemon.cliEnv},
    })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    for (const word of ['one', 'two', 'three']) await ask(word)
    expect(await exited).toBe(0)
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line).type)).toEqual(['route_success', 'route_success'])
  })

  it('a follower that has seen no event yet loses nothing across a restart; `| head -1` ends it; its final error is one JSON line', {timeout: 60_000}, async () => {
    const env = {PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', NO_COLOR: '1', ...fx.daemon.cliEnv}
    const child = spawn(process.execPath, [binRun, 'events', '--type', 'vault_unlocked', '--json'], {env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    // The restarted daemon unlocks its vault (an event) before the follower is back.
    const port = fx.daemon.port
    expect(await fx.daemon.stop()).toBe(0)
    await until(() => stderr.includes('disconnected'), 10_000, 'the disconnect notice')
    fx.daemon = await startTestDaemon({dataDir: fx.daemon.dataDir, env: {TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD, TOKENHUB_LISTEN_ADDR: `127.0.0.1:${port}`}})
    await until(() => stdout.includes('vault_unlocked'), 15_000, 'the event published before the reconnect')
    expect(stderr).toContain('the daemon restarted')
    child.kill('SIGINT')
    expect(await exited).toBe(0)

    // A reader that goes away after the first line ends the follower.
    const piped = spawn(process.execPath, [binRun, 'events', '--backlog', '5', '--json'], {env})
    const pipedExit = new Promise<number | null>((resolve) => piped.on('exit', (code) => resolve(code)))
    await new Promise<void>((resolve) => piped.stdout.once('data', () => resolve()))
    piped.stdout.destroy()
    await ask('after the reader left')
    expect(await pipedExit).toBe(0)

    // The stream's end on a rotated token: one JSON line, like the events before it.
    const rotated = spawn(process.execPath, [binRun, 'events', '--json'], {env})
    let rotatedOut = ''
    rotated.stdout.on('data', (d) => (rotatedOut += d))
    const rotatedExit = new Promise<number | null>((resolve) => rotated.on('exit', (code) => resolve(code)))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect((await fx.daemon.admin('POST', '/admin/v1/admin-token/rotate', {token: fx.daemon.adminToken.split('').reverse().join('')})).status).toBe(200)
    expect(await rotatedExit).toBe(1)
    const lines = rotatedOut.trim().split('\n')
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({error: {code: 'AUTH_INVALID'}})
  })
})

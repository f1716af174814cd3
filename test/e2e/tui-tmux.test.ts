import {execFileSync, spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'
import {startTestDaemon} from '../helpers/daemon.js'
import {binRun, freePort, tempDir} from '../helpers/paths.js'

/**
 * `tokenhub tui` on a real terminal: tmux gives it a 120x40 pty, we type with send-keys and read
 * the screen with capture-pane. Runs the built code (dist/): `npm run build` first (`npm test`
 * does). Needs tmux; CI installs it.
 */
// Skip only when tmux is missing; any other failure to run it should fail the test, not hide it.
const tmuxInstalled = (spawnSync('tmux', ['-V']).error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT'
if (!tmuxInstalled) console.warn('tui-tmux.test.ts: tmux is not installed, skipping the terminal dashboard end-to-end test')

const SOCKET = `tokenhub-tui-test-${process.pid}`
const SESSION = 'tui'

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {encoding: 'utf8'})
}

const screen = () => tmux('capture-pane', '-p', '-t', SESSION)
const alternateScreenOn = () => tmux('display-message', '-p', '-t', SESSION, '#{alternate_on}').trim() === '1'
/** Types text literally (no key-name lookup), then optionally named keys such as Enter. */
const type = (text: string) => tmux('send-keys', '-t', SESSION, '-l', text)
const key = (...names: string[]) => tmux('send-keys', '-t', SESSION, ...names)

/** Polls the pane until `check` passes; on timeout fails with what the pane showed. */
async function waitForScreen(check: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    last = screen()
    if (check(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  throw new Error(`timed out waiting for ${what}; the pane showed:\n${last}`)
}

const receivedCount = (text: string) => Number(/(\d+) received/.exec(text)?.[1] ?? Number.NaN)

let fx: GatewayFixture
let traffic: NodeJS.Timeout | undefined
let socketPath = ''

describe.skipIf(!tmuxInstalled)('tokenhub tui on a terminal (tmux)', () => {
  beforeAll(async () => {
    fx = await startGatewayFixture()
    const client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const ask = (model: string) => client.chat.completions.create({model, messages: [{role: 'user', content: 'hello'}]}).catch(() => undefined)
    // Some history for the charts' TSDB seed, then steady traffic while the dashboard runs.
    await Promise.all(['cheap-gpt', 'strong-gpt', 'claude', 'cheap-gpt', 'claude', 'strong-gpt'].map(ask))
    const models = ['cheap-gpt', 'strong-gpt', 'claude']
    let n = 0
    traffic = setInterval(() => void ask(models[n++ % models.length]), 150)
    const env = [
      `PATH=${process.env.PATH ?? ''}`,
      'HOME=/nonexistent-home',
      'TERM=screen',
      'PS1=test-shell$ ',
      `TOKENHUB_URL=${fx.daemon.cliEnv.TOKENHUB_URL}`,
      `TOKENHUB_ADMIN_TOKEN=${fx.daemon.cliEnv.TOKENHUB_ADMIN_TOKEN}`,
    ]
    // env -i: nothing from this process (CI=true, NO_COLOR, the developer's TOKENHUB_*) leaks in.
    tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', SESSION, `env -i ${env.map((e) => `'${e}'`).join(' ')} bash --norc --noprofile`)
    socketPath = tmux('display-message', '-p', '#{socket_path}').trim()
    await waitForScreen((text) => text.includes('test-shell$'), 'the shell prompt')
  }, 60_000)

  afterAll(async () => {
    clearInterval(traffic)
    try {
      tmux('kill-server')
    } catch {
      // already gone
    }
    if (socketPath) rmSync(socketPath, {force: true})
    await fx?.close()
  })

  it('refuses a wrong admin token (exit 1) and an unreachable daemon (exit 3) before taking the screen', async () => {
    type(`node ${binRun} tui --token wrong-token-0000000000; echo WRONG_TOKEN_EXIT=$?`)
    key('Enter')
    const wrong = await waitForScreen((text) => /WRONG_TOKEN_EXIT=\d/.test(text), 'the wrong-token run to end')
    expect(wrong).toContain('WRONG_TOKEN_EXIT=1')
    expect(wrong).toMatch(/admin token/i)
    type(`node ${binRun} tui --url http://127.0.0.1:9; echo UNREACHABLE_EXIT=$?`)
    key('Enter')
    const unreachable = await waitForScreen((text) => /UNREACHABLE_EXIT=\d/.test(text), 'the unreachable run to end')
    expect(unreachable).toContain('UNREACHABLE_EXIT=3')
    expect(unreachable).toContain('cannot reach the TokenHub daemon')
    expect(alternateScreenOn()).toBe(false)
    type('clear')
    key('Enter')
  }, 30_000)

  it('shows providers, charts and live events, switches screens, and q restores the terminal', async () => {
    type(`echo BEFORE-THE-DASHBOARD; node ${binRun} tui; echo TUI_EXIT=$?`)
    key('Enter')

    const overview = await waitForScreen(
      (text) => /\boa\s+openai\s+ok\b/.test(text) && /\ban\s+anthropic\s+ok\b/.test(text) && text.includes('● live') && /[╭╮╯╰]/.test(text),
      'the overview with both providers, a live connection and chart lines',
    )
    expect(alternateScreenOn()).toBe(true)
    expect(overview).toContain('[1 Overview]')
    expect(overview).toMatch(/requests\/s \d+m/)
    expect(overview).toMatch(/[┼┤]/)
    expect(overview).toMatch(/1h\s+\d+ req/)
    expect(overview).not.toContain('BEFORE-THE-DASHBOARD') // the alternate screen hides the shell
    // Never as tall as the terminal (Ink would clear the screen on every frame): the last row stays free.
    expect(overview.split('\n')[39] ?? '').toBe('')

    key('2')
    const events = await waitForScreen((text) => /route_success\s+model=(cheap-gpt|strong-gpt|claude) provider=(oa|an) status=200/.test(text), 'route events')
    const before = receivedCount(events)
    await waitForScreen((text) => receivedCount(text) > before, 'more events arriving')

    key('3')
    await waitForScreen((text) => /strong-gpt\s+oa\s+9\s/.test(text), 'the models table')
    key('s')
    await waitForScreen((text) => text.includes('tokens: 1000'), 'the simulation prompt')
    key('Enter')
    await waitForScreen((text) => /chosen: (cheap-gpt|strong-gpt|claude)/.test(text), 'a simulation result')

    key('4')
    await waitForScreen((text) => /default\s+th-\S+\s+active/.test(text), 'the API keys')
    key('5')
    await waitForScreen((text) => /\d\d:\d\d:\d\d\s+200\s+(cheap-gpt|strong-gpt|claude)/.test(text), 'the request logs')
    key('?')
    await waitForScreen((text) => text.includes('Key map'), 'the key map')

    key('q')
    const after = await waitForScreen((text) => /TUI_EXIT=\d+/.test(text), 'the dashboard to exit')
    expect(after).toContain('TUI_EXIT=0')
    expect(alternateScreenOn()).toBe(false)
    expect(after).toContain('BEFORE-THE-DASHBOARD') // the shell's screen is back as it was
    expect(after).not.toContain('Key map')
    expect(after).not.toMatch(/at .*\.js:\d+/) // no stack trace
  }, 60_000)

  it('Ctrl-Z suspends to the shell with its screen back (also under a wrapper such as sh -c or npx), and fg resumes the dashboard as it was', async () => {
    type(`clear; sh -c 'node ${binRun} tui'`)
    key('Enter')
    await waitForScreen((text) => text.includes('● live') && text.includes('[1 Overview]'), 'the dashboard')
    // With the key map open: after fg it is drawn again, though nothing on it changed.
    key('?')
    await waitForScreen((text) => text.includes('Key map'), 'the key map')
    key('C-z')
    const stopped = await waitForScreen((text) => /Stopped/.test(text) && /test-shell\$ *$/m.test(text), 'the shell after Ctrl-Z')
    expect(alternateScreenOn()).toBe(false)
    expect(stopped).not.toContain('[1 Overview]')
    type('fg')
    key('Enter')
    await waitForScreen((text) => text.includes('Key map') && text.includes('● live'), 'the dashboard again after fg, key map and all')
    expect(alternateScreenOn()).toBe(true)
    key('q')
    await waitForScreen((text) => /test-shell\$ *$/m.test(text) && !text.includes('[1 Overview]'), 'the shell after q')
    type('echo SUSPEND_EXIT=$?')
    key('Enter')
    expect(await waitForScreen((text) => /SUSPEND_EXIT=\d+/.test(text), 'the exit code')).toContain('SUSPEND_EXIT=0')
  }, 60_000)

  it('keeps running while the daemon restarts, says so, and resumes the event stream', async () => {
    const port = await freePort()
    const data = await tempDir('tokenhub-tui-restart-')
    const token = 'tui-restart-admin-token-0123456789'
    const start = () => startTestDaemon({dataDir: data.path, env: {TOKENHUB_LISTEN_ADDR: `127.0.0.1:${port}`, TOKENHUB_ADMIN_TOKEN: token}})
    let daemon = await start()
    try {
      type(`clear; node ${binRun} tui --url ${daemon.url} --token ${token}; echo RESTART_EXIT=$?`)
      key('Enter')
      await waitForScreen((text) => text.includes('● live') && text.includes('[1 Overview]'), 'the dashboard connected to the second daemon')
      key('2')
      await waitForScreen((text) => text.includes('[2 Events]'), 'the events screen')
      await daemon.stop('SIGTERM')
      const away = await waitForScreen((text) => text.includes('disconnected, retrying'), 'the header to say the daemon is away')
      expect(away).toContain('[2 Events]')
      daemon = await start()
      await waitForScreen((text) => text.includes('● live'), 'the connection to come back')
      await daemon.admin('POST', '/admin/v1/apikeys', {name: 'made-after-restart'})
      await waitForScreen((text) => text.includes('key_created'), 'an event from the restarted daemon')
      key('q')
      const after = await waitForScreen((text) => /RESTART_EXIT=\d+/.test(text), 'the dashboard to exit')
      expect(after).toContain('RESTART_EXIT=0')
      expect(alternateScreenOn()).toBe(false)
      expect(after).not.toMatch(/at .*\.js:\d+/)
    } finally {
      await daemon.cleanup()
      await data.cleanup()
    }
  }, 60_000)
})

describe('tokenhub tui without a terminal', () => {
  it('exits 2 and points at stats and events', async () => {
    const result = await runCli(['tui'], {env: {TOKENHUB_URL: 'http://127.0.0.1:9', TOKENHUB_ADMIN_TOKEN: 'x'.repeat(20)}})
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain('needs an interactive terminal')
    expect(result.stderr).toContain('tokenhub stats')
    expect(result.stderr).toContain('tokenhub events')
    expect(result.stdout).toBe('')
  })
})

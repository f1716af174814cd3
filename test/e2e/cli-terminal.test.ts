import {spawn} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {binRun} from '../helpers/paths.js'

let daemon: TestDaemon
beforeAll(async () => {
  daemon = await startTestDaemon()
})
afterAll(() => daemon?.cleanup())

/**
 * Runs a command on a real pseudo-terminal (util-linux `script`), answering each prompt as it
 * appears; resolves with everything the terminal showed.
 */
function onTerminal(command: string, answers: Array<[RegExp, string]>): Promise<{code: number | null; screen: string}> {
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: {PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', NO_COLOR: '1', ...daemon.cliEnv},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let screen = ''
  const pending = [...answers]
  child.stdout.on('data', (data) => {
    screen += data
    const next = pending[0]
    if (next && next[0].test(screen)) {
      pending.shift()
      child.stdin.write(next[1])
    }
  })
  return new Promise((resolve) => child.on('exit', (code) => resolve({code, screen})))
}

describe('prompts on a terminal', () => {
  it('asks for a new vault password twice without echoing it', async () => {
    const password = 'typed-on-a-tty-42'
    const result = await onTerminal(`node ${binRun} vault unlock`, [
      [/Choose a vault password/, `${password}\r`],
      [/Repeat it/, `${password}\r`],
    ])
    expect(result.code).toBe(0)
    expect(result.screen).toContain('Vault initialised')
    expect(result.screen).not.toContain(password)
  })

  it('asks before revoking and does nothing on "n"', async () => {
    const created = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'keep-me'})
    const result = await onTerminal(`node ${binRun} apikey delete ${created.body.id}`, [[/\[y\/N\]/, 'n\r']])
    expect(result.code).toBe(2)
    expect(result.screen).toContain(`Revoke API key ${created.body.id} (keep-me)?`)
    expect(result.screen).toContain('cancelled')
    expect((await daemon.admin('GET', `/admin/v1/apikeys/${created.body.id}`)).body.status).toBe('active')
  })

  it('checks the id before asking: an unknown one fails at once, with no question', async () => {
    for (const command of ['apikey delete 0000000000000000', 'apikey rotate 0000000000000000', 'model delete no-such-model', 'provider delete nope', 'alias delete nope']) {
      const result = await onTerminal(`node ${binRun} ${command}`, [[/\[y\/N\]/, 'y\r']])
      expect(result.code, command).toBe(1)
      expect(result.screen, command).toMatch(/not found/)
      expect(result.screen, command).not.toContain('[y/N]')
    }
  })
})

import {spawn} from 'node:child_process'
import {mkdir, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {join} from 'node:path'
import {repoRoot, tempDir} from './paths.js'

/** The coding agents installed as dev dependencies (pinned in package.json). */
export const claudeBin = join(repoRoot, 'node_modules', '.bin', 'claude')
export const codexBin = join(repoRoot, 'node_modules', '.bin', 'codex')

export interface AgentRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
  timedOut: boolean
}

/**
 * Runs an agent with exactly `env` (nothing inherited from this process, so no real API key or
 * proxy setting leaks in), stdin closed, in its own process group, with a hard deadline. Whatever
 * the agent left running in its group when it exits (or when the deadline kills it) is killed too:
 * `codex` is a Node wrapper around a native binary that starts shell sessions of its own.
 */
export async function runAgent(command: string, args: string[], options: {env: Record<string, string>; cwd: string; timeoutMs: number}): Promise<AgentRun> {
  const started = Date.now()
  const child = spawn(command, args, {env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    } catch {} // ESRCH: nothing left in the group
  }
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    killGroup()
  }, options.timeoutMs)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (c, s) => resolve([c, s]))
  }).finally(() => clearTimeout(timer))
  killGroup()
  await closed
  return {code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut}
}

/** A per-run sandbox: temp HOME, TMPDIR and working directory under one temp root. */
export interface AgentDirs {
  root: string
  home: string
  tmp: string
  work: string
  cleanup(): Promise<void>
}

export async function agentDirs(prefix: string): Promise<AgentDirs> {
  const root = await tempDir(prefix)
  const dirs = {root: root.path, home: join(root.path, 'home'), tmp: join(root.path, 'tmp'), work: join(root.path, 'work')}
  await Promise.all([dirs.home, dirs.tmp, dirs.work].map((dir) => mkdir(dir, {recursive: true})))
  return {...dirs, cleanup: root.cleanup}
}

/**
 * An HTTP(S) proxy on loopback that lets nothing through: every CONNECT or proxied request is
 * recorded and refused. Agents run with HTTPS_PROXY/HTTP_PROXY pointing at it (and NO_PROXY for
 * loopback, where TokenHub listens), so a stray call to the internet fails fast and shows up in
 * `attempts`.
 */
export interface TrapProxy {
  url: string
  attempts: string[]
  close(): Promise<void>
}

export async function startTrapProxy(): Promise<TrapProxy> {
  const attempts: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    attempts.push(`${req.method} ${req.url}`)
    res.writeHead(403, {'content-type': 'text/plain'})
    res.end('blocked by the test trap proxy')
  })
  server.on('connect', (req, socket: Socket) => {
    attempts.push(`CONNECT ${req.url}`)
    socket.on('error', () => {})
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Proxy settings for an agent: everything but loopback goes to the trap. */
export function trapEnv(trap: TrapProxy): Record<string, string> {
  return {HTTPS_PROXY: trap.url, HTTP_PROXY: trap.url, https_proxy: trap.url, http_proxy: trap.url, ALL_PROXY: trap.url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost'}
}

export interface CodexConfigOptions {
  /** TokenHub's URL (without /v1). */
  gatewayUrl: string
  /** Env var holding the client key. */
  envKey: string
}

/**
 * Writes `config.toml` into `codexHome`: a `tokenhub` model provider speaking the Responses API,
 * and every start-up call to the internet turned off (STACK-NOTES trap 17): update check, plugins
 * (GitHub), analytics.
 */
export async function writeCodexConfig(codexHome: string, options: CodexConfigOptions): Promise<string> {
  const lines = [
    'model_provider = "tokenhub"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.tokenhub]',
    'name = "TokenHub"',
    `base_url = "${options.gatewayUrl}/v1"`,
    `env_key = "${options.envKey}"`,
    'wire_api = "responses"',
    '',
    '[features]',
    'plugins = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
  ]
  const text = lines.join('\n')
  await mkdir(codexHome, {recursive: true})
  await writeFile(join(codexHome, 'config.toml'), text)
  return text
}

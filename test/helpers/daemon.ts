import {spawn, type ChildProcess} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {binRun, tempDir} from './paths.js'

export interface TestDaemon {
  url: string
  port: number
  dataDir: string
  adminToken: string
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  /** fetch against the daemon with the admin token. */
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{status: number; body: any; headers: Headers}>
  /** Env for `runCli` that points the CLI at this daemon. */
  cliEnv: Record<string, string>
  cleanup(): Promise<void>
}

export interface StartOptions {
  dataDir?: string
  env?: Record<string, string | undefined>
  args?: string[]
  /** Run the daemon under this open-file limit (`ulimit -n`, then exec: same pid). */
  openFiles?: number
}

/** Spawns `bin/run.js daemon` on port 0 with a temp data dir; waits for "listening on". */
export async function startTestDaemon(options: StartOptions = {}): Promise<TestDaemon> {
  const temp = options.dataDir ? undefined : await tempDir('tokenhub-data-')
  const dataDir = options.dataDir ?? temp!.path
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent-home',
    TOKENHUB_DATA_DIR: dataDir,
    TOKENHUB_LISTEN_ADDR: '127.0.0.1:0',
    TOKENHUB_LOG_LEVEL: 'info',
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  const argv = [binRun, 'daemon', ...(options.args ?? [])]
  const child =
    options.openFiles === undefined
      ? spawn(process.execPath, argv, {env, stdio: ['ignore', 'pipe', 'pipe']})
      : spawn('sh', ['-c', `ulimit -n ${options.openFiles} && exec "$0" "$@"`, process.execPath, ...argv], {env, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start in time\nstdout: ${stdout}\nstderr: ${stderr}`)), 15_000)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout!.on('data', check)
    exited.then((code) => {
      clearTimeout(timer)
      reject(new DaemonExitedError(code, stdout, stderr))
    })
  })
  const adminToken = options.env?.TOKENHUB_ADMIN_TOKEN ?? (await readFile(join(dataDir, '.admin-token'), 'utf8')).trim()

  const daemon: TestDaemon = {
    url,
    port: Number(new URL(url).port),
    dataDir,
    adminToken,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      return exited
    },
    async admin(method, path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {authorization: `Bearer ${daemon.adminToken}`, ...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {}
      return {status: response.status, body: parsed, headers: response.headers}
    },
    cliEnv: {TOKENHUB_URL: url, TOKENHUB_ADMIN_TOKEN: adminToken},
    async cleanup() {
      await daemon.stop('SIGKILL').catch(() => {})
      await temp?.cleanup()
    },
  }
  return daemon
}

export class DaemonExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`daemon exited with ${code} before listening\nstdout: ${stdout}\nstderr: ${stderr}`)
  }
}

/** Runs the daemon expecting it to fail at start; resolves with its exit code and output. */
export async function expectStartFailure(options: StartOptions): Promise<DaemonExitedError> {
  try {
    const daemon = await startTestDaemon(options)
    await daemon.cleanup()
  } catch (error) {
    if (error instanceof DaemonExitedError) return error
    throw error
  }
  throw new Error('the daemon started but was expected to fail')
}

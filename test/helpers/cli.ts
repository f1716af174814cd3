import {spawn} from 'node:child_process'
import {binRun} from './paths.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the real binary (`node bin/run.js ...`). The environment is minimal and explicit so the
 * developer's own TOKENHUB_* settings and ~/.config never leak into a test.
 */
export function runCli(args: string[], options: {env?: Record<string, string | undefined>; input?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.TOKENHUB_TEST_HOME ?? '/nonexistent-home',
    NO_COLOR: '1',
  }
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binRun, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`tokenhub ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? -1, stdout, stderr})
    })
    child.stdin.end(options.input ?? '')
  })
}

/** Parses the stdout of a `--json` run. */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`)
  }
}

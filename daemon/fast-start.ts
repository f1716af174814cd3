import {existsSync} from 'node:fs'
import {parseArgs} from 'node:util'
import {DAEMON_FLAGS, daemonFlagsFrom, type DaemonFlagName} from './flags.js'

type DaemonProcessModule = typeof import('./process.js')

/** The daemon's code: the bundle `npm run build` makes (one module: faster start), else the compiled sources. */
export async function loadDaemonProcess(): Promise<DaemonProcessModule> {
  const bundle = new URL('./process.bundle.js', import.meta.url)
  return (await import(existsSync(bundle) ? bundle.href : './process.js')) as DaemonProcessModule
}

/**
 * `tokenhub daemon [flags]` without oclif, whose loading is ~200 ms of the daemon's time to
 * listening. Returns false, having started nothing, for anything it does not handle itself
 * (help, an unknown or repeated flag, an argument, a bad number): oclif then runs the command
 * and says what is wrong in its own words.
 */
export async function startDaemonFast(argv: string[]): Promise<boolean> {
  let values: Record<string, string | boolean | undefined>
  try {
    const options = Object.fromEntries(Object.keys(DAEMON_FLAGS).map((name) => [name, {type: 'string' as const}]))
    const parsed = parseArgs({args: argv, options, strict: true, allowPositionals: false, tokens: true})
    // parseArgs keeps the last of a repeated flag; oclif refuses it.
    const names = parsed.tokens.filter((token) => token.kind === 'option').map((token) => token.name)
    if (new Set(names).size !== names.length) return false
    values = parsed.values
  } catch {
    return false
  }
  let flags
  try {
    flags = daemonFlagsFrom(values as Partial<Record<DaemonFlagName, string>>)
  } catch {
    return false
  }
  const {runDaemonProcess} = await loadDaemonProcess()
  const code = await runDaemonProcess(flags)
  if (code !== 0) process.exit(code)
  return true
}

import {constants} from 'node:os'
import {inert} from '../cli/style.js'

/**
 * The terminal while the dashboard owns it: the alternate screen (Ink 6 has no option for it),
 * and a guarantee that whatever happens (q, a signal, a crash) the user gets their screen,
 * cursor and cooked mode back. Anything written to stderr or the console meanwhile would tear
 * the frame, so it is held and printed after the screen is restored.
 */

export const ALT_SCREEN_ON = '\u001b[?1049h'
export const ALT_SCREEN_OFF = '\u001b[?1049l'
const CLEAR = '\u001b[2J\u001b[H'
const SHOW_CURSOR = '\u001b[?25h'
const HIDE_CURSOR = '\u001b[?25l'
const HELD_LIMIT = 64 * 1024

export interface SessionOptions {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  stdin: NodeJS.ReadStream
  /** SIGINT/SIGTERM/SIGHUP arrived: the caller unmounts; the process exits with `128 + n` after. */
  onSignal: (signal: NodeJS.Signals, exitCode: number) => void
}

export interface TerminalSession {
  /** Leaves the alternate screen and prints what was held. Safe to call twice. */
  restore(): void
  /**
   * Ctrl-Z: gives the shell its screen and cooked mode back and stops the process (SIGTSTP, as any
   * full-screen program); `fg` continues it, the dashboard takes the screen again and `onResume`
   * redraws it.
   */
  suspend(onResume: () => void): void
}

type Write = NodeJS.WriteStream['write']
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

export function openTerminalSession(options: SessionOptions): TerminalSession {
  const {stdout, stderr, stdin} = options
  let held = ''
  const hold = (text: string) => {
    if (held.length < HELD_LIMIT) held += text.slice(0, HELD_LIMIT - held.length)
  }
  const originalWrite: Write = stderr.write
  stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    hold(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    callback?.()
    return true
  }) as Write
  const originalConsole = CONSOLE_METHODS.map((name) => [name, console[name]] as const)
  for (const name of CONSOLE_METHODS) console[name] = (...args: unknown[]) => hold(`${args.map(String).join(' ')}\n`)

  // While stopped (Ctrl-Z), frames are dropped: a timer that fires on SIGCONT before its handler
  // would draw the dashboard over the shell's screen. The redraw after resuming draws it whole.
  let suspended = false
  const originalStdoutWrite: Write = stdout.write
  const write = (text: string) => originalStdoutWrite.call(stdout, text)
  stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (!suspended) return (originalStdoutWrite as (...args: unknown[]) => boolean).call(stdout, chunk, ...rest)
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    callback?.()
    return true
  }) as Write

  let restored = false
  const restore = () => {
    if (restored) return
    restored = true
    process.off('exit', restore)
    for (const signal of SIGNALS) process.off(signal, onSignal)
    process.off('uncaughtException', onCrash)
    process.off('unhandledRejection', onRejection)
    if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false)
    suspended = false
    stdout.write = originalStdoutWrite
    write(SHOW_CURSOR + ALT_SCREEN_OFF)
    stderr.write = originalWrite
    for (const [name, method] of originalConsole) console[name] = method
    if (held) stderr.write(held.endsWith('\n') ? held : `${held}\n`)
    held = ''
  }

  const onSignal = (signal: NodeJS.Signals) => options.onSignal(signal, 128 + (constants.signals[signal] ?? 1))
  // A crash leaves the state unknown: give the terminal back and say so in one line, no stack.
  const onCrash = (error: unknown) => {
    restore()
    stderr.write(`tokenhub tui stopped after an unexpected error: ${inert(error instanceof Error ? error.message : String(error))} (this is a bug; please report it)\n`)
    process.exit(1)
  }
  // A stray rejected promise is not worth losing the dashboard for: note it for after.
  const onRejection = (reason: unknown) => hold(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}\n`)

  process.on('exit', restore)
  for (const signal of SIGNALS) process.on(signal, onSignal)
  process.on('uncaughtException', onCrash)
  process.on('unhandledRejection', onRejection)
  const suspend = (onResume: () => void) => {
    if (restored || suspended) return
    if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false)
    write(SHOW_CURSOR + ALT_SCREEN_OFF)
    suspended = true
    process.once('SIGCONT', () => {
      if (restored) return
      if (stdin.isTTY) stdin.setRawMode(true)
      write(ALT_SCREEN_ON + CLEAR + HIDE_CURSOR)
      suspended = false
      onResume()
    })
    process.kill(process.pid, 'SIGTSTP')
  }

  write(ALT_SCREEN_ON + CLEAR)
  return {restore, suspend}
}

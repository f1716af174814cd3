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
  // would draw the dashboard over the shell's screen. The last frame drawn is kept, to draw again
  // on resuming (Ink draws only what changed, and believes the old frame is still on screen).
  let suspended = false
  let lastFrame = ''
  const originalStdoutWrite: Write = stdout.write
  const write = (text: string) => originalStdoutWrite.call(stdout, text)
  stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (!suspended) {
      // A whole frame (Ink writes one per render: erase the old lines, then the new output), not a cursor code.
      if (typeof chunk === 'string' && chunk.length > 64) lastFrame = chunk
      return (originalStdoutWrite as (...args: unknown[]) => boolean).call(stdout, chunk, ...rest)
    }
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
    stdout.write = originalStdoutWrite
    // Stopped, the shell has the screen already; writing to the terminal from the background would stop us again (SIGTTOU).
    if (!suspended) write(SHOW_CURSOR + ALT_SCREEN_OFF)
    suspended = false
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
    let fallback: NodeJS.Timeout | undefined
    const resume = () => {
      clearTimeout(fallback)
      process.off('SIGCONT', resume)
      if (restored || !suspended) return
      if (stdin.isTTY) stdin.setRawMode(true)
      write(ALT_SCREEN_ON + CLEAR + HIDE_CURSOR + lastFrame)
      suspended = false
      onResume()
    }
    process.on('SIGCONT', resume)
    try {
      // The whole process group, as a shell's Ctrl-Z does: under npx, npm run or sh -c the shell waits on the parent.
      process.kill(0, 'SIGTSTP')
    } catch {
      // No job control signals here (Windows): carry on.
      return resume()
    }
    // Still running this long after (no job control: an orphaned process group, ssh without a
    // shell, a container's PID 1, where SIGTSTP is discarded): carry on rather than sit blank.
    // A stopped process runs no timer, so after a real stop SIGCONT or this resumes, whichever is first.
    fallback = setTimeout(resume, 500)
  }

  write(ALT_SCREEN_ON + CLEAR)
  return {restore, suspend}
}

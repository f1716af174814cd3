import {createLogger} from '../src/logging/logger.js'
import {StoreOpenError} from '../src/store/store-error.js'
import {DataDirLockedError} from '../src/store/lock-file.js'
import {DataDirError} from '../src/store/data-dir.js'
import {AdminTokenFileError} from '../src/auth/admin-token.js'
import {ConfigError, resolveDaemonConfig, type DaemonFlags} from './config.js'
import {DaemonStartError, startDaemon, type RunningDaemon} from './run.js'

const EXPECTED_START_ERRORS = [ConfigError, DataDirLockedError, StoreOpenError, DaemonStartError, DataDirError, AdminTokenFileError]

/**
 * The daemon as a process: start, then wait for SIGTERM/SIGINT and drain. Resolves with a
 * non-zero exit code when start-up fails; otherwise it keeps running until a signal ends it.
 */
export async function runDaemonProcess(flags: DaemonFlags): Promise<number> {
  let config
  try {
    config = resolveDaemonConfig(flags, process.env)
  } catch (error) {
    process.stderr.write(`tokenhub daemon: ${(error as Error).message}\n`)
    return 2
  }
  const logger = createLogger(config.logLevel)
  // Handlers go in before the "listening on" line, so a signal right after it is never fatal.
  let daemon: RunningDaemon | undefined
  let pending: NodeJS.Signals | undefined
  // The log gets a moment to reach stderr, never more: a log that cannot be written must not keep the daemon from exiting.
  const flushThenExit = (code: number) => {
    // Also the code if the loop empties before either callback runs.
    process.exitCode = code
    setTimeout(() => process.exit(code), 2000).unref()
    logger.flush(() => process.exit(code))
  }
  let signals = 0
  const stop = (signal: NodeJS.Signals) => {
    signals++
    if (signals > 1) {
      process.stderr.write(`tokenhub daemon: second ${signal}, exiting without waiting for the drain\n`)
      process.exit(1)
    }
    if (!daemon) {
      pending = signal
      return
    }
    daemon.shutdown(signal).then(
      () => flushThenExit(0),
      (error) => {
        logger.error({err: error}, 'shutdown failed')
        flushThenExit(1)
      },
    )
  }
  // Whatever read stdout may be gone (`tokenhub daemon | true`, a supervisor that read the
  // "listening on" line and closed its end): the daemon serves on, its lines were only news. An
  // unhandled write error would otherwise end it as an uncaught exception.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') logger.warn({err: error}, 'cannot write to stdout')
  })
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // The default action of SIGHUP would kill the daemon. Nothing is reloaded: flags and environment
  // are read once at start, and what the admin API changes takes effect without a signal.
  process.on('SIGHUP', () =>
    logger.info('SIGHUP received and ignored: daemon settings (flags, environment) are read at start only, restart to change them; changes made through the admin API apply at once'),
  )
  process.on('uncaughtException', (error) => {
    logger.fatal({err: error}, 'uncaught exception')
    flushThenExit(1)
  })

  try {
    daemon = await startDaemon(config, {logger, say: (line) => process.stdout.write(`${line}\n`)})
  } catch (error) {
    const disk = diskProblem(error, config.dataDir)
    const expected = disk !== null || EXPECTED_START_ERRORS.some((type) => error instanceof type) || /cannot listen/.test((error as Error).message)
    if (!expected) logger.fatal({err: error}, 'start-up failed')
    process.stderr.write(`tokenhub daemon: cannot start: ${disk ?? (error as Error).message}\n`)
    logger.flush()
    return 1
  }
  if (pending) {
    signals = 0
    stop(pending)
  }
  return 0
}

/** Disk trouble while the data dir is set up (full, read-only, over quota): said as such, naming the data dir, without a stack. */
export function diskProblem(error: unknown, dataDir: string): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code
  const what: Record<string, string> = {
    ENOSPC: 'the disk holding it is full',
    EDQUOT: "this user's disk quota is used up",
    EROFS: 'it is on a read-only file system',
  }
  if (typeof code !== 'string' || !(code in what)) return null
  const path = (error as NodeJS.ErrnoException).path
  return `cannot write to the data dir ${dataDir}: ${what[code]} (${code}${path ? ` at ${path}` : ''})`
}

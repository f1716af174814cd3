import {pino, type Logger} from 'pino'

export type {Logger}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * Structured JSON logs on stderr (journald keeps them); stdout carries only the daemon's few
 * human lines ("listening on ..."). Secret-bearing fields are censored as a last line of defence.
 */
export function createLogger(level: string, destination: number = 2, options: {retryWritesMs?: number} = {}): Logger {
  const stream = pino.destination({dest: destination, sync: false})
  dropOnWriteFailure(stream, options.retryWritesMs ?? RETRY_WRITES_MS)
  return pino(
    {
      level,
      base: {service: 'tokenhub'},
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['api_key', 'password', 'token', 'key', 'authorization', '*.api_key', '*.password', '*.token', '*.authorization', 'headers.authorization', 'headers["x-api-key"]'],
        censor: '[REDACTED]',
      },
    },
    stream,
  )
}

type Destination = ReturnType<typeof pino.destination>

/** How long writing stays off after the log failed before it is tried again. */
const RETRY_WRITES_MS = 30_000

/**
 * When the log cannot be written (stderr is a file on a full disk, or closed), lines are dropped
 * and the daemon keeps serving; after a while writing is tried again, and the first line that
 * gets through says how many were lost. Without this the write error is an uncaught exception,
 * and the exit-time flush of sonic-boom (pino's writer) retries ENOSPC forever: the daemon hung,
 * deaf to SIGTERM, holding its port and data dir (pino itself does this only for EPIPE).
 */
function dropOnWriteFailure(stream: Destination, retryMs: number): void {
  const original = {write: stream.write, flushSync: stream.flushSync, flush: stream.flush, end: stream.end}
  let dropped = 0
  let failing = false
  stream.on('error', () => {
    if (failing) return
    failing = true
    stream.write = () => {
      dropped++
      return true
    }
    stream.flushSync = () => undefined
    stream.flush = (callback?: (error?: Error) => void) => callback?.()
    stream.end = () => undefined
    setTimeout(() => {
      failing = false
      Object.assign(stream, original)
      if (dropped > 0) stream.write(`${JSON.stringify({level: 40, time: new Date().toISOString(), service: 'tokenhub', dropped_lines: dropped, msg: 'the log could not be written for a while; lines were dropped'})}\n`)
      dropped = 0
    }, retryMs).unref()
  })
}

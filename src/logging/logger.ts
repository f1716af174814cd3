import {pino, type Logger} from 'pino'

export type {Logger}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * Structured JSON logs on stderr (journald keeps them); stdout carries only the daemon's few
 * human lines ("listening on ..."). Secret-bearing fields are censored as a last line of defence.
 */
export function createLogger(level: string, destination: number = 2): Logger {
  const stream = pino.destination({dest: destination, sync: false})
  dropOnWriteFailure(stream)
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

/**
 * When the log cannot be written (stderr is a file on a full disk, or closed), later lines are
 * dropped and the daemon keeps serving. Without this the write error is an uncaught exception,
 * and the exit-time flush of sonic-boom (pino's writer) retries ENOSPC forever: the daemon hung,
 * deaf to SIGTERM, holding its port and data dir (pino itself does this only for EPIPE).
 */
function dropOnWriteFailure(stream: Destination): void {
  stream.on('error', () => {
    stream.write = () => true
    stream.flushSync = () => undefined
    stream.flush = (callback?: (error?: Error) => void) => callback?.()
    stream.end = () => undefined
  })
}

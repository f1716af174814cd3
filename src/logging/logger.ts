import {pino, type Logger} from 'pino'

export type {Logger}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * Structured JSON logs on stderr (journald keeps them); stdout carries only the daemon's few
 * human lines ("listening on ..."). Secret-bearing fields are censored as a last line of defence.
 */
export function createLogger(level: string, destination: number = 2): Logger {
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
    pino.destination({dest: destination, sync: false}),
  )
}

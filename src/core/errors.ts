/**
 * One error family for the whole product. Every failure that crosses a boundary (HTTP response,
 * CLI exit, log line) carries a stable string code; edges branch on the code, never on the text.
 */

export const ERROR_STATUS = {
  AUTH_INVALID: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  LENGTH_REQUIRED: 411,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION: 400,
  BUDGET_EXCEEDED: 429,
  RATE_LIMITED: 429,
  NO_ELIGIBLE_MODEL: 503,
  VAULT_LOCKED: 503,
  VAULT_NOT_INITIALIZED: 409,
  VAULT_PASSWORD_INVALID: 401,
  UPSTREAM_UNREACHABLE: 502,
  UPSTREAM_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  SHUTTING_DOWN: 503,
  /** The gateway itself is out of file descriptors or memory. */
  GATEWAY_RESOURCES: 503,
  /** The config store could not be written (disk full, read-only): the change was undone. */
  STORE_WRITE_FAILED: 503,
  /** The client left before its request was read whole (nginx's 499); it never sees this. */
  CLIENT_CLOSED: 499,
  INTERNAL: 500,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export interface ErrorOptions {
  /** A hint telling the user what to do about it ("Run `tokenhub vault unlock`"). */
  suggestion?: string
  /** Extra machine-readable fields returned with the error (never secrets). */
  details?: Record<string, unknown>
  cause?: unknown
}

export class TokenHubError extends Error {
  readonly code: ErrorCode
  readonly suggestion?: string
  readonly details?: Record<string, unknown>

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'TokenHubError'
    this.code = code
    this.suggestion = options.suggestion
    this.details = options.details
  }

  get status(): number {
    return ERROR_STATUS[this.code]
  }
}

export function isTokenHubError(err: unknown): err is TokenHubError {
  return err instanceof TokenHubError
}

export const notFound = (kind: string, id: string): TokenHubError =>
  new TokenHubError('NOT_FOUND', `${kind} "${id}" not found`, {details: {resource: kind, id}})

export const conflict = (message: string, details?: Record<string, unknown>): TokenHubError =>
  new TokenHubError('CONFLICT', message, {details})

export const validation = (message: string, details?: Record<string, unknown>): TokenHubError =>
  new TokenHubError('VALIDATION', message, {details})

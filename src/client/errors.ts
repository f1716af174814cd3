/** Exit codes (DESIGN §9): 1 the server reported an error, 2 usage error, 3 daemon unreachable. */
export const EXIT = {SERVER: 1, USAGE: 2, UNREACHABLE: 3} as const

/** A failure talking to the daemon, with the server's stable code when it sent one. */
export class ClientError extends Error {
  readonly code: string
  readonly status?: number
  readonly suggestion?: string
  readonly details?: Record<string, unknown>

  constructor(code: string, message: string, options: {status?: number; suggestion?: string; details?: Record<string, unknown>} = {}) {
    super(message)
    this.name = 'ClientError'
    this.code = code
    this.status = options.status
    this.suggestion = options.suggestion
    this.details = options.details
  }

  get exitCode(): number {
    return this.code === 'UNREACHABLE' ? EXIT.UNREACHABLE : this.code === 'USAGE' ? EXIT.USAGE : EXIT.SERVER
  }
}

import {inertJson, inertLines, writeUnwrapped} from './style.js'
import {Command, Flags} from '@oclif/core'
import {AdminClient} from '../client/admin-client.js'
import {assertCanConfirm, confirm} from './prompt.js'
import {ClientError, EXIT} from '../client/errors.js'
import {resolveConnection} from './connection.js'

type CommandError = Error & {oclif?: {exit?: number}; code?: string}

/**
 * Owns the rules every admin command shares: `--json`, `--url`/`--token` with their environment
 * fallbacks, and the mapping of failures to messages and exit codes (DESIGN §9).
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    url: Flags.string({
      description: 'Daemon URL [default: TOKENHUB_URL, then `tokenhub config get url`, then http://127.0.0.1:8080]',
      helpGroup: 'CONNECTION',
    }),
    token: Flags.string({
      description: 'Admin token [default: TOKENHUB_ADMIN_TOKEN, then <data dir>/.admin-token for a daemon on this machine]',
      helpGroup: 'CONNECTION',
    }),
  }

  protected async client(flags: {url?: string; token?: string}): Promise<AdminClient> {
    const connection = await resolveConnection(flags)
    return new AdminClient({url: connection.url, token: connection.token, noTokenReason: connection.tokenProblem})
  }

  /** Human output only (silent with --json, where the returned DTO is printed instead). */
  protected print(text: string): void {
    this.log(text)
  }

  /** Notes for humans go to stderr so stdout stays clean for pipes. */
  protected note(text: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${text}\n`)
  }

  protected usageError(message: string): never {
    throw new ClientError('USAGE', message)
  }

  /**
   * Asks before a change that cannot be undone, unless --yes. The target is looked up first, so an
   * unknown id fails at once (not after a "y"), and the question can say what the id names.
   * A "no" ends with exit 2 and `cancelled; <nothingDone>`.
   */
  protected async confirmChange<T>(yes: boolean, lookup: () => Promise<T>, question: (found: T) => string, nothingDone: string): Promise<void> {
    if (yes) return
    assertCanConfirm() // a script without --yes learns it before anything is looked up
    const found = await lookup()
    if (!(await confirm(question(found)))) this.usageError(`cancelled; ${nothingDone}`)
  }

  /** Its --json output is one object per line (events): an error is one line too. */
  protected jsonLines = false

  /** --json output, with C1 controls and bidirectional overrides in strings escaped too (see inertJson). */
  override logJson(json: unknown): void {
    process.stdout.write(`${inertJson(json, true)}\n`)
  }

  protected override async catch(error: CommandError): Promise<unknown> {
    // oclif writes flag parse errors as "Parsing --weight \n\t<why>": one line reads better (and a tab would be shown escaped).
    if (!(error instanceof ClientError)) error.message = error.message.replace(/^Parsing (--[\w-]+) \n\t/, 'Parsing $1: ')
    const failure = toFailure(error)
    // oclif's pointer to --help is for a person at a terminal, not part of the error.
    failure.message = failure.message.replace(/\n+See more help with --help\s*$/, '')
    if (this.jsonEnabled()) {
      const body = {error: {code: failure.code, message: failure.message, ...(failure.suggestion && {suggestion: failure.suggestion}), ...failure.details}}
      if (this.jsonLines) process.stdout.write(`${inertJson(body)}\n`)
      else this.logJson(body)
      return this.exit(failure.exit)
    }
    // Not a terminal (a log, a pipe to grep): one unwrapped line per message line, in oclif's style.
    if (!process.stderr.isTTY) {
      writeUnwrapped(failure.message, failure.suggestion)
      return this.exit(failure.exit)
    }
    // Messages quote ids, names and upstream text: control characters in them are printed inert.
    if (!(error instanceof ClientError)) {
      error.message = inertLines(error.message)
      return super.catch(error)
    }
    return this.error(inertLines(failure.message), {exit: failure.exit, suggestions: failure.suggestion ? [inertLines(failure.suggestion)] : undefined})
  }
}

interface Failure {
  code: string
  message: string
  exit: number
  suggestion?: string
  details?: Record<string, unknown>
}

function toFailure(error: CommandError): Failure {
  if (error instanceof ClientError) {
    return {code: error.code, message: error.message, exit: error.exitCode, suggestion: error.suggestion, details: error.details}
  }
  const exit = error.oclif?.exit ?? EXIT.SERVER
  return {code: exit === EXIT.USAGE ? 'USAGE' : 'ERROR', message: error.message, exit}
}

import {chmod, readFile, stat} from 'node:fs/promises'
import {TokenHubError} from '../core/errors.js'
import {writeFileAtomic} from '../store/atomic-file.js'
import type {ConfigStore} from '../store/config-store.js'
import {generateAdminToken, secretsEqual, sha256Hex} from './secrets.js'

export const MIN_ADMIN_TOKEN_LENGTH = 16
const RETIRED_HASHES_KEPT = 50

export type AdminTokenSource = 'env' | 'file' | 'generated'

/** What makes a token unusable as the admin token ("must be at least 16 characters"), or null. The same rule at start and on rotation. */
export function adminTokenProblem(token: string): string | null {
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) return `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`
  if (/\s/.test(token)) return 'must not contain whitespace'
  // It travels in an HTTP header: anything but visible ASCII would lock every client out.
  if (!/^[\x21-\x7e]+$/.test(token)) return 'may only contain visible ASCII characters (no control characters or non-ASCII letters)'
  return null
}

/** The admin token file cannot be used as it is (start-up stops with this one line). */
export class AdminTokenFileError extends Error {}

/** Reads `<data>/.admin-token`; null when missing or empty. */
export async function readAdminTokenFile(path: string): Promise<string | null> {
  try {
    const token = (await readFile(path, 'utf8')).trim()
    return token === '' ? null : token
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

export interface AdminTokenResolution {
  token: string
  source: AdminTokenSource
  /** Set when TOKENHUB_ADMIN_TOKEN holds a token that an API rotation already retired. */
  ignoredRetiredEnv: boolean
  /** The token file was readable by others; its mode is now 0600. */
  tightened: boolean
}

/**
 * DESIGN §6.1: TOKENHUB_ADMIN_TOKEN, else `<data>/.admin-token`, else a new random token. The
 * token in use is always written to the file (0600) so `tokenhub admin-token` finds it. An env
 * token that a rotation retired is ignored, so a rotation survives restarts.
 */
export async function resolveAdminToken(options: {envToken?: string; file: string; store: ConfigStore}): Promise<AdminTokenResolution> {
  const resolution = await pickAdminToken(options)
  // A token file others can read (copied in, or chmod-ed) is brought back to 0600.
  const mode = await stat(options.file).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  )
  if (mode & 0o077) await chmod(options.file, 0o600)
  return {...resolution, tightened: (mode & 0o077) !== 0}
}

async function pickAdminToken(options: {envToken?: string; file: string; store: ConfigStore}): Promise<Omit<AdminTokenResolution, 'tightened'>> {
  const retired = new Set(options.store.data.admin_token.retired_hashes)
  const envToken = options.envToken?.trim()
  let ignoredRetiredEnv = false
  if (envToken) {
    if (!retired.has(sha256Hex(envToken))) {
      await writeTokenFile(options.file, envToken)
      return {token: envToken, source: 'env', ignoredRetiredEnv}
    }
    ignoredRetiredEnv = true
  }
  const fromFile = await readAdminTokenFile(options.file).catch((error: NodeJS.ErrnoException) => {
    throw new AdminTokenFileError(`${options.file} cannot be read (${error.code ?? error.message}): make it a file this user can read, or delete it to have a new token generated`)
  })
  if (fromFile) {
    const problem = adminTokenProblem(fromFile)
    if (problem) throw new AdminTokenFileError(`${options.file} holds an unusable admin token: it ${problem}; delete the file to have a new one generated, or set TOKENHUB_ADMIN_TOKEN`)
    return {token: fromFile, source: 'file', ignoredRetiredEnv}
  }
  const generated = generateAdminToken()
  await writeTokenFile(options.file, generated)
  return {token: generated, source: 'generated', ignoredRetiredEnv}
}

async function writeTokenFile(path: string, token: string): Promise<void> {
  const current = await readAdminTokenFile(path).catch(() => null)
  if (current !== token) await writeFileAtomic(path, `${token}\n`, 0o600)
}

/** Holds the live admin token; verification is constant-time; rotation is immediate and durable. */
export class AdminTokenHolder {
  private readonly rotationListeners = new Set<() => void>()
  /** Rotations run one at a time: each re-checks the token that asked for it once its turn comes. */
  private rotating: Promise<unknown> = Promise.resolve()

  constructor(
    private token: string,
    private readonly file: string,
    private readonly store: ConfigStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  verify(candidate: string | undefined): boolean {
    if (!candidate) return false
    return secretsEqual(candidate, this.token)
  }

  /**
   * Replaces the token. `authorizedBy` is the token the request came with: rotations are
   * serialised and one whose token a rotation before it retired is refused (401), so two callers
   * racing cannot both be told they own the new token.
   */
  rotate(requested?: string, authorizedBy?: string): Promise<string> {
    const run = this.rotating.then(() => this.rotateNow(requested, authorizedBy))
    this.rotating = run.catch(() => undefined)
    return run
  }

  private async rotateNow(requested: string | undefined, authorizedBy: string | undefined): Promise<string> {
    if (authorizedBy !== undefined && !this.verify(authorizedBy)) {
      throw new TokenHubError('AUTH_INVALID', 'invalid admin token: another rotation retired it just before this one', {
        suggestion: 'Use the token from `tokenhub admin-token`.',
      })
    }
    const next = requested ?? generateAdminToken()
    const problem = adminTokenProblem(next)
    if (problem) throw new TokenHubError('VALIDATION', `the admin token ${problem}`)
    const previous = this.token
    // Rotating to the token in use would retire it while it stays live (and a restart with it in
    // TOKENHUB_ADMIN_TOKEN would then ignore it).
    if (secretsEqual(next, previous)) throw new TokenHubError('VALIDATION', 'the new admin token must differ from the current one')
    // Saved first, switched after: a rotation the store or the token file cannot take does not
    // happen at all (the caller, told so, still holds a working token).
    const before = this.store.data.admin_token
    await this.store.update((doc) => {
      const hashes = doc.admin_token.retired_hashes.filter((h) => h !== sha256Hex(next))
      hashes.push(sha256Hex(previous))
      doc.admin_token = {retired_hashes: hashes.slice(-RETIRED_HASHES_KEPT), rotated_at: this.now().toISOString()}
    })
    try {
      await writeTokenFile(this.file, next)
    } catch (error) {
      // The old token stays: it must not stay retired in the store either (a restart would ignore it).
      await this.store.update((doc) => {
        doc.admin_token = before
      }).catch(() => {})
      throw new TokenHubError('STORE_WRITE_FAILED', `the new admin token could not be written to ${this.file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the current token stays`, {cause: error})
    }
    this.token = next
    // The old token stops working everywhere at once: what it opened ends.
    for (const listener of [...this.rotationListeners]) listener()
    return next
  }

  /**
   * Calls `listener` after each rotation, so what was opened with the old token (an event
   * stream) can be closed: the old token must stop working everywhere at once. Returns the
   * unsubscribe function.
   */
  onRotate(listener: () => void): () => void {
    this.rotationListeners.add(listener)
    return () => this.rotationListeners.delete(listener)
  }
}

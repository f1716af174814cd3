import {Decrypter, Encrypter, generateX25519Identity, identityToRecipient} from 'age-encryption'
import {TokenHubError} from '../core/errors.js'
import type {ConfigStore} from '../store/config-store.js'
import {DEFAULT_LOG_N, ScryptIdentity, ScryptRecipient, WrongPassphraseError} from './scrypt-stanza.js'

export const MIN_PASSWORD_LENGTH = 8

export type VaultChange = 'unlocked' | 'locked' | 'initialized' | 'rotated'

export interface VaultOptions {
  now?: () => Date
  /** scrypt work factor for wrapping the identity (2^logN). */
  scryptLogN?: number
  onChange?: (change: VaultChange) => void
}

const lockedError = () =>
  new TokenHubError('VAULT_LOCKED', 'the vault is locked', {
    suggestion: 'Run `tokenhub vault unlock` (or start the daemon with TOKENHUB_VAULT_PASSWORD set).',
  })

function lockedMeanwhile(prefix: string): TokenHubError {
  return new TokenHubError('CONFLICT', `${prefix}the vault was locked while this unlock was in progress, so it stays locked`, {
    suggestion: 'Unlock again if that lock was not meant to win: tokenhub vault unlock',
  })
}

/**
 * The secret vault (DESIGN §6.2). An age X25519 identity, itself encrypted with the vault password
 * (age scrypt stanza), kept in the store. Secrets are encrypted to the public recipient, so they
 * can be added while the vault is locked; reading them needs the identity, i.e. an unlock.
 */
export class Vault {
  private identity: string | null = null
  private queue: Promise<unknown> = Promise.resolve()
  /** Locks so far: an unlock that started before the latest one does not undo it. */
  private locks = 0
  private readonly now: () => Date
  private readonly logN: number

  constructor(
    private readonly store: ConfigStore,
    private readonly options: VaultOptions = {},
  ) {
    this.now = options.now ?? (() => new Date())
    this.logN = options.scryptLogN ?? DEFAULT_LOG_N
  }

  get initialized(): boolean {
    return this.store.data.vault !== null
  }

  get locked(): boolean {
    return this.identity === null
  }

  /** Unlocks with the password; the first unlock of a new vault sets the password. */
  unlock(password: string): Promise<{initialized: boolean}> {
    // A lock answered after this unlock was asked for wins: the operator was told it is locked.
    const generation = this.locks
    return this.serialized(async () => {
      const record = this.store.data.vault
      if (!record) {
        checkNewPassword(password)
        const identity = await generateX25519Identity()
        const wrapped = await this.wrap(identity, password)
        const recipient = await identityToRecipient(identity)
        await this.store.update((doc) => {
          doc.vault = {recipient, wrapped_identity: wrapped, created_at: this.now().toISOString(), rotated_at: null}
        })
        this.options.onChange?.('initialized')
        if (generation !== this.locks) throw lockedMeanwhile('the vault password is set, but ')
        this.identity = identity
        return {initialized: true}
      }
      const identity = await this.unwrap(record.wrapped_identity, password)
      if (generation !== this.locks) throw lockedMeanwhile('')
      this.identity = identity
      this.options.onChange?.('unlocked')
      return {initialized: false}
    })
  }

  /** Locks at once, and makes an unlock still checking its password fail (see unlock). */
  lock(): {already_locked: boolean} {
    this.locks++
    const already = this.identity === null
    this.identity = null
    if (!already) this.options.onChange?.('locked')
    return {already_locked: already}
  }

  /** Re-wraps the identity under a new password; secrets stay as they are. */
  rotate(oldPassword: string, newPassword: string): Promise<void> {
    return this.serialized(async () => {
      const record = this.store.data.vault
      if (!record) {
        throw new TokenHubError('VAULT_NOT_INITIALIZED', 'the vault has no password yet, so there is nothing to rotate', {
          suggestion: 'Run `tokenhub vault unlock` to set the first password.',
        })
      }
      checkNewPassword(newPassword)
      const identity = await this.unwrap(record.wrapped_identity, oldPassword)
      const wrapped = await this.wrap(identity, newPassword)
      await this.store.update((doc) => {
        doc.vault = {...record, wrapped_identity: wrapped, rotated_at: this.now().toISOString()}
      })
      this.options.onChange?.('rotated')
    })
  }

  /** Encrypts a secret to the vault recipient (works while locked). Returns base64. */
  async encryptSecret(plaintext: string): Promise<string> {
    const record = this.store.data.vault
    if (!record) {
      throw new TokenHubError('VAULT_NOT_INITIALIZED', 'the vault has no password yet, so secrets cannot be stored', {
        suggestion: 'Run `tokenhub vault unlock` once to choose a vault password, then retry.',
      })
    }
    const encrypter = new Encrypter()
    encrypter.addRecipient(record.recipient)
    return Buffer.from(await encrypter.encrypt(plaintext)).toString('base64')
  }

  async decryptSecret(ciphertext: string): Promise<string> {
    const identity = this.identity
    if (!identity) throw lockedError()
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    try {
      return await decrypter.decrypt(Buffer.from(ciphertext, 'base64'), 'text')
    } catch (error) {
      throw new TokenHubError('INTERNAL', 'a stored secret could not be decrypted with the vault identity', {cause: error})
    }
  }

  private async wrap(identity: string, password: string): Promise<string> {
    const encrypter = new Encrypter()
    encrypter.addRecipient(new ScryptRecipient(password, this.logN))
    return Buffer.from(await encrypter.encrypt(identity)).toString('base64')
  }

  private async unwrap(wrapped: string, password: string): Promise<string> {
    const decrypter = new Decrypter()
    decrypter.addIdentity(new ScryptIdentity(password))
    let identity: string
    try {
      identity = await decrypter.decrypt(Buffer.from(wrapped, 'base64'), 'text')
    } catch (error) {
      // The password opens no stanza: wrong. Anything else means the record is not a whole age file.
      if (error instanceof WrongPassphraseError) throw new TokenHubError('VAULT_PASSWORD_INVALID', 'wrong vault password')
      throw new TokenHubError('INTERNAL', `the vault record in the store is damaged (${(error as Error).message}), not a wrong password: restore store.age from a backup`)
    }
    if (!identity.startsWith('AGE-SECRET-KEY-1')) throw new TokenHubError('INTERNAL', 'the vault identity in the store is damaged')
    return identity
  }

  /** One vault operation at a time: two first unlocks must not create two identities. */
  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation)
    this.queue = run.catch(() => {})
    return run
  }
}

function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new TokenHubError('VALIDATION', `the vault password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  }
}

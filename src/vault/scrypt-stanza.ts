import {Stanza, type Identity, type Recipient} from 'age-encryption'
import {createCipheriv, createDecipheriv, randomBytes, scrypt} from 'node:crypto'

/**
 * age's scrypt recipient stanza (age-encryption.org/v1), implemented with node:crypto's
 * asynchronous scrypt so deriving the key runs on the thread pool instead of freezing the event
 * loop for seconds (the pure-JS implementation in age-encryption is synchronous). Files written
 * here decrypt with `age -d` and with age-encryption's own passphrase support, and the reverse.
 */

const LABEL = 'age-encryption.org/v1/scrypt'
const SALT_BYTES = 16
export const DEFAULT_LOG_N = 18
/** Refuse absurd work factors in files we are asked to open (age's own limit is 22 too). */
const MAX_LOG_N = 22
const ZERO_NONCE = Buffer.alloc(12)

function base64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '')
}

function deriveKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Buffer> {
  const N = 2 ** logN
  const r = 8
  return new Promise((resolve, reject) => {
    scrypt(
      Buffer.from(passphrase, 'utf8'),
      Buffer.concat([Buffer.from(LABEL, 'utf8'), salt]),
      32,
      {N, r, p: 1, maxmem: 128 * N * r + 16 * 1024 * 1024},
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

export class ScryptRecipient implements Recipient {
  constructor(
    private readonly passphrase: string,
    private readonly logN = DEFAULT_LOG_N,
  ) {}

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = randomBytes(SALT_BYTES)
    const key = await deriveKey(this.passphrase, salt, this.logN)
    const cipher = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, {authTagLength: 16})
    const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()])
    return [new Stanza(['scrypt', base64NoPad(salt), String(this.logN)], body)]
  }
}

export class WrongPassphraseError extends Error {
  constructor() {
    super('the passphrase does not decrypt this file')
    this.name = 'WrongPassphraseError'
  }
}

export class ScryptIdentity implements Identity {
  constructor(private readonly passphrase: string) {}

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    const stanza = stanzas.find((s) => s.args[0] === 'scrypt')
    if (!stanza) return null
    if (stanzas.length !== 1) throw new Error('an scrypt stanza must be the only stanza in the file')
    const [, saltText, logNText] = stanza.args
    if (stanza.args.length !== 3 || !/^[1-9]\d*$/.test(logNText)) throw new Error('malformed scrypt stanza')
    const logN = Number(logNText)
    if (logN > MAX_LOG_N) throw new Error(`scrypt work factor 2^${logN} is too large`)
    const salt = Buffer.from(saltText, 'base64')
    if (salt.length !== SALT_BYTES || stanza.body.length !== 32) throw new Error('malformed scrypt stanza')
    const key = await deriveKey(this.passphrase, salt, logN)
    const decipher = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, {authTagLength: 16})
    decipher.setAuthTag(stanza.body.subarray(16))
    try {
      return new Uint8Array(Buffer.concat([decipher.update(stanza.body.subarray(0, 16)), decipher.final()]))
    } catch {
      throw new WrongPassphraseError()
    }
  }
}

import {createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, randomBytes, timingSafeEqual} from 'node:crypto'

/**
 * age (age-encryption.org/v1) for X25519 keys on node:crypto's native ChaCha20-Poly1305, HKDF
 * and X25519. The age-encryption package does the same in pure JS, about ten times slower: the
 * journal encrypts every request record and the daemon decrypts its journals at start. Files
 * interoperate with age-encryption both ways (tests check it) and are plain age files for the
 * `age` tool. Passphrase (scrypt) files are the vault's business and stay with age-encryption.
 */

const CHUNK = 64 * 1024
const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'

function polymod(values: number[]): number {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
  let chk = 1
  for (const value of values) {
    const top = chk >>> 25
    chk = ((chk & 0x1ffffff) << 5) ^ value
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= generators[i]
  }
  return chk
}

/** Decodes a bech32 string (age recipients use bech32 without BIP 173's 90-character limit). */
export function bech32Decode(text: string): {prefix: string; data: Buffer} {
  const lower = text.toLowerCase()
  const separator = lower.lastIndexOf('1')
  if (separator < 1 || lower.length - separator < 7) throw new Error('invalid bech32 string')
  const prefix = lower.slice(0, separator)
  const values = [...lower.slice(separator + 1)].map((c) => {
    const v = BECH32_CHARSET.indexOf(c)
    if (v === -1) throw new Error(`invalid bech32 character "${c}"`)
    return v
  })
  const expanded = [...[...prefix].map((c) => c.charCodeAt(0) >> 5), 0, ...[...prefix].map((c) => c.charCodeAt(0) & 31)]
  if (polymod([...expanded, ...values]) !== 1) throw new Error('invalid bech32 checksum')
  let acc = 0
  let bits = 0
  const out: number[] = []
  for (const value of values.slice(0, -6)) {
    acc = (acc << 5) | value
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((acc >> bits) & 0xff)
    }
  }
  return {prefix, data: Buffer.from(out)}
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')
const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string) => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32))

function seal(key: Buffer, nonce: Buffer, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, {authTagLength: 16})
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

/** X25519's base point (u = 9): the "shared secret" of a private key with it is that key's public key. */
const BASE_POINT = Buffer.concat([Buffer.from([9]), Buffer.alloc(31)])
const BASE_POINT_KEY = createPublicKey({key: {kty: 'OKP', crv: 'X25519', x: BASE_POINT.toString('base64url')}, format: 'jwk'})

/**
 * A fresh X25519 key pair from 32 random bytes, without generateKeyPairSync: on Node 20 the
 * KeyGenJob it leaves behind can be collected while its key is being exported (the export holds
 * the key's mutex and allocates; the job's destructor takes the same mutex), and the daemon
 * deadlocked for good. Imported from JWK (`x` is required but not used for a private key; the
 * PKCS#8 import is 4x slower), the public half computed against the base point.
 */
function ephemeralKey(): {privateKey: ReturnType<typeof createPrivateKey>; publicRaw: Buffer} {
  const privateKey = createPrivateKey({key: {kty: 'OKP', crv: 'X25519', d: randomBytes(32).toString('base64url'), x: BASE_POINT.toString('base64url')}, format: 'jwk'})
  return {privateKey, publicRaw: diffieHellman({privateKey, publicKey: BASE_POINT_KEY})}
}

export class NativeAgeEncrypter {
  private readonly recipientKey: ReturnType<typeof createPublicKey>
  private readonly recipientRaw: Buffer

  constructor(recipient: string) {
    const {prefix, data} = bech32Decode(recipient)
    if (prefix !== 'age' || data.length !== 32) throw new Error('not an age X25519 recipient')
    this.recipientRaw = data
    this.recipientKey = createPublicKey({key: {kty: 'OKP', crv: 'X25519', x: data.toString('base64url')}, format: 'jwk'})
  }

  encrypt(plaintext: Uint8Array): Buffer {
    const stream = this.stream()
    return Buffer.concat([...stream.push(plaintext), ...stream.end()])
  }

  /**
   * The same file, encrypted piece by piece: `push` plaintext as it is produced and get back the
   * ciphertext that is ready (the header first), then `end` for the rest. A large document can be
   * serialized and encrypted in slices without holding the event loop.
   */
  stream(): AgeEncryptStream {
    const fileKey = randomBytes(16)
    const {privateKey: ephemeral, publicRaw: ephemeralPublic} = ephemeralKey()
    const shared = diffieHellman({privateKey: ephemeral, publicKey: this.recipientKey})
    if (shared.every((b) => b === 0)) throw new Error('X25519 produced an all-zero shared secret')
    const wrapKey = hkdf(shared, Buffer.concat([ephemeralPublic, this.recipientRaw]), 'age-encryption.org/v1/X25519')
    const wrapped = seal(wrapKey, Buffer.alloc(12), fileKey)
    // Stanza bodies are base64 in 64-column lines; 32 bytes fit on one (43 characters).
    const headerNoMac = `age-encryption.org/v1\n-> X25519 ${b64(ephemeralPublic)}\n${b64(wrapped)}\n---`
    const mac = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(headerNoMac).digest()
    const header = Buffer.from(`${headerNoMac} ${b64(mac)}\n`)
    const nonce = randomBytes(16)
    return new AgeEncryptStream(hkdf(fileKey, nonce, 'payload'), [header, nonce])
  }
}

/**
 * age's STREAM payload: 64 KiB chunks, each sealed with a counter nonce; the last one (which may
 * be full, and is empty only for an empty payload) carries the final flag. A chunk is sealed only
 * once more plaintext follows it, so `end` always has the last one to flag.
 */
export class AgeEncryptStream {
  private pending: Buffer = Buffer.alloc(0)
  private counter = 0
  private ended = false
  private readonly chunkNonce = Buffer.alloc(12)

  constructor(
    private readonly payloadKey: Buffer,
    private readonly preamble: Buffer[],
  ) {}

  push(plaintext: Uint8Array): Buffer[] {
    if (this.ended) throw new Error('age stream already ended')
    const out = this.preamble.splice(0)
    const data = this.pending.length === 0 ? Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength) : Buffer.concat([this.pending, plaintext])
    let pos = 0
    while (data.length - pos > CHUNK) {
      out.push(this.seal(data.subarray(pos, pos + CHUNK), false))
      pos += CHUNK
    }
    // Copied: the caller may reuse its buffer.
    this.pending = Buffer.from(data.subarray(pos))
    return out
  }

  end(): Buffer[] {
    if (this.ended) throw new Error('age stream already ended')
    const out = this.preamble.splice(0)
    out.push(this.seal(this.pending, true))
    this.pending = Buffer.alloc(0)
    this.ended = true
    return out
  }

  private seal(chunk: Uint8Array, last: boolean): Buffer {
    this.chunkNonce.writeUIntBE(this.counter++, 5, 6) // 11-byte big-endian counter (the top bytes stay 0)
    this.chunkNonce[11] = last ? 1 : 0
    return seal(this.payloadKey, this.chunkNonce, chunk)
  }
}

/** X25519 PKCS#8 prefix: a raw 32-byte private scalar follows. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const HEADER_INTRO = 'age-encryption.org/v1\n'
const MAC_LINE = '---'

function open(key: Buffer, nonce: Buffer, sealed: Uint8Array): Buffer {
  if (sealed.length < 16) throw new Error('ciphertext too short')
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, {authTagLength: 16})
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()])
}

/** Strict unpadded base64, as age writes it. */
function unb64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) throw new Error('invalid base64 in the age header')
  return Buffer.from(text, 'base64')
}

interface Stanza {
  type: string
  args: string[]
  body: Buffer
}

/** The header's stanzas, the bytes the MAC covers, the MAC and where the payload starts. */
function parseHeader(file: Uint8Array): {stanzas: Stanza[]; macInput: Buffer; mac: Buffer; payloadStart: number} {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  let pos = 0
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos)
    if (end === -1) throw new Error('the age header is cut short')
    const text = bytes.toString('latin1', pos, end)
    pos = end + 1
    return text
  }
  if (bytes.toString('latin1', 0, HEADER_INTRO.length) !== HEADER_INTRO) throw new Error('not an age file (age-encryption.org/v1)')
  pos = HEADER_INTRO.length
  const stanzas: Stanza[] = []
  for (;;) {
    const start = pos
    const text = line()
    if (text.startsWith(`${MAC_LINE} `)) {
      const macInput = bytes.subarray(0, start + MAC_LINE.length)
      return {stanzas, macInput: Buffer.from(macInput), mac: unb64(text.slice(MAC_LINE.length + 1)), payloadStart: pos}
    }
    if (!text.startsWith('-> ')) throw new Error('malformed age header')
    const [type, ...args] = text.slice(3).split(' ')
    const parts: Buffer[] = []
    for (;;) {
      const bodyLine = line()
      if (bodyLine.length > 64) throw new Error('malformed stanza body in the age header')
      parts.push(unb64(bodyLine))
      if (bodyLine.length < 64) break
    }
    stanzas.push({type, args, body: Buffer.concat(parts)})
  }
}

export class NativeAgeDecrypter {
  private readonly privateKey: ReturnType<typeof createPrivateKey>
  private readonly publicRaw: Buffer

  constructor(identity: string) {
    const {prefix, data} = bech32Decode(identity.trim())
    if (prefix !== 'age-secret-key-' || data.length !== 32) throw new Error('not an age X25519 identity')
    this.privateKey = createPrivateKey({key: Buffer.concat([X25519_PKCS8_PREFIX, data]), format: 'der', type: 'pkcs8'})
    this.publicRaw = diffieHellman({privateKey: this.privateKey, publicKey: BASE_POINT_KEY})
  }

  decrypt(file: Uint8Array): Buffer {
    const {stanzas, macInput, mac, payloadStart} = parseHeader(file)
    const fileKey = this.unwrap(stanzas)
    const expected = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(macInput).digest()
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new Error('bad header MAC')

    const nonce = file.subarray(payloadStart, payloadStart + 16)
    if (nonce.length < 16) throw new Error('the age payload is cut short')
    const payloadKey = hkdf(fileKey, nonce, 'payload')
    const chunks: Buffer[] = []
    const chunkNonce = Buffer.alloc(12)
    const sealedChunk = CHUNK + 16
    let pos = payloadStart + 16
    for (let i = 0; ; i++) {
      const end = Math.min(file.length, pos + sealedChunk)
      const last = end === file.length
      chunkNonce.writeUIntBE(i, 5, 6)
      chunkNonce[11] = last ? 1 : 0
      const plain = open(payloadKey, chunkNonce, file.subarray(pos, end))
      if (last && plain.length === 0 && i > 0) throw new Error('empty final chunk')
      chunks.push(plain)
      if (last) break
      pos = end
    }
    return Buffer.concat(chunks)
  }

  private unwrap(stanzas: Stanza[]): Buffer {
    for (const stanza of stanzas) {
      if (stanza.type !== 'X25519') continue
      if (stanza.args.length !== 1 || stanza.body.length !== 32) throw new Error('malformed X25519 stanza')
      const share = unb64(stanza.args[0])
      if (share.length !== 32) throw new Error('malformed X25519 stanza')
      const publicKey = createPublicKey({key: {kty: 'OKP', crv: 'X25519', x: share.toString('base64url')}, format: 'jwk'})
      const shared = diffieHellman({privateKey: this.privateKey, publicKey})
      if (shared.every((b) => b === 0)) throw new Error('X25519 produced an all-zero shared secret')
      const wrapKey = hkdf(shared, Buffer.concat([share, this.publicRaw]), 'age-encryption.org/v1/X25519')
      try {
        return open(wrapKey, Buffer.alloc(12), stanza.body)
      } catch {
        // Encrypted to someone else: try the next stanza.
      }
    }
    throw new Error('no identity matched any of the file\'s recipients')
  }
}

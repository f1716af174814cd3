import {createCipheriv, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes} from 'node:crypto'

/**
 * An age (age-encryption.org/v1) encrypter for one X25519 recipient on node:crypto's native
 * ChaCha20-Poly1305, HKDF and X25519. The age-encryption package does the same in pure JS, about
 * ten times slower; the journal encrypts every request record, so this is on the accounting path.
 * Files decrypt with `age -d` and age-encryption's Decrypter (a test checks it).
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
    const fileKey = randomBytes(16)
    const ephemeral = generateKeyPairSync('x25519')
    const ephemeralPublic = Buffer.from(ephemeral.publicKey.export({format: 'jwk'}).x as string, 'base64url')
    const shared = diffieHellman({privateKey: ephemeral.privateKey, publicKey: this.recipientKey})
    if (shared.every((b) => b === 0)) throw new Error('X25519 produced an all-zero shared secret')
    const wrapKey = hkdf(shared, Buffer.concat([ephemeralPublic, this.recipientRaw]), 'age-encryption.org/v1/X25519')
    const wrapped = seal(wrapKey, Buffer.alloc(12), fileKey)
    // Stanza bodies are base64 in 64-column lines; 32 bytes fit on one (43 characters).
    const headerNoMac = `age-encryption.org/v1\n-> X25519 ${b64(ephemeralPublic)}\n${b64(wrapped)}\n---`
    const mac = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(headerNoMac).digest()
    const header = Buffer.from(`${headerNoMac} ${b64(mac)}\n`)

    const nonce = randomBytes(16)
    const payloadKey = hkdf(fileKey, nonce, 'payload')
    const parts: Buffer[] = [header, nonce]
    const chunkNonce = Buffer.alloc(12)
    const count = Math.max(1, Math.ceil(plaintext.length / CHUNK))
    for (let i = 0; i < count; i++) {
      chunkNonce.writeUIntBE(i, 5, 6) // 11-byte big-endian counter (the top bytes stay 0)
      chunkNonce[11] = i === count - 1 ? 1 : 0
      parts.push(seal(payloadKey, chunkNonce, plaintext.subarray(i * CHUNK, (i + 1) * CHUNK)))
    }
    return Buffer.concat(parts)
  }
}

import {Decrypter, Encrypter, generateX25519Identity, identityToRecipient} from 'age-encryption'
import {describe, expect, it} from 'vitest'
import {bech32Decode, NativeAgeEncrypter} from '../../src/store/native-age.js'

describe('NativeAgeEncrypter', () => {
  it('writes age files that age-encryption decrypts, at every chunk boundary', async () => {
    const identity = await generateX25519Identity()
    const recipient = await identityToRecipient(identity)
    const encrypter = new NativeAgeEncrypter(recipient)
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    for (const size of [0, 1, 1000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200_000]) {
      const plaintext = Buffer.alloc(size, 0).map((_, i) => (i * 7 + size) % 251)
      const file = encrypter.encrypt(plaintext)
      expect(file.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n')
      expect(Buffer.from(await decrypter.decrypt(file))).toEqual(Buffer.from(plaintext))
    }
  })

  it('is refused by another identity and never repeats keys', async () => {
    const recipient = await identityToRecipient(await generateX25519Identity())
    const other = new Decrypter()
    other.addIdentity(await generateX25519Identity())
    const encrypter = new NativeAgeEncrypter(recipient)
    await expect(other.decrypt(encrypter.encrypt(Buffer.from('secret')))).rejects.toThrow()
    expect(encrypter.encrypt(Buffer.from('same'))).not.toEqual(encrypter.encrypt(Buffer.from('same')))
  })

  it('matches what age-encryption itself would accept as a recipient', async () => {
    const recipient = await identityToRecipient(await generateX25519Identity())
    expect(bech32Decode(recipient)).toMatchObject({prefix: 'age'})
    expect(() => new NativeAgeEncrypter(recipient.replace(/.$/, (c) => (c === 'q' ? 'p' : 'q')))).toThrow(/checksum/)
    const viaLibrary = new Encrypter()
    viaLibrary.addRecipient(recipient)
    expect((await viaLibrary.encrypt('x')).length).toBeGreaterThan(0)
  })
})

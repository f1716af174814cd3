import {Decrypter, Encrypter} from 'age-encryption'
import {describe, expect, it} from 'vitest'
import {ScryptIdentity, ScryptRecipient} from '../../src/vault/scrypt-stanza.js'

// The default work factor (2^18), as the vault uses it: this is the interoperability check.
describe('age scrypt stanza on node:crypto', () => {
  it('encrypts files that age-encryption decrypts with the passphrase', async () => {
    const encrypter = new Encrypter()
    encrypter.addRecipient(new ScryptRecipient('correct horse battery'))
    const file = await encrypter.encrypt('AGE-SECRET-KEY-1EXAMPLE')
    const decrypter = new Decrypter()
    decrypter.addPassphrase('correct horse battery')
    expect(await decrypter.decrypt(file, 'text')).toBe('AGE-SECRET-KEY-1EXAMPLE')
  })

  it('decrypts files age-encryption wrote with a passphrase, and refuses a wrong one', async () => {
    const encrypter = new Encrypter()
    encrypter.setPassphrase('correct horse battery')
    const file = await encrypter.encrypt('hello vault')
    const right = new Decrypter()
    right.addIdentity(new ScryptIdentity('correct horse battery'))
    expect(await right.decrypt(file, 'text')).toBe('hello vault')
    const wrong = new Decrypter()
    wrong.addIdentity(new ScryptIdentity('wrong horse battery'))
    await expect(wrong.decrypt(file, 'text')).rejects.toThrow()
  })

  it('keeps the event loop free while deriving the key', async () => {
    const encrypter = new Encrypter()
    encrypter.addRecipient(new ScryptRecipient('pw-pw-pw-pw'))
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    await encrypter.encrypt('x')
    clearInterval(timer)
    // A synchronous scrypt would allow no ticks at all while it runs.
    expect(ticks).toBeGreaterThan(0)
  })
})

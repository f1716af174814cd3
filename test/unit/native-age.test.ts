import {Decrypter, Encrypter, generateX25519Identity, identityToRecipient} from 'age-encryption'
import {describe, expect, it} from 'vitest'
import {bech32Decode, NativeAgeDecrypter, NativeAgeEncrypter} from '../../src/store/native-age.js'

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

  it('encrypts piece by piece into the same format: odd-sized pieces, chunk boundaries, nothing at all', async () => {
    const identity = await generateX25519Identity()
    const encrypter = new NativeAgeEncrypter(await identityToRecipient(identity))
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    const native = new NativeAgeDecrypter(identity)
    for (const sizes of [[], [0], [5, 0, 7], [64 * 1024], [64 * 1024 - 1, 1], [64 * 1024, 1], [100_000, 3, 64 * 1024 * 2 + 17, 40_000]]) {
      const pieces = sizes.map((size, n) => Buffer.alloc(size, 0).map((_, i) => (i * 13 + n) % 251))
      const stream = encrypter.stream()
      const file = Buffer.concat([...pieces.flatMap((piece) => stream.push(piece)), ...stream.end()])
      const plaintext = Buffer.concat(pieces)
      expect(Buffer.from(await decrypter.decrypt(file))).toEqual(plaintext)
      expect(native.decrypt(file)).toEqual(plaintext)
      expect(() => stream.push(Buffer.from('late'))).toThrow(/ended/)
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

describe('NativeAgeDecrypter', () => {
  const sizes = [0, 1, 1000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 2 * 64 * 1024, 200_000]
  const bytes = (size: number) => Buffer.alloc(size, 0).map((_, i) => (i * 13 + size) % 251)

  it('reads files age-encryption wrote, at every chunk boundary', async () => {
    const identity = await generateX25519Identity()
    const encrypter = new Encrypter()
    encrypter.addRecipient(await identityToRecipient(identity))
    const decrypter = new NativeAgeDecrypter(identity)
    for (const size of sizes) expect(decrypter.decrypt(await encrypter.encrypt(bytes(size)))).toEqual(Buffer.from(bytes(size)))
  })

  it('reads what NativeAgeEncrypter writes', async () => {
    const identity = await generateX25519Identity()
    const encrypter = new NativeAgeEncrypter(await identityToRecipient(identity))
    const decrypter = new NativeAgeDecrypter(identity)
    for (const size of sizes) expect(decrypter.decrypt(encrypter.encrypt(bytes(size)))).toEqual(Buffer.from(bytes(size)))
  })

  it('finds its stanza among several recipients', async () => {
    const [mine, other] = [await generateX25519Identity(), await generateX25519Identity()]
    const encrypter = new Encrypter()
    encrypter.addRecipient(await identityToRecipient(other))
    encrypter.addRecipient(await identityToRecipient(mine))
    expect(new NativeAgeDecrypter(mine).decrypt(await encrypter.encrypt('for two')).toString()).toBe('for two')
  })

  it('refuses another identity, tampering anywhere, truncation and non-age input', async () => {
    const identity = await generateX25519Identity()
    const file = new NativeAgeEncrypter(await identityToRecipient(identity)).encrypt(bytes(70_000))
    const decrypter = new NativeAgeDecrypter(identity)
    const stranger = new NativeAgeDecrypter(await generateX25519Identity())
    expect(() => stranger.decrypt(file)).toThrow(/no identity matched/)
    const headerEnd = file.indexOf('\n---') + 5
    const flip = (at: number) => {
      const copy = Buffer.from(file)
      copy[at] ^= 1
      return copy
    }
    expect(() => decrypter.decrypt(flip(headerEnd + 2))).toThrow(/MAC|base64/) // the MAC itself
    expect(() => decrypter.decrypt(flip(file.length - 5))).toThrow() // last chunk
    expect(() => decrypter.decrypt(flip(headerEnd + 60))).toThrow() // first chunk
    expect(() => decrypter.decrypt(file.subarray(0, file.length - 100))).toThrow() // cut inside the last chunk
    expect(() => decrypter.decrypt(file.subarray(0, headerEnd + 16 + 64 * 1024 + 16))).toThrow() // cut at a chunk boundary
    expect(() => decrypter.decrypt(Buffer.from('{"plain":"json"}'))).toThrow(/not an age file/)
    expect(() => new NativeAgeDecrypter('AGE-SECRET-KEY-1QQQQ')).toThrow()
  })

  it('agrees with age-encryption on what it refuses', async () => {
    const identity = await generateX25519Identity()
    const file = new NativeAgeEncrypter(await identityToRecipient(identity)).encrypt(Buffer.from('x'))
    const tampered = Buffer.from(file)
    tampered[30] ^= 1 // inside the stanza
    const library = new Decrypter()
    library.addIdentity(identity)
    await expect(library.decrypt(tampered)).rejects.toThrow()
    expect(() => new NativeAgeDecrypter(identity).decrypt(tampered)).toThrow()
  })
})

describe('ephemeral keys under GC pressure', () => {
  it('encrypting with a collection every few allocations never deadlocks (generateKeyPairSync + JWK export did, in node:crypto)', async () => {
    const {spawn} = await import('node:child_process')
    const {fileURLToPath} = await import('node:url')
    const module = fileURLToPath(new URL('../../dist/src/store/native-age.js', import.meta.url))
    const script = `
      const {NativeAgeEncrypter, NativeAgeDecrypter} = await import(${JSON.stringify(module)})
      const {generateX25519Identity, identityToRecipient} = await import('age-encryption')
      const identity = await generateX25519Identity()
      const encrypter = new NativeAgeEncrypter(await identityToRecipient(identity))
      const decrypter = new NativeAgeDecrypter(identity)
      for (let i = 0; i < 1500; i++) if (decrypter.decrypt(encrypter.encrypt(Buffer.from('r' + i))).toString() !== 'r' + i) process.exit(2)
      console.log('ok')`
    const child = spawn(process.execPath, ['--gc-interval=97', '--input-type=module', '-e', script], {cwd: fileURLToPath(new URL('../..', import.meta.url))})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const code = await new Promise((resolve) => child.on('exit', resolve))
    clearTimeout(timer)
    expect(code).toBe(0)
    expect(out.trim()).toBe('ok')
  }, 40_000)
})

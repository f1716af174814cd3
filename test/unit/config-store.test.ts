import {lstat, mkdir, readFile, rename, stat, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {AgeJsonAdapter} from '../../src/store/age-json-adapter.js'
import {ConfigStore} from '../../src/store/config-store.js'
import {StoreOpenError} from '../../src/store/store-error.js'
import {tempDir} from '../helpers/paths.js'

let dir: {path: string; cleanup: () => Promise<void>}
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(async () => {
  vi.restoreAllMocks()
  await dir.cleanup()
})

const sampleProvider = (id: string) => ({
  id,
  type: 'openai' as const,
  base_url: 'http://x',
  enabled: true,
  api_key_enc: null,
  created_at: '',
  updated_at: '',
})

describe('ConfigStore', () => {
  it('creates an encrypted store and key (0600) and reads back what was written', async () => {
    const store = await ConfigStore.open({dataDir: dir.path})
    await store.update((doc) => {
      doc.providers.p1 = sampleProvider('p1')
    })
    const raw = await readFile(join(dir.path, 'store.age'))
    expect(raw.subarray(0, 21).toString()).toBe('age-encryption.org/v1')
    // Plaintext JSON would show its keys; a 2-byte needle ("p1") turns up in random ciphertext ~1 run in 50.
    expect(raw.includes(Buffer.from('"providers"'))).toBe(false)
    expect(raw.includes(Buffer.from('"p1"'))).toBe(false)
    expect((await stat(join(dir.path, 'store.age'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir.path, 'store.key'))).mode & 0o777).toBe(0o600)
    const reopened = await ConfigStore.open({dataDir: dir.path})
    expect(Object.keys(reopened.data.providers)).toEqual(['p1'])
  })

  it('a symlinked store.age stays a symlink: the file it points at is replaced', async () => {
    const store = await ConfigStore.open({dataDir: dir.path})
    await store.update((doc) => {
      doc.providers.p1 = sampleProvider('p1')
    })
    // The operator moves the store to another volume and links it back.
    const elsewhere = join(dir.path, 'elsewhere')
    await mkdir(elsewhere)
    await rename(join(dir.path, 'store.age'), join(elsewhere, 'store.age'))
    await symlink(join(elsewhere, 'store.age'), join(dir.path, 'store.age'))
    const linked = await ConfigStore.open({dataDir: dir.path})
    await linked.update((doc) => {
      doc.providers.p2 = sampleProvider('p2')
    })
    expect((await lstat(join(dir.path, 'store.age'))).isSymbolicLink()).toBe(true)
    const reopened = await ConfigStore.open({dataDir: dir.path})
    expect(Object.keys(reopened.data.providers).sort()).toEqual(['p1', 'p2'])
  })

  it('coalesces changes that arrive together into few writes', async () => {
    const store = await ConfigStore.open({dataDir: dir.path})
    const write = vi.spyOn(AgeJsonAdapter.prototype, 'write')
    await Promise.all(
      Array.from({length: 20}, (_, i) =>
        store.update((doc) => {
          doc.providers[`p${i}`] = sampleProvider(`p${i}`)
        }),
      ),
    )
    expect(write.mock.calls.length).toBeLessThanOrEqual(2)
    const reopened = await ConfigStore.open({dataDir: dir.path})
    expect(Object.keys(reopened.data.providers)).toHaveLength(20)
  })

  it('encrypts a large document slice by slice, giving the loop a turn between slices, into a file age reads back whole', async () => {
    const {createStoreKey} = await import('../../src/store/store-key.js')
    const key = await createStoreKey(join(dir.path, 'k.key'), new Date())
    let pauses = 0
    const adapter = new AgeJsonAdapter<Record<string, unknown>>(join(dir.path, 'doc.age'), key, async () => {
      pauses++
      await new Promise((resolve) => setImmediate(resolve))
    })
    const doc = {schema_version: 1, api_keys: Object.fromEntries(Array.from({length: 4500}, (_, i) => [`k${i}`, {id: `k${i}`, name: `n ${i}`}])), settings: {}}
    await adapter.write(doc)
    expect(pauses).toBe(4)
    const {Decrypter} = await import('age-encryption')
    const decrypter = new Decrypter()
    decrypter.addIdentity(key.identity)
    expect(Buffer.from(await decrypter.decrypt(await readFile(join(dir.path, 'doc.age')))).toString()).toBe(JSON.stringify(doc))
    expect(await adapter.read()).toEqual(doc)
  })

  it('a write in progress keeps its snapshot; a change made meanwhile lands in the next write', async () => {
    const store = await ConfigStore.open({dataDir: dir.path})
    const identity = (await readFile(join(dir.path, 'store.key'), 'utf8')).split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!
    const {Decrypter} = await import('age-encryption')
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    // Each write's file, read as soon as that write is done (the store writes one at a time).
    const files: Buffer[] = []
    let writing = false
    const original = AgeJsonAdapter.prototype.write
    vi.spyOn(AgeJsonAdapter.prototype, 'write').mockImplementation(async function (this: AgeJsonAdapter<unknown>, data: unknown) {
      writing = true
      await original.call(this, data)
      files.push(await readFile(join(dir.path, 'store.age')))
      writing = false
    })
    const key = (i: number) => ({id: `k${i}`, name: `key ${i}`, key_hash: `${i}`.padStart(64, '0'), scopes: ['chat']}) as never
    const first = store.update((doc) => {
      for (let i = 0; i < 5000; i++) doc.api_keys[`k${i}`] = key(i)
    })
    // A few loop turns in, the first write is between slices.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(writing).toBe(true)
    const second = store.update((doc) => {
      doc.api_keys.k4999 = {...(key(4999) as object), name: 'renamed'} as never
      doc.api_keys.k5000 = key(5000)
    })
    await Promise.all([first, second])
    expect(files).toHaveLength(2)
    const [before, after] = await Promise.all(files.map(async (file) => JSON.parse(Buffer.from(await decrypter.decrypt(file)).toString())))
    expect(Object.keys(before.api_keys)).toHaveLength(5000)
    expect(before.api_keys.k4999.name).toBe('key 4999')
    expect(after).toEqual(JSON.parse(JSON.stringify(store.data)))
    expect(Object.keys(after.api_keys)).toHaveLength(5001)
    const reopened = await ConfigStore.open({dataDir: dir.path})
    expect(reopened.data.api_keys.k4999.name).toBe('renamed')
    expect(reopened.data.api_keys.k0.name).toBe('key 0')
  })

  it('remembers a map\'s ids until the next change', async () => {
    const store = await ConfigStore.open({dataDir: dir.path})
    await store.update((doc) => {
      doc.providers.b = sampleProvider('b')
      doc.providers.a = sampleProvider('a')
    })
    const ids = store.ids('providers')
    expect(ids).toEqual(['b', 'a'])
    expect(store.ids('providers')).toBe(ids)
    await store.update((doc) => {
      doc.providers.c = sampleProvider('c')
      delete doc.providers.b
    })
    expect(store.ids('providers')).toEqual(['a', 'c'])
    expect(store.ids('api_keys')).toEqual([])
  })

  it('refuses a corrupt store file and leaves it untouched', async () => {
    await ConfigStore.open({dataDir: dir.path})
    const file = join(dir.path, 'store.age')
    const garbage = Buffer.from('age-encryption.org/v1\n-> X25519 garbage\n--- nope\n\u0000\u0001')
    await writeFile(file, garbage)
    const error = await ConfigStore.open({dataDir: dir.path}).catch((e) => e)
    expect(error).toBeInstanceOf(StoreOpenError)
    expect(error.message).toContain(file)
    expect(await readFile(file)).toEqual(garbage)
  })

  it('refuses to start empty when the store exists but its key is gone', async () => {
    await ConfigStore.open({dataDir: dir.path})
    const before = await readFile(join(dir.path, 'store.age'))
    await writeFile(join(dir.path, 'store.key'), '')
    await expect(ConfigStore.open({dataDir: dir.path})).rejects.toThrow(/AGE-SECRET-KEY/)
    const {rm} = await import('node:fs/promises')
    await rm(join(dir.path, 'store.key'))
    await expect(ConfigStore.open({dataDir: dir.path})).rejects.toThrow(/store\.key is missing/)
    expect(await readFile(join(dir.path, 'store.age'))).toEqual(before)
  })

  it('a failed write is reported to every waiter and undoes every change it held (none stays in effect unsaved)', async () => {
    const errors: Error[] = []
    const store = await ConfigStore.open({dataDir: dir.path, onWriteError: (e) => errors.push(e)})
    await store.update((doc) => {
      doc.providers.keep = sampleProvider('keep')
      doc.providers.gone = sampleProvider('gone')
      doc.routing = {...doc.routing, default_mode: 'cheap'}
    })
    let rolledBack = 0
    store.onRollback(() => rolledBack++)
    const write = vi.spyOn(AgeJsonAdapter.prototype, 'write').mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'}))
    const keep = store.data.providers.keep
    // Two changes in one write, one of them touching the same entry twice.
    const first = store.update((doc) => {
      doc.providers.a = sampleProvider('a')
      doc.providers.keep = {...sampleProvider('keep'), base_url: 'http://changed'}
      delete doc.providers.gone
    })
    const second = store.update((doc) => {
      doc.providers.keep = {...sampleProvider('keep'), base_url: 'http://changed-again'}
      doc.routing = {...doc.routing, default_mode: 'fast'}
    })
    for (const pending of [first, second]) await expect(pending).rejects.toMatchObject({code: 'STORE_WRITE_FAILED', message: expect.stringContaining('ENOSPC: no space left on device')})
    expect(errors).toHaveLength(1)
    expect(rolledBack).toBe(1)
    expect(Object.keys(store.data.providers).sort()).toEqual(['gone', 'keep'])
    expect(store.data.providers.keep).toBe(keep)
    expect(store.data.routing?.default_mode).toBe('cheap')
    // The next change is written with the document as it was before the failure.
    await store.update((doc) => {
      doc.providers.b = sampleProvider('b')
    })
    expect(write).toHaveBeenCalledTimes(2)
    const reopened = await ConfigStore.open({dataDir: dir.path})
    expect(Object.keys(reopened.data.providers).sort()).toEqual(['b', 'gone', 'keep'])
    expect(reopened.data.providers.keep.base_url).toBe('http://x')
  })

  it('a change made while a write is on its way survives that write and is undone alone when its own write fails; lists follow', async () => {
    const store = await ConfigStore.open({dataDir: dir.path})
    await store.update((doc) => {
      doc.providers.keep = sampleProvider('keep')
    })
    expect(store.ids('providers')).toEqual(['keep'])
    const real = AgeJsonAdapter.prototype.write
    let calls = 0
    vi.spyOn(AgeJsonAdapter.prototype, 'write').mockImplementation(async function (this: AgeJsonAdapter<unknown>, data: unknown) {
      calls++
      if (calls === 1) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        return real.call(this, data)
      }
      throw Object.assign(new Error('EROFS: read-only file system'), {code: 'EROFS'})
    })
    const first = store.update((doc) => {
      doc.providers.a = sampleProvider('a')
    })
    await new Promise((resolve) => setTimeout(resolve, 10)) // the first write is under way
    const second = store.update((doc) => {
      doc.providers.b = sampleProvider('b')
      delete doc.providers.keep
    })
    expect(store.ids('providers')).toEqual(['a', 'b'])
    await first
    await expect(second).rejects.toMatchObject({code: 'STORE_WRITE_FAILED'})
    expect(Object.keys(store.data.providers).sort()).toEqual(['a', 'keep'])
    expect([...store.ids('providers')].sort()).toEqual(['a', 'keep'])
    // A change that throws part-way leaves nothing either.
    await expect(
      store.update((doc) => {
        doc.providers.c = sampleProvider('c')
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(Object.keys(store.data.providers).sort()).toEqual(['a', 'keep'])
  })
})

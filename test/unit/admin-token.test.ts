import {mkdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {AdminTokenHolder, resolveAdminToken} from '../../src/auth/admin-token.js'
import {AgeJsonAdapter} from '../../src/store/age-json-adapter.js'
import {ConfigStore} from '../../src/store/config-store.js'
import {tempDir} from '../helpers/paths.js'

let dir: {path: string; cleanup: () => Promise<void>}
let store: ConfigStore
let file: string
beforeEach(async () => {
  dir = await tempDir()
  store = await ConfigStore.open({dataDir: dir.path})
  file = join(dir.path, '.admin-token')
})
afterEach(() => dir.cleanup())

describe('admin token', () => {
  it('generates 32 random bytes and writes them 0600 when nothing is set', async () => {
    const resolved = await resolveAdminToken({file, store})
    expect(resolved.source).toBe('generated')
    expect(resolved.token).toMatch(/^[0-9a-f]{64}$/)
    expect((await readFile(file, 'utf8')).trim()).toBe(resolved.token)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await resolveAdminToken({file, store})).source).toBe('file')
  })

  it('prefers the environment and writes it to the file', async () => {
    await writeFile(file, 'from-the-file-0000\n')
    const resolved = await resolveAdminToken({envToken: 'from-the-env-00000', file, store})
    expect(resolved).toMatchObject({token: 'from-the-env-00000', source: 'env'})
    expect((await readFile(file, 'utf8')).trim()).toBe('from-the-env-00000')
  })

  it('rotation retires the old token, even one still set in the environment', async () => {
    const holder = new AdminTokenHolder('from-the-env-00000', file, store)
    const next = await holder.rotate()
    expect(holder.verify('from-the-env-00000')).toBe(false)
    expect(holder.verify(next)).toBe(true)
    const restarted = await resolveAdminToken({envToken: 'from-the-env-00000', file, store: await ConfigStore.open({dataDir: dir.path})})
    expect(restarted).toMatchObject({token: next, source: 'file', ignoredRetiredEnv: true})
  })

  it('refuses short or blank-containing tokens', async () => {
    const holder = new AdminTokenHolder('x'.repeat(32), file, store)
    await expect(holder.rotate('short')).rejects.toThrow(/at least 16/)
    await expect(holder.rotate('has a space in it!!')).rejects.toThrow(/whitespace/)
    expect(holder.verify('x'.repeat(32))).toBe(true)
    expect(holder.verify(undefined)).toBe(false)
    expect(holder.verify('')).toBe(false)
  })

  it('a rotation the store or the token file cannot take does not happen: the old token keeps working, streams stay, nothing retired', async () => {
    const old = 'the-current-admin-token'
    const holder = new AdminTokenHolder(old, file, store)
    await writeFile(file, `${old}\n`)
    let rotations = 0
    holder.onRotate(() => rotations++)
    // The store cannot be written.
    const write = vi.spyOn(AgeJsonAdapter.prototype, 'write').mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device'), {code: 'ENOSPC'}))
    await expect(holder.rotate()).rejects.toMatchObject({code: 'STORE_WRITE_FAILED'})
    write.mockRestore()
    expect(holder.verify(old)).toBe(true)
    expect((await readFile(file, 'utf8')).trim()).toBe(old)
    // The token file cannot be written (a directory in its place).
    await rm(file)
    await mkdir(file)
    await expect(holder.rotate()).rejects.toMatchObject({code: 'STORE_WRITE_FAILED', message: expect.stringContaining('the current token stays')})
    expect(holder.verify(old)).toBe(true)
    expect(store.data.admin_token.retired_hashes).toEqual([])
    expect(rotations).toBe(0)
  })
})

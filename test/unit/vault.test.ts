import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {TokenHubError} from '../../src/core/errors.js'
import {ConfigStore} from '../../src/store/config-store.js'
import {Vault} from '../../src/vault/vault.js'
import {tempDir} from '../helpers/paths.js'

let dir: {path: string; cleanup: () => Promise<void>}
let store: ConfigStore
// A low scrypt work factor keeps these behaviour tests quick; interop at the real factor is tested separately.
const newVault = () => new Vault(store, {scryptLogN: 10})

beforeEach(async () => {
  dir = await tempDir()
  store = await ConfigStore.open({dataDir: dir.path})
})
afterEach(() => dir.cleanup())

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e) => e,
  )
  expect(error).toBeInstanceOf(TokenHubError)
  return (error as TokenHubError).code
}

describe('Vault', () => {
  it('starts uninitialised and locked; the first unlock sets the password', async () => {
    const vault = newVault()
    expect([vault.initialized, vault.locked]).toEqual([false, true])
    expect(await codeOf(vault.unlock('short'))).toBe('VALIDATION')
    expect(await vault.unlock('first-password')).toEqual({initialized: true})
    expect([vault.initialized, vault.locked]).toEqual([true, false])
  })

  it('encrypts secrets while locked but needs an unlock to read them', async () => {
    const vault = newVault()
    expect(await codeOf(vault.encryptSecret('sk-x'))).toBe('VAULT_NOT_INITIALIZED')
    await vault.unlock('first-password')
    vault.lock()
    const sealed = await vault.encryptSecret('sk-live-123')
    expect(sealed).not.toContain('sk-live-123')
    expect(await codeOf(vault.decryptSecret(sealed))).toBe('VAULT_LOCKED')
    await vault.unlock('first-password')
    expect(await vault.decryptSecret(sealed)).toBe('sk-live-123')
  })

  it('refuses a wrong password and stays locked', async () => {
    const vault = newVault()
    await vault.unlock('first-password')
    vault.lock()
    expect(await codeOf(vault.unlock('wrong-password'))).toBe('VAULT_PASSWORD_INVALID')
    expect(vault.locked).toBe(true)
  })

  it('a damaged vault record says so instead of "wrong vault password" (the operator would think the password forgotten)', async () => {
    const vault = newVault()
    await vault.unlock('first-password')
    vault.lock()
    await store.update((doc) => {
      doc.vault = {...doc.vault!, wrapped_identity: 'AAAA'}
    })
    const error = await vault.unlock('first-password').catch((e) => e)
    expect(error).toBeInstanceOf(TokenHubError)
    expect(error.message).toContain('the vault record in the store is damaged')
    expect(error.code).not.toBe('VAULT_PASSWORD_INVALID')
  })

  it('rotates the password; a wrong old password changes nothing', async () => {
    const vault = newVault()
    await vault.unlock('first-password')
    const sealed = await vault.encryptSecret('sk-keep-me')
    const before = JSON.stringify(store.data.vault)
    expect(await codeOf(vault.rotate('not-the-password', 'second-password'))).toBe('VAULT_PASSWORD_INVALID')
    expect(JSON.stringify(store.data.vault)).toBe(before)
    await vault.rotate('first-password', 'second-password')
    vault.lock()
    expect(await codeOf(vault.unlock('first-password'))).toBe('VAULT_PASSWORD_INVALID')
    await vault.unlock('second-password')
    expect(await vault.decryptSecret(sealed)).toBe('sk-keep-me')
  })

  it('survives a restart: a new process unlocks with the same password', async () => {
    const vault = newVault()
    await vault.unlock('first-password')
    const sealed = await vault.encryptSecret('sk-persist')
    const reopened = new Vault(await ConfigStore.open({dataDir: dir.path}))
    expect([reopened.initialized, reopened.locked]).toEqual([true, true])
    await reopened.unlock('first-password')
    expect(await reopened.decryptSecret(sealed)).toBe('sk-persist')
    expect((await readFile(join(dir.path, 'store.age'))).includes(Buffer.from('first-password'))).toBe(false)
  })

  it('a lock answered while an unlock checks its password wins: the vault stays locked and the unlock says so', async () => {
    const vault = newVault()
    await vault.unlock('first-password')
    vault.lock()
    const unlocking = vault.unlock('first-password')
    // The unlock is now deriving its key (scrypt); the operator locks meanwhile.
    expect(vault.lock()).toEqual({already_locked: true})
    expect(await codeOf(unlocking)).toBe('CONFLICT')
    expect(vault.locked).toBe(true)
    // A later unlock works as usual.
    await vault.unlock('first-password')
    expect(vault.locked).toBe(false)
  })

  it('two concurrent first unlocks create one identity', async () => {
    const vault = newVault()
    await Promise.all([vault.unlock('first-password'), vault.unlock('first-password')])
    const recipient = store.data.vault?.recipient
    await vault.unlock('first-password')
    expect(store.data.vault?.recipient).toBe(recipient)
  })
})

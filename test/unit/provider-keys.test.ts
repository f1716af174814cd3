import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {TokenHubError} from '../../src/core/errors.js'
import {ConfigStore} from '../../src/store/config-store.js'
import {Vault} from '../../src/vault/vault.js'
import {ProviderKeys} from '../../daemon/gateway/provider-keys.js'
import {tempDir} from '../helpers/paths.js'

let dir: {path: string; cleanup: () => Promise<void>}
let store: ConfigStore
let vault: Vault

beforeEach(async () => {
  dir = await tempDir()
  store = await ConfigStore.open({dataDir: dir.path})
  vault = new Vault(store, {scryptLogN: 10})
  await vault.unlock('first-password')
})
afterEach(() => dir.cleanup())

async function putProvider(id: string, apiKey: string | null): Promise<void> {
  const sealed = apiKey === null ? null : await vault.encryptSecret(apiKey)
  const now = new Date().toISOString()
  await store.update((doc) => {
    doc.providers[id] = {id, type: 'openai', base_url: 'http://127.0.0.1:9', enabled: true, api_key_enc: sealed, created_at: now, updated_at: now}
  })
}

describe('ProviderKeys', () => {
  it('decrypts a key once, then answers from memory without a promise', async () => {
    await putProvider('p1', 'sk-live-one')
    const keys = new ProviderKeys(store, vault)
    expect(keys.peek('p1')).toBeUndefined()
    expect(await keys.get('p1')).toBe('sk-live-one')
    expect(keys.peek('p1')).toBe('sk-live-one')
    expect(keys.known()).toEqual(['sk-live-one'])
  })

  it('remembers that a provider needs no key until the providers change', async () => {
    await putProvider('local', null)
    const keys = new ProviderKeys(store, vault)
    expect(await keys.get('local')).toBeNull()
    expect(keys.peek('local')).toBeNull()
    // An admin adds a key: the daemon clears the cache on every provider change.
    await putProvider('local', 'sk-added-later')
    keys.clear()
    expect(keys.peek('local')).toBeUndefined()
    expect(await keys.get('local')).toBe('sk-added-later')
  })

  it('does not remember an unknown provider', async () => {
    const keys = new ProviderKeys(store, vault)
    expect(await keys.get('nope')).toBeNull()
    expect(keys.peek('nope')).toBeUndefined()
  })

  it('stops answering from memory once the vault is locked', async () => {
    await putProvider('p1', 'sk-live-one')
    await putProvider('local', null)
    const keys = new ProviderKeys(store, vault)
    await keys.get('p1')
    await keys.get('local')
    vault.lock()
    expect(keys.peek('p1')).toBeUndefined()
    const error = await keys.get('p1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TokenHubError)
    expect((error as TokenHubError).code).toBe('VAULT_LOCKED')
    // A provider without a key is still usable.
    expect(keys.peek('local')).toBeNull()
  })

  it('keeps one list of known keys for scrubbing until a key is added or the cache cleared', async () => {
    await putProvider('p1', 'sk-live-one')
    await putProvider('p2', 'sk-live-two')
    const keys = new ProviderKeys(store, vault)
    await keys.get('p1')
    const first = keys.known()
    expect(keys.known()).toBe(first)
    await keys.get('p2')
    expect(keys.known()).toEqual(['sk-live-one', 'sk-live-two'])
    keys.clear()
    expect(keys.known()).toEqual([])
  })
})

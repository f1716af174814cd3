import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AliasAdmin} from '../../src/admin/aliases.js'
import type {AdminChange, AdminContext} from '../../src/admin/context.js'
import {ModelAdmin} from '../../src/admin/models.js'
import {ProviderAdmin} from '../../src/admin/providers.js'
import {TokenHubError} from '../../src/core/errors.js'
import {ConfigStore} from '../../src/store/config-store.js'
import type {Vault} from '../../src/vault/vault.js'
import {tempDir} from '../helpers/paths.js'

let dir: {path: string; cleanup: () => Promise<void>}
let store: ConfigStore
let changes: AdminChange[]
let providers: ProviderAdmin
let models: ModelAdmin
let aliases: AliasAdmin

beforeEach(async () => {
  dir = await tempDir()
  store = await ConfigStore.open({dataDir: dir.path})
  changes = []
  const ctx: AdminContext = {store, vault: {} as Vault, now: () => new Date('2026-01-02T03:04:05.000Z'), onChange: (change) => changes.push(change)}
  providers = new ProviderAdmin(ctx)
  models = new ModelAdmin(ctx)
  aliases = new AliasAdmin(ctx)
  await providers.create({id: 'pa', type: 'openai', base_url: 'http://127.0.0.1:1'})
})
afterEach(async () => {
  await store.flush()
  await dir.cleanup()
})

/** The VALIDATION or CONFLICT error a call throws. */
async function refusal(call: Promise<unknown>): Promise<TokenHubError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TokenHubError)
  return error as TokenHubError
}

describe('model pricing_source', () => {
  it('is derived, never taken from the client: an unpriced model stays unpriced, a priced one stays priced', async () => {
    const {model} = await models.create({id: 'x1', provider_id: 'pa', pricing_source: 'manual'})
    expect(model.pricing_source).toBe('unpriced')
    expect((await models.patch('x1', {pricing_source: 'manual'})).pricing_source).toBe('unpriced')
    await models.create({id: 'm-a', provider_id: 'pa', input_per_1k: 0.001, output_per_1k: 0.002, pricing_source: 'unpriced'})
    expect(models.get('m-a').pricing_source).toBe('manual')
    expect((await models.patch('m-a', {pricing_source: '\u0000evil'})).pricing_source).toBe('manual')
    expect((await models.patch('m-a', {pricing_source: 'unpriced', weight: 3})).pricing_source).toBe('manual')
  })

  it('becomes manual once a price is set (0 for a free model), but not when a GET result is sent back unchanged', async () => {
    await models.create({id: 'x1', provider_id: 'pa'})
    const {id: _id, created_at: _c, updated_at: _u, ...resent} = models.get('x1')
    expect((await models.patch('x1', {...resent, weight: 2})).pricing_source).toBe('unpriced')
    expect((await models.patch('x1', {input_per_1k: 0, output_per_1k: 0})).pricing_source).toBe('manual')
    await models.create({id: 'gpt-4o', provider_id: 'pa'})
    const {id: _id2, created_at: _c2, updated_at: _u2, ...catalogResent} = models.get('gpt-4o')
    expect((await models.patch('gpt-4o', catalogResent)).pricing_source).toBe('catalog')
    expect((await models.patch('gpt-4o', {...catalogResent, output_per_1k: 0.02})).pricing_source).toBe('manual')
  })
})

describe('model create with one price', () => {
  it('takes the other price from the catalog for a known model', async () => {
    const a = await models.create({id: 'gpt-4o-mini', provider_id: 'pa', input_per_1k: 0.0002})
    expect(a.model).toMatchObject({input_per_1k: 0.0002, output_per_1k: 0.0006, pricing_source: 'manual'})
    expect(a.warnings).toEqual([])
    const b = await models.create({id: 'mini-x', upstream_model: 'gpt-4o-mini', provider_id: 'pa', output_per_1k: 0.001})
    expect(b.model).toMatchObject({input_per_1k: 0.00015, output_per_1k: 0.001})
    expect(b.warnings).toEqual([])
  })

  it('warns that the other price is $0 for an unknown model (not for an embedding model\'s output)', async () => {
    const a = await models.create({id: 'local-a', provider_id: 'pa', input_per_1k: 0.001, max_context_tokens: 8192})
    expect(a.model).toMatchObject({input_per_1k: 0.001, output_per_1k: 0})
    expect(a.warnings).toEqual([expect.stringMatching(/^output_per_1k not given .*\$0/)])
    const b = await models.create({id: 'local-b', provider_id: 'pa', output_per_1k: 0.001, max_context_tokens: 8192})
    expect(b.warnings).toEqual([expect.stringMatching(/^input_per_1k not given .*\$0/)])
    const c = await models.create({id: 'local-embed', kind: 'embedding', provider_id: 'pa', input_per_1k: 0.0001, max_context_tokens: 8192})
    expect(c.model.output_per_1k).toBe(0)
    expect(c.warnings).toEqual([])
  })
})

describe('embedding models and anthropic providers', () => {
  it('refuses to make a provider with embedding models anthropic (409 naming them); other changes go through', async () => {
    await models.create({id: 'emb-1', provider_id: 'pa', kind: 'embedding', input_per_1k: 0.0001, output_per_1k: 0})
    const error = await refusal(providers.patch('pa', {type: 'anthropic'}))
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toContain('emb-1')
    expect(store.data.providers.pa.type).toBe('openai')
    expect((await providers.patch('pa', {type: 'vllm'})).type).toBe('vllm')
    await models.delete('emb-1')
    expect((await providers.patch('pa', {type: 'anthropic'})).type).toBe('anthropic')
  })

  it('lets a model left unservable be disabled and edited; moving one there is still refused', async () => {
    await models.create({id: 'emb-1', provider_id: 'pa', kind: 'embedding', input_per_1k: 0.0001, output_per_1k: 0})
    // The state an older daemon let a provider type change leave behind.
    await store.update((doc) => {
      doc.providers.pa.type = 'anthropic'
    })
    expect((await models.setEnabled('emb-1', false)).enabled).toBe(false)
    expect((await models.patch('emb-1', {weight: 3})).weight).toBe(3)
    expect((await refusal(models.patch('emb-1', {kind: 'embedding'}))).code).toBe('VALIDATION')
    await models.create({id: 'chat-1', provider_id: 'pa', input_per_1k: 0.001, output_per_1k: 0.001, max_context_tokens: 8192})
    expect((await refusal(models.patch('chat-1', {kind: 'embedding'}))).code).toBe('VALIDATION')
  })
})

describe('a GET result sent back', () => {
  it('PUTs an alias back, and PATCHes a provider and a model back, read-only fields ignored', async () => {
    await models.create({id: 'm-a', provider_id: 'pa', input_per_1k: 0.001, output_per_1k: 0.002, max_context_tokens: 8192})
    const alias = (await aliases.set('x', {variants: [{model_id: 'm-a'}]})).alias
    expect((await aliases.set('x', JSON.parse(JSON.stringify({...alias, enabled: false})))).alias).toMatchObject({name: 'x', enabled: false, created_at: alias.created_at})

    const provider = providers.get('pa')
    expect(provider).toMatchObject({cred_store: 'none', model_count: 1})
    expect(await providers.patch('pa', {...provider, enabled: false})).toMatchObject({id: 'pa', enabled: false, model_count: 1})
    expect(store.data.providers.pa).not.toHaveProperty('cred_store')
    expect((await providers.create({id: 'gox', type: 'openai', base_url: 'http://127.0.0.1:2', cred_store: 'none'})).id).toBe('gox')

    const model = models.get('m-a')
    const patched = await models.patch('m-a', {...model, created_at: '1999-01-01T00:00:00.000Z', updated_at: 'x', weight: 9})
    expect(patched).toMatchObject({id: 'm-a', weight: 9, created_at: model.created_at, pricing_source: 'manual'})
    expect((await models.create({id: 'm-b', provider_id: 'pa', max_context_tokens: 8192, input_per_1k: 0, output_per_1k: 0, created_at: 'x'})).model.created_at).toBe('2026-01-02T03:04:05.000Z')
  })

  it('refuses a body whose id is not the path\'s', async () => {
    await models.create({id: 'm-a', provider_id: 'pa', input_per_1k: 0.001, output_per_1k: 0.002, max_context_tokens: 8192})
    expect((await refusal(models.patch('m-a', {id: 'm-b', weight: 1}))).message).toContain('path says "m-a"')
    expect((await refusal(providers.patch('pa', {id: 'pb'}))).message).toContain('path says "pa"')
    expect(models.get('m-a').weight).toBe(5)
  })
})

describe('create or update (POST, TokenHub\'s upsert)', () => {
  /** A vault that encrypts after a turn of the event loop, as age does (so two calls interleave), to a new ciphertext each time. */
  let sealed = 0
  function slowVault(locked = true): Vault {
    return {
      locked,
      encryptSecret: async (plain: string) => {
        await new Promise((resolve) => setImmediate(resolve))
        return `enc:${++sealed}:${plain}`
      },
      decryptSecret: async (cipher: string) => cipher.replace(/^enc:\d+:/, ''),
    } as unknown as Vault
  }

  it('two concurrent POSTs of a new id both succeed: the one that saves first creates, the other updates', async () => {
    const racing = new ProviderAdmin({store, vault: slowVault(), now: () => new Date('2026-01-02T03:04:05.000Z'), onChange: (change) => changes.push(change)})
    const body = {id: 'race', type: 'openai', base_url: 'http://127.0.0.1:3', api_key: 'sk-1'}
    const [a, b] = await Promise.all([racing.upsert(body), racing.upsert({...body, base_url: 'http://127.0.0.1:4'})])
    expect([a.created, b.created]).toEqual([true, false])
    expect(b.changed).toEqual(['api_key', 'base_url'])
    expect(store.data.providers.race.base_url).toBe('http://127.0.0.1:4')
    expect(changes.filter((c) => c.id === 'race').map((c) => c.action)).toEqual(['create', 'update'])
  })

  it('an unlocked vault tells the same key: no change; a locked one cannot: the key is replaced', async () => {
    const now = () => new Date('2026-01-02T03:04:05.000Z')
    const unlocked = new ProviderAdmin({store, vault: slowVault(false), now, onChange: () => {}})
    await unlocked.upsert({id: 'k', type: 'openai', base_url: 'http://127.0.0.1:3', api_key: 'sk-1'})
    expect((await unlocked.upsert({id: 'k', type: 'openai', base_url: 'http://127.0.0.1:3', api_key: 'sk-1'})).changed).toEqual([])
    expect((await unlocked.upsert({id: 'k', type: 'openai', base_url: 'http://127.0.0.1:3', api_key: 'sk-2'})).changed).toEqual(['api_key'])
    const locked = new ProviderAdmin({store, vault: slowVault(true), now, onChange: () => {}})
    expect((await locked.upsert({id: 'k', type: 'openai', base_url: 'http://127.0.0.1:3', api_key: 'sk-2'})).changed).toEqual(['api_key'])
    expect((await locked.upsert({id: 'k', type: 'openai', base_url: 'http://127.0.0.1:3'})).changed).toEqual([])
    expect(store.data.providers.k.api_key_enc).toMatch(/^enc:\d+:sk-2$/)
  })

  it('a model: fields left out keep their values; the audit detail names the changed fields', async () => {
    await models.upsert({id: 'm', provider_id: 'pa', max_context_tokens: 8192, input_per_1k: 0.001, output_per_1k: 0.002})
    await models.patch('m', {enabled: false, upstream_model: 'm-upstream'})
    const updated = await models.upsert({id: 'm', provider_id: 'pa', weight: 2})
    expect(updated).toMatchObject({created: false, changed: ['weight']})
    expect(updated.value.model).toMatchObject({weight: 2, enabled: false, upstream_model: 'm-upstream', input_per_1k: 0.001, max_context_tokens: 8192})
    expect(changes.at(-1)).toMatchObject({resource: 'model', action: 'update', id: 'm', changed: ['weight'], detail: 'POST on an existing id (upsert); changed: weight'})
    // A PATCH is audited as before, without the upsert detail.
    await models.patch('m', {weight: 3})
    expect(changes.at(-1)).not.toHaveProperty('detail')
  })
})

import {readdir, readFile, stat} from 'node:fs/promises'
import {rawRequest} from '../helpers/http.js'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {startFakeUpstream, type FakeUpstream} from '../helpers/fake-upstream.js'

const VAULT_PASSWORD = 'vault-canary-pw-7f3a'
const PROVIDER_KEY = 'sk-canary-provider-key-91bd2c'
const ANTHROPIC_KEY = 'sk-ant-canary-key-4e5f60'

let daemon: TestDaemon
let openai: FakeUpstream
let anthropic: FakeUpstream

beforeAll(async () => {
  ;[daemon, openai, anthropic] = await Promise.all([
    startTestDaemon(),
    startFakeUpstream({apiKey: PROVIDER_KEY, models: ['gpt-4o', 'gpt-4o-mini', 'o3-mini']}),
    startFakeUpstream({apiKey: ANTHROPIC_KEY, flavor: 'anthropic'}),
  ])
})
afterAll(async () => {
  await daemon?.cleanup()
  await openai?.close()
  await anthropic?.close()
})

/** A raw request, for bodies and headers fetch would not send. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<{status: number; body: string}> {
  return rawRequest(`${daemon.url}${path}`, method, {authorization: `Bearer ${daemon.adminToken}`, ...headers}, body)
}

describe('admin authentication', () => {
  it.each([
    ['no header', {}],
    ['a wrong token', {authorization: 'Bearer wrong-token-0123456789'}],
    ['a non-bearer scheme', {authorization: 'Basic abc'}],
  ])('answers 401 AUTH_INVALID for %s', async (_label, headers) => {
    const response = await fetch(`${daemon.url}/admin/v1/providers`, {headers})
    expect(response.status).toBe(401)
    const body = await response.json()
    expect(body.error.code).toBe('AUTH_INVALID')
    expect(typeof body.error.message).toBe('string')
  })

  it('guards unknown admin paths too, and 404s them with the token', async () => {
    expect((await fetch(`${daemon.url}/admin/v1/nope`)).status).toBe(401)
    const response = await daemon.admin('GET', '/admin/v1/nope')
    expect(response.status).toBe(404)
    expect(response.body.error.code).toBe('NOT_FOUND')
  })

  it('sends a request id with every response', async () => {
    const response = await daemon.admin('GET', '/admin/v1/info')
    expect(response.headers.get('x-tokenhub-request-id')).toMatch(/^[0-9a-f]{16}$/)
  })
})

describe('bad request bodies', () => {
  it('answers malformed JSON with 400 VALIDATION', async () => {
    const response = await daemon.admin('POST', '/admin/v1/providers', '{"id": "x",')
    expect(response.status).toBe(400)
    expect(response.body.error.code).toBe('VALIDATION')
    expect(response.body.error.message).toMatch(/malformed JSON/)
  })

  it('answers an empty body with 400', async () => {
    const response = await raw('POST', '/admin/v1/models', {'content-type': 'application/json', 'content-length': '0'})
    expect(response.status).toBe(400)
    expect(JSON.parse(response.body).error.message).toContain('empty')
  })

  it('names an unknown field', async () => {
    const response = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'typo', monthly_budget: 5})
    expect(response.status).toBe(400)
    expect(response.body.error.message).toContain('monthly_budget')
    expect(response.body.error.issues).toEqual([{path: 'monthly_budget', message: 'unknown field "monthly_budget"'}])
  })

  it('answers an oversized body with a JSON 413 without storing anything', async () => {
    const body = Buffer.alloc(32 * 1024 * 1024 + 1, 0x20)
    const big = await daemon.admin('POST', '/admin/v1/providers', body)
    expect(big.status).toBe(413)
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200)
  })

  it('reads chunked bodies (never as empty), within the same limit', async () => {
    const chunked = await raw('POST', '/admin/v1/providers', {'content-type': 'application/json', 'transfer-encoding': 'chunked'}, '{"id":"chunky","type":"vllm","base_url":"http://127.0.0.1:9"}')
    expect(chunked.status).toBe(201)
    expect((await daemon.admin('GET', '/admin/v1/providers/chunky')).body.base_url).toBe('http://127.0.0.1:9')
    await daemon.admin('DELETE', '/admin/v1/providers/chunky')
    const empty = await raw('POST', '/admin/v1/providers', {'content-type': 'application/json', 'transfer-encoding': 'chunked'}, '')
    expect(empty.status).toBe(400)
    const huge = await raw('POST', '/admin/v1/providers', {'content-type': 'application/json', 'transfer-encoding': 'chunked'}, Buffer.alloc(33 * 1024 * 1024, 0x20))
    expect(huge.status).toBe(413)
    expect(JSON.parse(huge.body).error.code).toBe('PAYLOAD_TOO_LARGE')
  })
})

describe('vault', () => {
  it('reports an uninitialised, locked vault, then initialises on the first unlock', async () => {
    expect((await daemon.admin('GET', '/admin/v1/info')).body).toMatchObject({vault_locked: true, vault_initialized: false})
    const short = await daemon.admin('POST', '/admin/v1/vault/unlock', {password: 'short'})
    expect(short.status).toBe(400)
    const first = await daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ok: true, initialized: true, vault_locked: false, vault_initialized: true})
  })

  it('locks; a wrong password gets 401 and the vault stays locked; TokenHub\'s admin_password field works', async () => {
    expect((await daemon.admin('POST', '/admin/v1/vault/lock')).body).toMatchObject({vault_locked: true})
    const wrong = await daemon.admin('POST', '/admin/v1/vault/unlock', {password: 'definitely-wrong'})
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.code).toBe('VAULT_PASSWORD_INVALID')
    expect((await daemon.admin('GET', '/admin/v1/info')).body.vault_locked).toBe(true)
    expect((await fetch(`${daemon.url}/healthz`).then((r) => r.json())).vault_locked).toBe(true)
    const right = await daemon.admin('POST', '/admin/v1/vault/unlock', {admin_password: VAULT_PASSWORD})
    expect(right.status).toBe(200)
    expect(right.body.vault_locked).toBe(false)
  })

  it('rotation with a wrong old password is 401 and changes nothing', async () => {
    const wrong = await daemon.admin('POST', '/admin/v1/vault/rotate', {old_password: 'not-it-at-all', new_password: 'another-password'})
    expect(wrong.status).toBe(401)
    await daemon.admin('POST', '/admin/v1/vault/lock')
    expect((await daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})).status).toBe(200)
  })
})

describe('providers', () => {
  it('adds a provider with a key, never returns the key, and lists it', async () => {
    const created = await daemon.admin('POST', '/admin/v1/providers', {id: 'openai', type: 'openai', base_url: `${openai.url}/v1/`, api_key: PROVIDER_KEY})
    expect(created.status).toBe(201)
    expect(created.body.provider).toMatchObject({id: 'openai', type: 'openai', base_url: openai.url, enabled: true, has_api_key: true, cred_store: 'vault'})
    expect(JSON.stringify(created.body)).not.toContain(PROVIDER_KEY)
    const list = await daemon.admin('GET', '/admin/v1/providers')
    expect(list.body).toMatchObject({total: 1, limit: 500, offset: 0})
    expect(list.body.items[0].id).toBe('openai')
    expect(JSON.stringify(list.body)).not.toContain(PROVIDER_KEY)
  })

  it('updates an existing id (TokenHub\'s upsert; 409 only with create_only=true), refuses bad types and non-http URLs (400)', async () => {
    const again = await daemon.admin('POST', '/admin/v1/providers', {id: 'openai', type: 'openai', base_url: openai.url})
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({created: false, changed: [], provider: {has_api_key: true}})
    const duplicate = await daemon.admin('POST', '/admin/v1/providers?create_only=true', {id: 'openai', type: 'openai', base_url: openai.url})
    expect(duplicate.status).toBe(409)
    expect(duplicate.body.error.code).toBe('CONFLICT')
    expect((await daemon.admin('POST', '/admin/v1/providers', {id: 'x', type: 'gemini', base_url: openai.url})).status).toBe(400)
    const ftp = await daemon.admin('POST', '/admin/v1/providers', {id: 'x', type: 'openai', base_url: 'ftp://example.com'})
    expect(ftp.status).toBe(400)
    expect(ftp.body.error.message).toContain('base_url')
  })

  it('adds a key while the vault is locked, but discovery then needs an unlock (503 VAULT_LOCKED)', async () => {
    await daemon.admin('POST', '/admin/v1/vault/lock')
    const created = await daemon.admin('POST', '/admin/v1/providers', {id: 'anthropic', type: 'anthropic', base_url: anthropic.url, api_key: ANTHROPIC_KEY})
    expect(created.status).toBe(201)
    const locked = await daemon.admin('GET', '/admin/v1/providers/anthropic/discover')
    expect(locked.status).toBe(503)
    expect(locked.body.error.code).toBe('VAULT_LOCKED')
    expect(locked.body.error.suggestion).toContain('vault unlock')
    await daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})
  })

  it('discovers models with the stored key, in both dialects', async () => {
    const found = await daemon.admin('GET', '/admin/v1/providers/openai/discover')
    expect(found.status).toBe(200)
    expect(found.body).toEqual({
      provider_id: 'openai',
      models: [
        {id: 'gpt-4o', owned_by: 'openai', registered: false},
        {id: 'gpt-4o-mini', owned_by: 'openai', registered: false},
        {id: 'o3-mini', owned_by: 'openai', registered: false},
      ],
    })
    expect(openai.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`)
    const claude = await daemon.admin('GET', '/admin/v1/providers/anthropic/discover')
    expect(claude.status).toBe(200)
    expect(claude.body.models.map((m: {id: string}) => m.id)).toEqual(['claude-sonnet-4-5', 'claude-haiku-4-5'])
    expect(anthropic.requests.at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_KEY)
  })

  it('edits only the fields given; a new key replaces the old one', async () => {
    const edited = await daemon.admin('PATCH', '/admin/v1/providers/anthropic', {enabled: false})
    expect(edited.status).toBe(200)
    expect(edited.body.provider).toMatchObject({enabled: false, has_api_key: true, base_url: anthropic.url})
    await daemon.admin('PATCH', '/admin/v1/providers/anthropic', {api_key: 'sk-ant-wrong-key-000', enabled: true})
    const rejected = await daemon.admin('GET', '/admin/v1/providers/anthropic/discover')
    expect(rejected.status).toBe(502)
    expect(rejected.body.error.code).toBe('UPSTREAM_ERROR')
    expect(rejected.body.error.message).toContain('HTTP 401')
    // The upstream quotes the key it was sent; it must not reach the client.
    expect(rejected.body.error.message).not.toContain('sk-ant-wrong-key-000')
    await daemon.admin('PATCH', '/admin/v1/providers/anthropic', {api_key: ANTHROPIC_KEY})
    expect((await daemon.admin('GET', '/admin/v1/providers/anthropic/discover')).status).toBe(200)
  })

  it('reports an unreachable upstream as 502 with the cause', async () => {
    await daemon.admin('POST', '/admin/v1/providers', {id: 'dead', type: 'vllm', base_url: 'http://127.0.0.1:1'})
    const response = await daemon.admin('GET', '/admin/v1/providers/dead/discover')
    expect(response.status).toBe(502)
    expect(response.body.error.code).toBe('UPSTREAM_UNREACHABLE')
    expect(response.body.error.message).toContain('ECONNREFUSED')
  })

  it('does not follow upstream redirects', async () => {
    openai.override = {status: 302, headers: {location: 'http://169.254.169.254/latest/meta-data'}}
    try {
      const response = await daemon.admin('GET', '/admin/v1/providers/openai/discover')
      expect(response.status).toBe(502)
      expect(response.body.error.message).toContain('redirect')
    } finally {
      openai.override = null
    }
  })

  it('404s unknown providers on every verb', async () => {
    for (const [method, path] of [
      ['GET', '/admin/v1/providers/ghost'],
      ['PATCH', '/admin/v1/providers/ghost'],
      ['DELETE', '/admin/v1/providers/ghost'],
      ['GET', '/admin/v1/providers/ghost/discover'],
    ]) {
      const response = await daemon.admin(method, path, method === 'PATCH' ? {enabled: true} : undefined)
      expect(response.status, `${method} ${path}`).toBe(404)
      expect(response.body.error.code).toBe('NOT_FOUND')
    }
  })
})

describe('models', () => {
  it('adds models, including ids with slashes, and fills known ones from the catalog', async () => {
    const gpt = await daemon.admin('POST', '/admin/v1/models', {id: 'gpt-4o', provider_id: 'openai', weight: 8})
    expect(gpt.status).toBe(201)
    expect(gpt.body.model).toMatchObject({id: 'gpt-4o', weight: 8, max_context_tokens: 128000, input_per_1k: 0.0025, output_per_1k: 0.01, pricing_source: 'catalog', enabled: true})
    // A dated upstream snapshot is priced as its model, whether the upstream id or the gateway id names it.
    for (const [id, upstream] of [['gpt-4o-dated', 'gpt-4o-2024-08-06'], ['gpt-4o-mini', 'gpt-4o-mini-20990101-custom']] as const) {
      const dated = await daemon.admin('POST', '/admin/v1/models', {id, provider_id: 'openai', upstream_model: upstream})
      expect(dated.body.model.pricing_source, id).toBe('catalog')
      await daemon.admin('DELETE', `/admin/v1/models/${id}`)
    }
    const qwen = await daemon.admin('POST', '/admin/v1/models', {
      id: 'Qwen/Qwen2.5-Coder-32B-Instruct',
      provider_id: 'dead',
      weight: 4,
      max_context_tokens: 32768,
      input_per_1k: 0,
      output_per_1k: 0,
      enabled: true,
    })
    expect(qwen.status).toBe(201)
    expect(qwen.body.warnings).toEqual([])
    expect((await daemon.admin('GET', '/admin/v1/models/Qwen/Qwen2.5-Coder-32B-Instruct')).body.id).toBe('Qwen/Qwen2.5-Coder-32B-Instruct')
    expect((await daemon.admin('GET', '/admin/v1/models/Qwen%2FQwen2.5-Coder-32B-Instruct')).body.weight).toBe(4)
  })

  it('decodes percent-encoded ids in every path (a 404 names the id as sent), and malformed encoding is a 400', async () => {
    expect((await daemon.admin('GET', '/admin/v1/providers/%64ead')).body.id).toBe('dead')
    const missing = await daemon.admin('PATCH', '/admin/v1/providers/a%20b', {enabled: false})
    expect(missing.status).toBe(404)
    expect(missing.body.error.message).toBe('provider "a b" not found')
    for (const path of ['/admin/v1/providers/%E0%A4%A', '/admin/v1/models/bad%zz', '/admin/v1/aliases/%', '/admin/v1/apikeys/%C0']) {
      const malformed = await daemon.admin('GET', path)
      expect(malformed.status, path).toBe(400)
      expect(malformed.body.error.message, path).toContain('percent-encoding')
    }
  })

  it('warns about an unpriced model', async () => {
    const response = await daemon.admin('POST', '/admin/v1/models', {id: 'mystery-model', provider_id: 'dead'})
    expect(response.body.model.pricing_source).toBe('unpriced')
    expect(response.body.warnings.join(' ')).toContain('not in the model catalog')
  })

  it('refuses an unknown provider_id (400), a duplicate id with create_only=true (409; else an update) and a bad weight (400)', async () => {
    const unknown = await daemon.admin('POST', '/admin/v1/models', {id: 'm1', provider_id: 'nope'})
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toContain('provider_id')
    expect((await daemon.admin('POST', '/admin/v1/models?create_only=true', {id: 'gpt-4o', provider_id: 'openai'})).status).toBe(409)
    expect((await daemon.admin('POST', '/admin/v1/models', {id: 'gpt-4o', provider_id: 'openai'})).body).toMatchObject({created: false, changed: []})
    expect((await daemon.admin('POST', '/admin/v1/models', {id: 'm2', provider_id: 'openai', weight: 11})).status).toBe(400)
  })

  it('edits, disables, filters and deletes a model with a slash in its id', async () => {
    const edited = await daemon.admin('PATCH', '/admin/v1/models/Qwen/Qwen2.5-Coder-32B-Instruct', {weight: 9, enabled: false})
    expect(edited.body.model).toMatchObject({weight: 9, enabled: false, max_context_tokens: 32768})
    const enabled = await daemon.admin('GET', '/admin/v1/models?enabled=true')
    expect(enabled.body.items.map((m: {id: string}) => m.id)).not.toContain('Qwen/Qwen2.5-Coder-32B-Instruct')
    const byProvider = await daemon.admin('GET', '/admin/v1/models?provider_id=openai')
    expect(byProvider.body.items.map((m: {id: string}) => m.id)).toEqual(['gpt-4o'])
    expect((await daemon.admin('PATCH', '/admin/v1/models/gpt-4o', {provider_id: 'nope'})).status).toBe(400)
    expect((await daemon.admin('DELETE', '/admin/v1/models/Qwen/Qwen2.5-Coder-32B-Instruct')).status).toBe(200)
    expect((await daemon.admin('GET', '/admin/v1/models/Qwen/Qwen2.5-Coder-32B-Instruct')).status).toBe(404)
    expect((await daemon.admin('DELETE', '/admin/v1/models/Qwen/Qwen2.5-Coder-32B-Instruct')).status).toBe(404)
  })

  it('discovery marks registered models', async () => {
    const found = await daemon.admin('GET', '/admin/v1/providers/openai/discover')
    expect(found.body.models.find((m: {id: string}) => m.id === 'gpt-4o').registered).toBe(true)
  })

  it('refuses to delete a provider with models unless cascade=true', async () => {
    const refused = await daemon.admin('DELETE', '/admin/v1/providers/dead')
    expect(refused.status).toBe(409)
    expect(refused.body.error.models).toEqual(['mystery-model'])
    // Aliases never keep pointing at a model that is gone: its variants go, and an alias left empty goes too.
    await daemon.admin('PUT', '/admin/v1/aliases/mixed', {variants: [{model_id: 'mystery-model', weight: 1}, {model_id: 'gpt-4o', weight: 2}]})
    await daemon.admin('PUT', '/admin/v1/aliases/only-mystery', {variants: [{model_id: 'mystery-model', weight: 1}]})
    const cascaded = await daemon.admin('DELETE', '/admin/v1/providers/dead?cascade=true')
    expect(cascaded.body).toEqual({ok: true, id: 'dead', deleted_models: ['mystery-model'], updated_aliases: ['mixed'], deleted_aliases: ['only-mystery']})
    expect((await daemon.admin('GET', '/admin/v1/models/mystery-model')).status).toBe(404)
    expect((await daemon.admin('GET', '/admin/v1/aliases/mixed')).body.variants).toEqual([{model_id: 'gpt-4o', weight: 2}])
    expect((await daemon.admin('GET', '/admin/v1/aliases/only-mystery')).status).toBe(404)
    await daemon.admin('DELETE', '/admin/v1/aliases/mixed')
  })

  it('deleting a model drops it from the aliases that name it', async () => {
    await daemon.admin('POST', '/admin/v1/models', {id: 'short-lived', provider_id: 'openai', input_per_1k: 0, output_per_1k: 0})
    await daemon.admin('PUT', '/admin/v1/aliases/pair', {variants: [{model_id: 'short-lived', weight: 1}, {model_id: 'gpt-4o', weight: 1}]})
    const deleted = await daemon.admin('DELETE', '/admin/v1/models/short-lived')
    expect(deleted.body).toEqual({ok: true, id: 'short-lived', updated_aliases: ['pair'], deleted_aliases: []})
    expect((await daemon.admin('GET', '/admin/v1/aliases/pair')).body.variants).toEqual([{model_id: 'gpt-4o', weight: 1}])
    const audit = await daemon.admin('GET', '/admin/v1/audit?resource=alias&limit=1')
    expect(audit.body.logs[0]).toMatchObject({action: 'alias.update', resource: 'alias', resource_id: 'pair'})
    await daemon.admin('DELETE', '/admin/v1/aliases/pair')
  })
})

describe('routing config', () => {
  it('starts from the daemon defaults and merges changes', async () => {
    expect((await daemon.admin('GET', '/admin/v1/routing-config')).body).toEqual({default_mode: 'normal', default_max_budget_usd: 0, default_max_latency_ms: 0})
    const set = await daemon.admin('PUT', '/admin/v1/routing-config', {default_mode: 'cheap', default_max_budget_usd: 0.02, default_max_latency_ms: 10000})
    expect(set.body).toEqual({ok: true, default_mode: 'cheap', default_max_budget_usd: 0.02, default_max_latency_ms: 10000})
    await daemon.admin('PUT', '/admin/v1/routing-config', {default_mode: 'high_confidence'})
    expect((await daemon.admin('GET', '/admin/v1/routing-config')).body).toEqual({default_mode: 'high_confidence', default_max_budget_usd: 0.02, default_max_latency_ms: 10000})
  })

  it.each([
    [{default_mode: 'turbo'}, 'default_mode'],
    [{default_max_budget_usd: -1}, 'default_max_budget_usd'],
    [{default_max_latency_ms: 1.5}, 'default_max_latency_ms'],
    [{default_max_latency: 100}, 'default_max_latency'],
  ])('refuses %j', async (body, field) => {
    const response = await daemon.admin('PUT', '/admin/v1/routing-config', body)
    expect(response.status).toBe(400)
    expect(response.body.error.message).toContain(field)
  })
})

describe('API keys', () => {
  let created: any

  it('creates a th- key with 256 random bits, shown once', async () => {
    const response = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'prod-app', scopes: '["chat","plan"]', monthly_budget_usd: 50, expires_in: '720h'})
    expect(response.status).toBe(201)
    created = response.body
    expect(created.key).toMatch(/^th-[A-Za-z0-9_-]{43}$/)
    expect(created).toMatchObject({ok: true, name: 'prod-app', scopes: ['chat', 'plan'], monthly_budget_usd: 50, status: 'active', key_prefix: created.key.slice(0, 11)})
    expect(created.warning).toContain('only time')
    expect(Date.parse(created.expires_at) - Date.now()).toBeGreaterThan(719 * 3_600_000)
    expect(created.key_hash).toBeUndefined()
  })

  it('lists keys without secrets', async () => {
    const list = await daemon.admin('GET', '/admin/v1/apikeys')
    expect(list.body.total).toBe(1)
    expect(list.body.keys[0]).toMatchObject({id: created.id, name: 'prod-app', key_prefix: created.key_prefix, status: 'active', last_used_at: null})
    expect(JSON.stringify(list.body)).not.toContain(created.key)
    expect((await daemon.admin('GET', `/admin/v1/apikeys/${created.id}`)).body.name).toBe('prod-app')
  })

  it('edits only what is named', async () => {
    const edited = await daemon.admin('PATCH', `/admin/v1/apikeys/${created.id}`, {monthly_budget_usd: 100, allowed_models: ['gpt-4o']})
    expect(edited.body.api_key).toMatchObject({monthly_budget_usd: 100, allowed_models: ['gpt-4o'], name: 'prod-app', scopes: ['chat', 'plan']})
    expect((await daemon.admin('PATCH', `/admin/v1/apikeys/${created.id}`, {scopes: ['root']})).status).toBe(400)
    expect((await daemon.admin('PATCH', `/admin/v1/apikeys/${created.id}`, {expires_at: '2001-01-01T00:00:00Z'})).status).toBe(400)
    for (const [body, field] of [[{allowed_models: []}, 'allowed_models'], [{allowed_providers: []}, 'allowed_providers'], [{name: '   '}, 'name']] as const) {
      const refused = await daemon.admin('PATCH', `/admin/v1/apikeys/${created.id}`, body)
      expect(refused.status).toBe(400)
      expect(refused.body.error.message).toContain(`${field}: `)
    }
    const empty = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'nothing-allowed', allowed_models: []})
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toContain('allowed_models: must list at least one')
  })

  it('rotates: new secret, same settings', async () => {
    const rotated = await daemon.admin('POST', `/admin/v1/apikeys/${created.id}/rotate`)
    expect(rotated.status).toBe(200)
    expect(rotated.body.key).not.toBe(created.key)
    expect(rotated.body).toMatchObject({id: created.id, monthly_budget_usd: 100, allowed_models: ['gpt-4o']})
    expect(rotated.body.rotated_at).not.toBeNull()
  })

  it('concurrent rotations of one key: exactly one is told the new secret (200), and it works; the others get 409 CONFLICT', async () => {
    const key = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'rotated-at-once'})
    const answers = await Promise.all(Array.from({length: 4}, () => daemon.admin('POST', `/admin/v1/apikeys/${key.body.id}/rotate`)))
    const winners = answers.filter((a) => a.status === 200)
    expect(winners).toHaveLength(1)
    for (const loser of answers.filter((a) => a.status !== 200)) {
      expect(loser.status).toBe(409)
      expect(loser.body.error.code).toBe('CONFLICT')
    }
    const models = await fetch(`${daemon.url}/v1/models`, {headers: {authorization: `Bearer ${winners[0].body.key}`}})
    expect(models.status).toBe(200)
    // Once it is saved, the next rotation goes ahead.
    expect((await daemon.admin('POST', `/admin/v1/apikeys/${key.body.id}/rotate`)).status).toBe(200)
    await daemon.admin('DELETE', `/admin/v1/apikeys/${key.body.id}`)
  })

  it('warns when a key\'s restrictions name models or providers that are not registered (a typo leaves it nothing)', async () => {
    const typo = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'typo', allowed_models: ['gpt-4o', 'gtp-4o'], allowed_providers: ['opneai']})
    expect(typo.status).toBe(201)
    expect(typo.body.warnings).toEqual([expect.stringContaining('"gtp-4o", not registered'), expect.stringContaining('"opneai", not registered')])
    const fixed = await daemon.admin('PATCH', `/admin/v1/apikeys/${typo.body.id}`, {allowed_models: ['gpt-4o'], allowed_providers: null})
    expect(fixed.body.warnings).toEqual([])
    await daemon.admin('DELETE', `/admin/v1/apikeys/${typo.body.id}`)
  })

  it('rotating a disabled or expired key says the new secret is refused until that changes', async () => {
    const disabled = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'off', enabled: false})
    const rotated = await daemon.admin('POST', `/admin/v1/apikeys/${disabled.body.id}/rotate`)
    expect(rotated.status).toBe(200)
    expect(rotated.body.warning).toContain('This key is disabled')
    const expiring = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'brief', expires_in: '1s'})
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const late = await daemon.admin('POST', `/admin/v1/apikeys/${expiring.body.id}/rotate`)
    expect(late.body.warning).toContain('This key expired at')
    expect(late.body.warning).toContain(`tokenhub apikey edit ${expiring.body.id} --expires-in`)
    expect(rotated.body.warning).not.toContain('expired')
  })

  it('revokes on DELETE and refuses to rotate a revoked key', async () => {
    const revoked = await daemon.admin('DELETE', `/admin/v1/apikeys/${created.id}`)
    expect(revoked.body.api_key.status).toBe('revoked')
    // Off for good: the detail and the list do not call it enabled.
    expect(revoked.body.api_key.enabled).toBe(false)
    expect((await daemon.admin('GET', `/admin/v1/apikeys/${created.id}`)).body.enabled).toBe(false)
    expect((await daemon.admin('POST', `/admin/v1/apikeys/${created.id}/rotate`)).status).toBe(400)
    expect((await daemon.admin('DELETE', '/admin/v1/apikeys/nope')).status).toBe(404)
  })

  it('pages the key list (limit/offset, total), and a key created between pages shows up at once', async () => {
    const ids = async (query: string) => {
      const response = await daemon.admin('GET', `/admin/v1/apikeys?${query}`)
      expect(response.status).toBe(200)
      return {ids: response.body.keys.map((k: {id: string}) => k.id) as string[], total: response.body.total as number}
    }
    const before = await ids('limit=1')
    expect(before.ids).toHaveLength(1)
    const made: string[] = []
    for (let i = 0; i < 3; i++) made.push((await daemon.admin('POST', '/admin/v1/apikeys', {name: `page-${i}`})).body.id)
    const all = await ids('limit=5000')
    expect(all.total).toBe(before.total + 3)
    expect(all.ids).toEqual(expect.arrayContaining([...made, created.id]))
    const [one, two, rest] = [await ids('limit=2&offset=0'), await ids('limit=2&offset=2'), await ids('offset=4')]
    expect([...one.ids, ...two.ids, ...rest.ids]).toEqual(all.ids)
    expect((await ids('offset=100')).ids).toEqual([])
    expect((await daemon.admin('GET', '/admin/v1/info')).body.api_keys).toBe(all.total)
    expect((await daemon.admin('GET', '/admin/v1/apikeys?limit=-1')).status).toBe(400)
  })

  it('validates create payloads', async () => {
    for (const body of [{}, {name: ''}, {name: 'x', expires_in: 'soon'}, {name: 'x', expires_in: '1h', expires_at: '2099-01-01T00:00:00Z'}, {name: 'x', monthly_budget_usd: -5}]) {
      const response = await daemon.admin('POST', '/admin/v1/apikeys', body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.body.error.code).toBe('VALIDATION')
    }
  })
})

describe('persistence and secrets at rest', () => {
  it('keeps everything across a restart, and no secret is on disk in plaintext', async () => {
    const key = (await daemon.admin('POST', '/admin/v1/apikeys', {name: 'restart-check'})).body.key as string
    expect(await daemon.stop()).toBe(0)
    for (const name of await readdir(daemon.dataDir, {recursive: true})) {
      const path = join(daemon.dataDir, name)
      if ((await stat(path)).isDirectory()) continue
      const content = await readFile(path)
      for (const secret of [PROVIDER_KEY, ANTHROPIC_KEY, VAULT_PASSWORD, key]) {
        expect(content.includes(Buffer.from(secret)), `${secret} found in ${name}`).toBe(false)
      }
    }
    daemon = await startTestDaemon({dataDir: daemon.dataDir})
    const providers = await daemon.admin('GET', '/admin/v1/providers')
    expect(providers.body.items.map((p: {id: string}) => p.id)).toEqual(['openai', 'anthropic'])
    expect((await daemon.admin('GET', '/admin/v1/models')).body.items.map((m: {id: string}) => m.id)).toEqual(['gpt-4o'])
    expect((await daemon.admin('GET', '/admin/v1/routing-config')).body.default_mode).toBe('high_confidence')
    expect((await daemon.admin('GET', '/admin/v1/apikeys')).body.total).toBe(9) // prod-app, rotated-at-once, typo, off, brief, 3 paging keys, restart-check
    expect((await daemon.admin('GET', '/admin/v1/info')).body).toMatchObject({vault_locked: true, vault_initialized: true})
    expect((await daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})).status).toBe(200)
    expect((await daemon.admin('GET', '/admin/v1/providers/openai/discover')).status).toBe(200)
  })

  it('rotates the admin token: the old one fails at once, the new one survives a restart', async () => {
    const old = daemon.adminToken
    const rotated = await daemon.admin('POST', '/admin/v1/admin-token/rotate', {token: 'a-brand-new-admin-token-0001'})
    expect(rotated.body).toEqual({ok: true, token: 'a-brand-new-admin-token-0001'})
    expect((await fetch(`${daemon.url}/admin/v1/info`, {headers: {authorization: `Bearer ${old}`}})).status).toBe(401)
    daemon.adminToken = 'a-brand-new-admin-token-0001'
    expect((await daemon.admin('GET', '/admin/v1/info')).status).toBe(200)
    expect((await daemon.admin('POST', '/admin/v1/admin-token/rotate', {token: 'short'})).status).toBe(400)
    await daemon.stop()
    daemon = await startTestDaemon({dataDir: daemon.dataDir})
    expect(daemon.adminToken).toBe('a-brand-new-admin-token-0001')
    expect((await daemon.admin('GET', '/admin/v1/info')).status).toBe(200)
    const random = await daemon.admin('POST', '/admin/v1/admin-token/rotate')
    expect(random.body.token).toMatch(/^[0-9a-f]{64}$/)
  })
})

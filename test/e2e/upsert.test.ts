import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {json, runCli} from '../helpers/cli.js'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {startFakeUpstream, type FakeUpstream} from '../helpers/fake-upstream.js'
import {tempDir} from '../helpers/paths.js'

/**
 * POST /admin/v1/providers and /models (and `provider add` / `model add`) create or update, as
 * TokenHub's (Go) do, so a provisioning script can run again; an update changes what the body
 * names and keeps the rest, a stored API key first of all.
 */

const KEY = 'sk-upsert-canary-key-3c4d5e'
const OTHER_KEY = 'sk-upsert-other-key-6f7a8b'
const VAULT_PASSWORD = 'upsert-vault-pw-1'

let daemon: TestDaemon
let upstream: FakeUpstream
let configDir: {path: string; cleanup: () => Promise<void>}
let env: Record<string, string>

const cli = (args: string[], input?: string) => runCli(args, {input, env})

beforeAll(async () => {
  ;[daemon, upstream, configDir] = await Promise.all([startTestDaemon(), startFakeUpstream({apiKey: KEY, models: ['gpt-4o']}), tempDir()])
  env = {...daemon.cliEnv, TOKENHUB_CONFIG_DIR: configDir.path, TOKENHUB_DATA_DIR: daemon.dataDir}
})
afterAll(async () => {
  await daemon?.cleanup()
  await upstream?.close()
  await configDir?.cleanup()
})

const provider = (extra: Record<string, unknown> = {}) => ({id: 'up', type: 'openai', base_url: upstream.url, ...extra})
const stored = async (path: string) => (await daemon.admin('GET', path)).body
/** The newest audit records, newest first. */
const audit = async (limit: number) => (await daemon.admin('GET', `/admin/v1/audit?limit=${limit}`)).body.logs as Array<{action: string; resource_id: string; detail?: string}>

describe('providers: POST on an existing id updates it', () => {
  it('before the vault has a password: a key is refused (409) on create and on update, and nothing of the body is applied', async () => {
    const keyed = await daemon.admin('POST', '/admin/v1/providers', provider({api_key: KEY}))
    expect(keyed.status).toBe(409)
    expect(keyed.body.error.code).toBe('VAULT_NOT_INITIALIZED')
    expect((await daemon.admin('POST', '/admin/v1/providers', provider())).status).toBe(201)
    const update = await daemon.admin('POST', '/admin/v1/providers', provider({base_url: 'http://127.0.0.1:9', api_key: KEY}))
    expect(update.status).toBe(409)
    expect(update.body.error.code).toBe('VAULT_NOT_INITIALIZED')
    expect(await stored('/admin/v1/providers/up')).toMatchObject({base_url: upstream.url, has_api_key: false})
    expect((await daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})).status).toBe(200)
  })

  it('201 when it creates, 200 when it updates, with Go\'s cred_store; the same body again changes nothing (updated_at too) and is audited as such', async () => {
    const created = await daemon.admin('POST', '/admin/v1/providers', {id: 'up2', type: 'openai', base_url: upstream.url, api_key: KEY})
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ok: true, created: true, cred_store: 'vault', provider: {id: 'up2', has_api_key: true}})
    expect(created.body.changed).toBeUndefined()

    const keyed = await daemon.admin('POST', '/admin/v1/providers', provider({api_key: KEY}))
    expect(keyed.status).toBe(200)
    expect(keyed.body).toMatchObject({ok: true, created: false, changed: ['api_key'], cred_store: 'vault', provider: {id: 'up', has_api_key: true}})
    expect(JSON.stringify(keyed.body)).not.toContain(KEY)
    const before = await stored('/admin/v1/providers/up')

    const again = await daemon.admin('POST', '/admin/v1/providers', provider({api_key: KEY}))
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({created: false, changed: []})
    expect(await stored('/admin/v1/providers/up')).toEqual(before)

    const [newest, previous] = await audit(2)
    expect(newest).toMatchObject({action: 'provider.update', resource_id: 'up', detail: 'POST on an existing id (upsert); nothing changed'})
    expect(previous).toMatchObject({action: 'provider.update', resource_id: 'up', detail: 'POST on an existing id (upsert); changed: api_key'})
    expect((await audit(10)).find((a) => a.resource_id === 'up2')).toMatchObject({action: 'provider.create'})
    expect(JSON.stringify(await audit(20))).not.toContain(KEY)
  })

  it('a body without api_key keeps the stored key (discovery still authenticates) and changes only what it names', async () => {
    await daemon.admin('PATCH', '/admin/v1/providers/up', {enabled: false})
    const moved = await daemon.admin('POST', '/admin/v1/providers', provider({base_url: `${upstream.url}/v1/`}))
    expect(moved.status).toBe(200)
    // The same URL once normalized: no change; enabled, left out, stays false.
    expect(moved.body).toMatchObject({changed: [], provider: {has_api_key: true, enabled: false}})
    const enabled = await daemon.admin('POST', '/admin/v1/providers', provider({enabled: true}))
    expect(enabled.body.changed).toEqual(['enabled'])
    const found = await daemon.admin('GET', '/admin/v1/providers/up/discover')
    expect(found.status).toBe(200)
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('a key sent while the vault is locked replaces the stored one (it cannot tell whether it is the same); unlocked, the same key is no change', async () => {
    await daemon.admin('POST', '/admin/v1/vault/lock')
    const locked = await daemon.admin('POST', '/admin/v1/providers', provider({api_key: OTHER_KEY}))
    expect(locked.status).toBe(200)
    expect(locked.body).toMatchObject({changed: ['api_key'], provider: {has_api_key: true}})
    await daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})
    const rejected = await daemon.admin('GET', '/admin/v1/providers/up/discover')
    expect(rejected.status).toBe(502)
    expect(rejected.body.error.message).toContain('HTTP 401')
    expect((await daemon.admin('POST', '/admin/v1/providers', provider({api_key: KEY}))).body.changed).toEqual(['api_key'])
    expect((await daemon.admin('POST', '/admin/v1/providers', provider({api_key: KEY}))).body.changed).toEqual([])
    expect((await daemon.admin('GET', '/admin/v1/providers/up/discover')).status).toBe(200)
  })

  it('checks the body as a create and as a PATCH: every refusal leaves the provider as it was', async () => {
    await daemon.admin('POST', '/admin/v1/models', {id: 'embed-up', provider_id: 'up', kind: 'embedding', input_per_1k: 0, output_per_1k: 0, max_context_tokens: 8192})
    const before = await stored('/admin/v1/providers/up')
    const refusals: Array<[string, unknown, number, string]> = [
      ['malformed JSON', '{"id":"up",', 400, 'VALIDATION'],
      ['no type (a create needs it, the id existing or not)', {id: 'up', base_url: upstream.url}, 400, 'VALIDATION'],
      ['an unknown field', provider({base_url: 'http://127.0.0.1:9', colour: 'red'}), 400, 'VALIDATION'],
      ['a key of null (removing one is PATCH api_key: null)', provider({api_key: null}), 400, 'VALIDATION'],
      ['an empty key', provider({api_key: ''}), 400, 'VALIDATION'],
      ['a URL with credentials', provider({base_url: 'http://user:pw@127.0.0.1:9'}), 400, 'VALIDATION'],
      ['anthropic while it has an embedding model (the PATCH rule)', provider({type: 'anthropic'}), 409, 'CONFLICT'],
    ]
    for (const [label, body, status, code] of refusals) {
      const response = await daemon.admin('POST', '/admin/v1/providers', body)
      expect(response.status, label).toBe(status)
      expect(response.body.error.code, label).toBe(code)
      expect(await stored('/admin/v1/providers/up'), label).toEqual(before)
    }
    await daemon.admin('DELETE', '/admin/v1/models/embed-up')
  })

  it('?create_only=true keeps the strict create: 409 on an existing id, 201 on a new one; another value is a 400', async () => {
    const strict = await daemon.admin('POST', '/admin/v1/providers?create_only=true', provider({base_url: 'http://127.0.0.1:9'}))
    expect(strict.status).toBe(409)
    expect(strict.body.error.code).toBe('CONFLICT')
    expect((await stored('/admin/v1/providers/up')).base_url).toBe(upstream.url)
    const fresh = await daemon.admin('POST', '/admin/v1/providers?create_only=true', {id: 'up3', type: 'vllm', base_url: 'http://127.0.0.1:9'})
    expect(fresh.status).toBe(201)
    expect(fresh.body).toMatchObject({created: true, cred_store: 'none'})
    expect((await daemon.admin('POST', '/admin/v1/providers?create_only=maybe', provider())).status).toBe(400)
  })

  it('two concurrent POSTs of a new id: one creates (201), the other updates (200); neither fails', async () => {
    const body = {id: 'race', type: 'openai', base_url: upstream.url, api_key: KEY}
    const answers = await Promise.all([daemon.admin('POST', '/admin/v1/providers', body), daemon.admin('POST', '/admin/v1/providers', body)])
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201])
    expect(await stored('/admin/v1/providers/race')).toMatchObject({has_api_key: true})
  })
})

describe('models: POST on an existing id updates it', () => {
  it('creates with catalog defaults and warnings (201), then changes only the fields given (200)', async () => {
    const created = await daemon.admin('POST', '/admin/v1/models', {id: 'Org/model-x', provider_id: 'up', max_context_tokens: 16384})
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({created: true, model: {weight: 5, pricing_source: 'unpriced', enabled: true}})
    expect(created.body.warnings.join(' ')).toContain('no price given')
    await daemon.admin('PATCH', '/admin/v1/models/Org/model-x', {enabled: false, upstream_model: 'model-x-upstream'})

    const priced = await daemon.admin('POST', '/admin/v1/models', {id: 'Org/model-x', provider_id: 'up', weight: 7, input_per_1k: 0.001, output_per_1k: 0.002})
    expect(priced.status).toBe(200)
    expect(priced.body).toMatchObject({ok: true, created: false, warnings: []})
    expect(priced.body.changed).toEqual(['input_per_1k', 'output_per_1k', 'pricing_source', 'weight'])
    // Left out: kept (TokenHub reset them to zero values, a model it was sent without "enabled" got disabled).
    expect(priced.body.model).toMatchObject({weight: 7, max_context_tokens: 16384, enabled: false, upstream_model: 'model-x-upstream', pricing_source: 'manual'})

    const again = await daemon.admin('POST', '/admin/v1/models', {id: 'Org/model-x', provider_id: 'up', weight: 7, input_per_1k: 0.001, output_per_1k: 0.002})
    expect(again.body).toMatchObject({created: false, changed: []})
    expect(again.body.model.updated_at).toBe(priced.body.model.updated_at)
    expect(await audit(2)).toMatchObject([
      {action: 'model.update', resource_id: 'Org/model-x', detail: 'POST on an existing id (upsert); nothing changed'},
      {action: 'model.update', resource_id: 'Org/model-x', detail: 'POST on an existing id (upsert); changed: input_per_1k, output_per_1k, pricing_source, weight'},
    ])
  })

  it('a model as GET shows it (nulls included) goes back as is: an export re-applied changes nothing; a new one is created from it', async () => {
    const created = await daemon.admin('POST', '/admin/v1/models', {id: 'plain-x', provider_id: 'up', max_context_tokens: 8000, input_per_1k: 0.001, output_per_1k: 0.002})
    expect(created.status).toBe(201)
    const record = await stored('/admin/v1/models/plain-x')
    expect(record).toMatchObject({upstream_model: null, max_output_tokens: null})
    const again = await daemon.admin('POST', '/admin/v1/models', record)
    expect(again.status).toBe(200)
    expect(again.body.changed).toEqual([])
    const copy = await daemon.admin('POST', '/admin/v1/models', {...record, id: 'plain-y'})
    expect(copy.status).toBe(201)
    expect(copy.body.model).toMatchObject({upstream_model: null, max_output_tokens: null, max_context_tokens: 8000})
  })

  it('checks the body as a create and as a PATCH: every refusal leaves the model as it was', async () => {
    await daemon.admin('POST', '/admin/v1/providers', {id: 'anth', type: 'anthropic', base_url: 'http://127.0.0.1:9'})
    const before = await stored('/admin/v1/models/Org/model-x')
    const refusals: Array<[string, unknown, number]> = [
      ['malformed JSON', '{"id":"Org/model-x"', 400],
      ['no provider_id', {id: 'Org/model-x', weight: 3}, 400],
      ['an unknown provider', {id: 'Org/model-x', provider_id: 'ghost'}, 400],
      ['weight 11', {id: 'Org/model-x', provider_id: 'up', weight: 11}, 400],
      ['a negative price', {id: 'Org/model-x', provider_id: 'up', input_per_1k: -1}, 400],
      ['an unknown field', {id: 'Org/model-x', provider_id: 'up', gemma4_output: true}, 400],
      ['an embedding model on an anthropic provider', {id: 'Org/model-x', provider_id: 'anth', kind: 'embedding'}, 400],
    ]
    for (const [label, body, status] of refusals) {
      const response = await daemon.admin('POST', '/admin/v1/models', body)
      expect(response.status, label).toBe(status)
      expect(await stored('/admin/v1/models/Org/model-x'), label).toEqual(before)
    }
  })

  it('an alias of that name is still a 409 (the model would take its requests); create_only=true is the strict create', async () => {
    await daemon.admin('PUT', '/admin/v1/aliases/fast', {variants: [{model_id: 'Org/model-x', weight: 1}]})
    const shadow = await daemon.admin('POST', '/admin/v1/models', {id: 'fast', provider_id: 'up'})
    expect(shadow.status).toBe(409)
    expect(shadow.body.error.message).toContain('is an alias')
    const strict = await daemon.admin('POST', '/admin/v1/models?create_only=true', {id: 'Org/model-x', provider_id: 'up', weight: 1})
    expect(strict.status).toBe(409)
    expect(strict.body.error.code).toBe('CONFLICT')
    expect((await stored('/admin/v1/models/Org/model-x')).weight).toBe(7)
  })
})

describe('provider add / model add (the tokenhubctl form) run twice', () => {
  it('both runs exit 0 and say what happened; --json carries created and changed', async () => {
    const body = JSON.stringify({id: 'ci', type: 'openai', base_url: upstream.url, api_key: KEY})
    const first = await cli(['provider', 'add', body])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('Provider ci created.')
    const second = await cli(['provider', 'add', body])
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('Provider ci exists with these settings; nothing changed.')
    const moved = await cli(['provider', 'add', JSON.stringify({id: 'ci', type: 'openai', base_url: 'http://127.0.0.1:9'}), '--json'])
    expect(moved.code).toBe(0)
    expect(json(moved)).toMatchObject({ok: true, created: false, changed: ['base_url'], cred_store: 'vault', provider: {has_api_key: true}})
    expect(moved.stdout).not.toContain(KEY)

    const model = JSON.stringify({id: 'gpt-4o', provider_id: 'ci', weight: 8, max_context_tokens: 128000, input_per_1k: 0.0025, output_per_1k: 0.01, enabled: true})
    expect((await cli(['model', 'add', model])).stdout).toContain('Model gpt-4o created.')
    const rerun = await cli(['model', 'add', model])
    expect(rerun.code).toBe(0)
    expect(rerun.stdout).toContain('Model gpt-4o exists with these settings; nothing changed.')
    const flags = await cli(['model', 'add', '--id', 'gpt-4o', '--provider', 'ci', '--weight', '9'])
    expect(flags.code).toBe(0)
    expect(flags.stdout).toContain('Model gpt-4o existed and was updated (changed: weight).')
  })

  it('--create-only fails on an existing id (exit 1, CONFLICT) and changes nothing', async () => {
    const refused = await cli(['provider', 'add', '--id', 'ci', '--type', 'vllm', '--base-url', 'http://127.0.0.1:8', '--create-only'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('already exists')
    const asJson = await cli(['model', 'add', '--id', 'gpt-4o', '--provider', 'ci', '--weight', '1', '--create-only', '--json'])
    expect(asJson.code).toBe(1)
    expect(json(asJson).error.code).toBe('CONFLICT')
    expect(await stored('/admin/v1/providers/ci')).toMatchObject({type: 'openai', base_url: 'http://127.0.0.1:9'})
    expect((await stored('/admin/v1/models/gpt-4o')).weight).toBe(9)
  })

  it('a key piped in while the vault is locked goes in; bad input is refused with the usual exit codes', async () => {
    await daemon.admin('POST', '/admin/v1/vault/lock')
    try {
      const locked = await cli(['provider', 'add', '--id', 'ci', '--type', 'openai', '--base-url', upstream.url, '--api-key-stdin', '--json'], OTHER_KEY)
      expect(locked.code).toBe(0)
      expect(json(locked)).toMatchObject({created: false, changed: ['api_key', 'base_url']})
      // The human form says why the key counts as changed (the same key sent again would too).
      const again = await cli(['provider', 'add', '--id', 'ci', '--type', 'openai', '--base-url', upstream.url, '--api-key-stdin'], OTHER_KEY)
      expect(again.code).toBe(0)
      expect(again.stdout).toContain('changed: api_key')
      expect(again.stderr).toContain('only while the vault is unlocked')
    } finally {
      await daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})
    }
    const malformed = await cli(['provider', 'add', '{"id":"ci",'])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain('malformed')
    const unknownProvider = await cli(['model', 'add', '{"id":"gpt-4o","provider_id":"ghost"}'])
    expect(unknownProvider.code).toBe(1)
    expect(unknownProvider.stderr).toContain('provider "ghost" does not exist')
    const badWeight = await cli(['model', 'add', '{"id":"gpt-4o","provider_id":"ci","weight":11}', '--json'])
    expect(badWeight.code).toBe(1)
    expect(json(badWeight).error.code).toBe('VALIDATION')
    expect((await stored('/admin/v1/models/gpt-4o')).weight).toBe(9)
  })
})

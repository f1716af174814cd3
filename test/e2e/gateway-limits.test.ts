import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestDaemon} from '../helpers/daemon.js'
import {startGatewayFixture, VAULT_PASSWORD, type GatewayFixture} from '../helpers/gateway-fixture.js'

let fx: GatewayFixture

beforeAll(async () => {
  fx = await startGatewayFixture()
  await fx.addModel({id: 'embed-shapes', provider_id: 'oa', upstream_model: 'text-embedding-3-small', kind: 'embedding', input_per_1k: 0.00002, output_per_1k: 0})
})
afterAll(() => fx?.close())

const clientFor = (key: string) => new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
const ask = (client: OpenAI, model = 'strong-gpt') => client.chat.completions.create({model, messages: [{role: 'user', content: 'hello'}]})

async function raw(path: string, headers: Record<string, string>, body: string) {
  const response = await fetch(`${fx.daemon.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body})
  return {status: response.status, body: await response.json()}
}

describe('API key checks on /v1', () => {
  it('401 for a missing, unknown, revoked or expired key, in the endpoint dialect', async () => {
    const missing = await raw('/v1/chat/completions', {}, JSON.stringify({model: 'strong-gpt', messages: [{role: 'user', content: 'x'}]}))
    expect(missing.status).toBe(401)
    expect(missing.body.error).toMatchObject({type: 'authentication_error', code: 'AUTH_INVALID'})
    await expect(ask(clientFor('th-unknown-key-00000000000000000000'))).rejects.toMatchObject({status: 401})
    const anthropicShape = await raw('/v1/messages', {'x-api-key': 'th-nope'}, JSON.stringify({model: 'claude', max_tokens: 5, messages: [{role: 'user', content: 'x'}]}))
    expect(anthropicShape).toMatchObject({status: 401, body: {type: 'error', error: {type: 'authentication_error'}}})

    const {key, id} = await fx.newKey()
    const client = clientFor(key)
    await ask(client)
    await fx.daemon.admin('DELETE', `/admin/v1/apikeys/${id}`)
    const revoked = await ask(client).catch((e) => e)
    expect(revoked.status).toBe(401)
    expect(revoked.message).toContain('revoked')

    const expiring = await fx.newKey({expires_in: '1s'})
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const expired = await ask(clientFor(expiring.key)).catch((e) => e)
    expect(expired.status).toBe(401)
    expect(expired.message).toContain('expired')
  })

  it('a rotated key stops working at once and the new one works', async () => {
    const {key, id} = await fx.newKey()
    const rotated = await fx.daemon.admin('POST', `/admin/v1/apikeys/${id}/rotate`)
    await expect(ask(clientFor(key))).rejects.toMatchObject({status: 401})
    expect((await ask(clientFor(rotated.body.key))).choices[0].message.content).toBe('echo: hello')
  })

  it('403 for a missing scope or a model the key may not use', async () => {
    const embeddingsOnly = await fx.newKey({scopes: ['embeddings']})
    const scope = await ask(clientFor(embeddingsOnly.key)).catch((e) => e)
    expect(scope.status).toBe(403)
    expect(scope.error.code).toBe('FORBIDDEN')
    const limited = await fx.newKey({allowed_models: ['cheap-gpt']})
    await expect(ask(clientFor(limited.key), 'strong-gpt')).rejects.toMatchObject({status: 403})
    const auto = await clientFor(limited.key).chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'x'}], ...{tokenhub: {mode: 'high_confidence'}}}).withResponse()
    expect(auto.response.headers.get('x-tokenhub-model')).toBe('cheap-gpt')
    const providerLimited = await fx.newKey({allowed_providers: ['an']})
    await expect(ask(clientFor(providerLimited.key), 'strong-gpt')).rejects.toMatchObject({status: 403})
    // auto for embeddings with a key whose models serve none: a 403 saying so, not a 503 the SDKs retry in vain.
    const both = await fx.newKey({scopes: ['chat', 'embeddings'], allowed_models: ['cheap-gpt']})
    const noEmbedder = await clientFor(both.key).embeddings.create({model: 'auto', input: 'x'}).catch((e) => e)
    expect(noEmbedder.status).toBe(403)
    expect(noEmbedder.error).toMatchObject({code: 'FORBIDDEN', message: expect.stringContaining('may use no model that can take this request'), requested_model: 'auto'})
  })

  it('400 for malformed JSON and wrong shapes, 404 for an unknown model', async () => {
    const {key: brokenClient, id: brokenId} = await fx.newKey({name: 'broken-client'})
    const broken = await raw('/v1/chat/completions', {authorization: `Bearer ${brokenClient}`}, '{"model": ')
    const wrongShape = await raw('/v1/messages', {'x-api-key': brokenClient}, JSON.stringify({model: 'claude', messages: [{role: 'user', content: 'x'}]}))
    const envelope = await raw('/v1/chat', {authorization: `Bearer ${brokenClient}`}, JSON.stringify({policy: {}}))
    expect([broken.status, wrongShape.status, envelope.status]).toEqual([400, 400, 400])
    // Refused before the gateway could route them, and still recorded: logs (with the model asked for, when the body parsed), events, /metrics.
    const logs = (await fx.daemon.admin('GET', `/admin/v1/logs?api_key_id=${brokenId}`)).body.logs
    expect(logs.map((l: {endpoint: string; status_code: number; error_class: string; requested_model: string}) => [l.endpoint, l.status_code, l.error_class, l.requested_model])).toEqual([
      ['/v1/chat', 400, 'VALIDATION', 'auto'],
      ['/v1/messages', 400, 'VALIDATION', 'claude'],
      ['/v1/chat/completions', 400, 'VALIDATION', 'auto'],
    ])
    const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text()
    expect(metrics).toMatch(/tokenhub_request_errors_total\{[^}]*error_class="VALIDATION"[^}]*\} [1-9]/)

    const malformed = await raw('/v1/chat/completions', {authorization: `Bearer ${fx.key}`}, '{"model": ')
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.type).toBe('invalid_request_error')
    const noMessages = await raw('/v1/chat/completions', {authorization: `Bearer ${fx.key}`}, JSON.stringify({model: 'strong-gpt'}))
    expect(noMessages.status).toBe(400)
    expect(noMessages.body.error.message).toContain('messages')
    const badMessage = await raw('/v1/chat/completions', {authorization: `Bearer ${fx.key}`}, JSON.stringify({messages: ['hi']}))
    expect(badMessage.body.error.message).toContain('messages[0]')
    const unknown = await ask(clientFor(fx.key), 'gpt-99').catch((e) => e)
    expect(unknown.status).toBe(404)
    expect(unknown.message).toContain('gpt-99')
  })
})

describe('embeddings input and completions prompt shapes', () => {
  const post = (path: string, body: Record<string, unknown>) => raw(path, {authorization: `Bearer ${fx.key}`}, JSON.stringify(body))

  it.each([
    ['/v1/embeddings', 'input', {}, 'input'],
    ['/v1/embeddings', 'input', true, 'input'],
    ['/v1/embeddings', 'input', 5, 'input'],
    ['/v1/embeddings', 'input', [], 'input'],
    ['/v1/embeddings', 'input', [null], 'input[0]'],
    ['/v1/embeddings', 'input', [1.5], 'input[0]'],
    ['/v1/embeddings', 'input', [1, -2], 'input[1]'],
    ['/v1/embeddings', 'input', ['a', 1], 'input[1]'],
    ['/v1/embeddings', 'input', [[1, 'a']], 'input[0][1]'],
    ['/v1/embeddings', 'input', [['a']], 'input[0][0]'],
    ['/v1/embeddings', 'input', [[1], []], 'input[1]'],
    ['/v1/completions', 'prompt', undefined, 'prompt'],
    ['/v1/completions', 'prompt', 123, 'prompt'],
    ['/v1/completions', 'prompt', {a: 1}, 'prompt'],
    ['/v1/completions', 'prompt', [null], 'prompt[0]'],
    ['/v1/completions', 'prompt', [[-1]], 'prompt[0][0]'],
    ['/v1/completions', 'prompt', [1.5], 'prompt[0]'],
  ])('%s refuses %s %j with 400 VALIDATION naming %s, before any upstream call', async (path, field, value, param) => {
    const before = fx.openai.requests.length
    const response = await post(path, {model: path === '/v1/embeddings' ? 'embed-shapes' : 'cheap-gpt', [field]: value})
    expect(response.status).toBe(400)
    expect(response.body.error).toMatchObject({type: 'invalid_request_error', param})
    expect(response.body.error.message).toMatch(new RegExp(`^${param.replace(/[[\]]/g, '\\$&')}: `))
    expect(fx.openai.requests.length).toBe(before)
  })

  it.each([
    [{dimensions: 'abc'}, 'dimensions'],
    [{dimensions: 0}, 'dimensions'],
    [{dimensions: -3}, 'dimensions'],
    [{dimensions: 1.5}, 'dimensions'],
    [{encoding_format: 'bogus'}, 'encoding_format'],
  ])('/v1/embeddings refuses %j', async (extra, param) => {
    const response = await post('/v1/embeddings', {model: 'embed-shapes', input: 'a', ...extra})
    expect(response.status).toBe(400)
    expect(response.body.error.param).toBe(param)
  })

  it('accepts a string, strings, token ids and arrays of token ids (and dimensions, encoding_format)', async () => {
    for (const input of ['a', ['a', 'b'], [1, 2, 0], [[1, 2], [3]]]) {
      expect((await post('/v1/embeddings', {model: 'embed-shapes', input, dimensions: 8, encoding_format: 'float'})).status).toBe(200)
      expect((await post('/v1/completions', {model: 'cheap-gpt', prompt: input, max_tokens: 5})).status).toBe(200)
    }
  })
})

describe('budgets', () => {
  it('refuses with 429 once the month\'s spend reaches the budget, with budget and spend in the body, across restarts', async () => {
    // strong-gpt: 11 input + 2 output tokens = (11*0.005 + 2*0.015)/1000 = $0.000085 per call.
    const {key, id} = await fx.newKey({monthly_budget_usd: 0.0001})
    const client = clientFor(key)
    await ask(client)
    await ask(client)
    const refused = await ask(client).catch((e) => e)
    expect(refused.status).toBe(429)
    expect(refused.error).toMatchObject({code: 'BUDGET_EXCEEDED', monthly_budget_usd: 0.0001, spend_usd: expect.any(Number)})
    expect(refused.error.spend_usd).toBeGreaterThanOrEqual(0.0001)
    // Spent for the month: OpenAI's insufficient_quota, and Retry-After at the next UTC month.
    expect(refused.error).toMatchObject({type: 'insufficient_quota', reason: 'spent'})
    const now = new Date()
    const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)
    expect(Number(refused.headers.get('retry-after'))).toBeCloseTo((nextMonth - Date.now()) / 1000, -1)
    const listed = await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)
    expect(listed.body.current_spend_usd).toBeCloseTo(refused.error.spend_usd, 10)
    expect(listed.body.last_used_at).not.toBeNull()

    expect(await fx.daemon.stop()).toBe(0)
    fx.daemon = await startTestDaemon({dataDir: fx.daemon.dataDir, env: {TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD}})
    const after = await new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'strong-gpt', messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(after.status).toBe(429)
    const logs = await fx.daemon.admin('GET', `/admin/v1/logs?api_key_id=${id}`)
    expect(logs.body.logs.map((l: {status_code: number}) => l.status_code)).toEqual([429, 429, 200, 200])

    await fx.daemon.admin('PATCH', `/admin/v1/apikeys/${id}`, {monthly_budget_usd: 1})
    const raised = await new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'strong-gpt', messages: [{role: 'user', content: 'x'}]})
    expect(raised.choices[0].message.content).toBe('echo: x')
    expect((await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)).body.current_spend_usd).toBeGreaterThan(0.00017)
  })
})

describe('budget edges', () => {
  it('a budget set to the spend shown stops the next request; a refusal is recorded under the mode it asked for', async () => {
    const {key, id} = await fx.newKey({monthly_budget_usd: 1})
    await ask(clientFor(key))
    await ask(clientFor(key), 'cheap-gpt')
    const shown = (await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)).body.current_spend_usd
    expect((await fx.daemon.admin('PATCH', `/admin/v1/apikeys/${id}`, {monthly_budget_usd: shown})).status).toBe(200)
    const refused = await clientFor(key).chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'x'}], ...{tokenhub: {mode: 'cheap'}}}).catch((e) => e)
    expect(refused.status).toBe(429)
    expect(refused.error.code).toBe('BUDGET_EXCEEDED')
    const [last] = (await fx.daemon.admin('GET', `/admin/v1/logs?api_key_id=${id}&limit=1`)).body.logs
    expect(last).toMatchObject({status_code: 429, mode: 'cheap'})
  })

  it('a budget held only by requests in flight is a retryable 429 (rate_limit_error, Retry-After 2)', async () => {
    fx.openai.reset()
    fx.openai.behave('gpt-4o-mini', {hang: true, times: 1})
    // Any request's worst case is more than this budget: one in flight holds all of it.
    const {key, id} = await fx.newKey({monthly_budget_usd: 0.00001})
    const abort = new AbortController()
    const pending = clientFor(key).chat.completions.create({model: 'cheap-gpt', messages: [{role: 'user', content: 'x'}]}, {signal: abort.signal}).catch((e) => e)
    try {
      await waitFor(async () => fx.openai.requests.some((r) => r.json?.model === 'gpt-4o-mini'))
      const refused = await clientFor(key).chat.completions.create({model: 'cheap-gpt', messages: [{role: 'user', content: 'y'}]}).catch((e) => e)
      expect(refused.status).toBe(429)
      expect(refused.error).toMatchObject({code: 'BUDGET_EXCEEDED', type: 'rate_limit_error', reason: 'in_flight', spend_usd: 0})
      expect(refused.headers.get('retry-after')).toBe('2')
    } finally {
      abort.abort()
      await pending
    }
    // The hold is released with the request: the key works again.
    await waitFor(async () => (await ask(clientFor(key), 'cheap-gpt').then(() => true, () => false)))
    expect((await fx.daemon.admin('GET', `/admin/v1/apikeys/${id}`)).body.current_spend_usd).toBeGreaterThan(0)
  })
})

describe('budget holds on failover', () => {
  it('failing over to a dearer model must fit the budget too: it is skipped (over_budget) when it does not', async () => {
    fx.openai.reset()
    fx.openai.behave('gpt-4o-mini', {status: 500})
    await fx.daemon.admin('PUT', '/admin/v1/aliases/cheap-then-dear', {variants: [{model_id: 'cheap-gpt', weight: 1}, {model_id: 'strong-gpt', weight: 0}]})
    // max_tokens 10: cheap-gpt can cost ~$0.00001, strong-gpt ~$0.0002; the budget holds the first, not the second.
    const {key, id} = await fx.newKey({monthly_budget_usd: 0.0001})
    const error = await clientFor(key).chat.completions.create({model: 'cheap-then-dear', max_tokens: 10, messages: [{role: 'user', content: 'x'}]}).catch((e) => e)
    expect(error.status).toBe(502)
    expect(error.error.attempts.map((a: {model_id: string; error_class: string | null}) => [a.model_id, a.error_class])).toEqual([
      ['cheap-gpt', 'transient'],
      ['cheap-gpt', 'transient'],
      ['strong-gpt', 'over_budget'],
    ])
    expect(fx.openai.requests.filter((r) => r.json?.model === 'gpt-4o')).toHaveLength(0)
    // With room in the budget the same failover goes through.
    await fx.daemon.admin('PATCH', `/admin/v1/apikeys/${id}`, {monthly_budget_usd: 1})
    const answer = await clientFor(key).chat.completions.create({model: 'cheap-then-dear', max_tokens: 10, messages: [{role: 'user', content: 'x'}]}).withResponse()
    expect(answer.response.headers.get('x-tokenhub-model')).toBe('strong-gpt')
    fx.openai.reset()
  })
})

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('rate limits', () => {
  it('a request that alone needs more tokens than the key\'s per-minute limit is refused at once, without a Retry-After that could not help', async () => {
    const {key} = await fx.newKey({rate_limit_tpm: 100})
    const response = await fetch(`${fx.daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'strong-gpt', max_tokens: 5000, messages: [{role: 'user', content: 'x'}]}),
    })
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBeNull()
    const body = await response.json()
    expect(body.error).toMatchObject({code: 'RATE_LIMITED', limit: 'tokens', limit_per_minute: 100, request_tokens: expect.any(Number)})
    expect(body.error.message).toContain('more than API key')
    expect(body.error.suggestion).toContain('--rate-limit-tpm')
    // A request that fits is served.
    expect((await clientFor(key).chat.completions.create({model: 'strong-gpt', max_tokens: 20, messages: [{role: 'user', content: 'x'}]})).choices[0].message.content).toBe('echo: x')
    // max_tokens counts as sent: clamped to the model's output cap (Claude Code asks 32000 of any model).
    await fx.addModel({id: 'short-answers', provider_id: 'oa', upstream_model: 'gpt-4o', max_output_tokens: 50, input_per_1k: 0.001, output_per_1k: 0.001})
    const {key: other} = await fx.newKey({rate_limit_tpm: 100})
    expect((await clientFor(other).chat.completions.create({model: 'short-answers', max_tokens: 32000, messages: [{role: 'user', content: 'x'}]})).choices[0].message.content).toBe('echo: x')
  })

  it('429 with Retry-After past the requests-per-minute limit', async () => {
    const {key} = await fx.newKey({rate_limit_rpm: 2})
    const client = clientFor(key)
    await ask(client)
    await ask(client)
    const response = await fetch(`${fx.daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'strong-gpt', messages: [{role: 'user', content: 'x'}]}),
    })
    expect(response.status).toBe(429)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await response.json()).error).toMatchObject({code: 'RATE_LIMITED', limit: 'requests', limit_per_minute: 2})
  })
})

describe('vault', () => {
  it('503 VAULT_LOCKED while the vault is locked, in both dialects; works again after unlock', async () => {
    await fx.daemon.admin('POST', '/admin/v1/vault/lock')
    try {
      const openai = await ask(clientFor(fx.key)).catch((e) => e)
      expect(openai.status).toBe(503)
      expect(openai.error.code).toBe('VAULT_LOCKED')
      const anthropic = await raw('/v1/messages', {'x-api-key': fx.key}, JSON.stringify({model: 'claude', max_tokens: 5, messages: [{role: 'user', content: 'x'}]}))
      expect(anthropic).toMatchObject({status: 503, body: {type: 'error', error: {code: 'VAULT_LOCKED'}}})
      // simulate says what the gateway would do: every provider here has a key, so nothing is chosen
      const simulated = (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {})).body
      expect(simulated).toMatchObject({vault_locked: true, chosen: null})
      expect(simulated.candidates.filter((c: {skip_reason: string}) => c.skip_reason === 'vault_locked').length).toBeGreaterThan(0)
      expect(simulated.candidates.every((c: {rank: number | null}) => c.rank === null)).toBe(true)
    } finally {
      await fx.daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})
    }
    expect((await ask(clientFor(fx.key))).choices[0].message.content).toBe('echo: hello')
    const simulated = (await fx.daemon.admin('POST', '/admin/v1/routing/simulate', {})).body
    expect(simulated.vault_locked).toBe(false)
    expect(simulated.chosen).not.toBeNull()
  })

  it('a lock sent while an unlock checks its password wins; a rotation warns that TOKENHUB_VAULT_PASSWORD must change too', async () => {
    await fx.daemon.admin('POST', '/admin/v1/vault/lock')
    const unlocking = fx.daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await fx.daemon.admin('POST', '/admin/v1/vault/lock')).body).toMatchObject({vault_locked: true})
    const unlocked = await unlocking
    expect(unlocked.status).toBe(409)
    expect(unlocked.body.error.message).toContain('locked while this unlock was in progress')
    expect((await fx.daemon.admin('GET', '/admin/v1/info')).body.vault_locked).toBe(true)
    expect((await fx.daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})).body.vault_locked).toBe(false)

    // This daemon was started with TOKENHUB_VAULT_PASSWORD (the fixture's): its next start needs the new one there.
    const rotated = await fx.daemon.admin('POST', '/admin/v1/vault/rotate', {old_password: VAULT_PASSWORD, new_password: `${VAULT_PASSWORD}-next`})
    expect(rotated.body.warning).toContain('TOKENHUB_VAULT_PASSWORD')
    await fx.daemon.admin('POST', '/admin/v1/vault/rotate', {old_password: `${VAULT_PASSWORD}-next`, new_password: VAULT_PASSWORD})
  })
})

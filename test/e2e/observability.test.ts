import {connect} from 'node:net'
import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import WebSocket from 'ws'
import {startTestDaemon} from '../helpers/daemon.js'
import {startGatewayFixture, VAULT_PASSWORD, type GatewayFixture} from '../helpers/gateway-fixture.js'
import {openSse} from '../helpers/sse.js'

let fx: GatewayFixture
let client: OpenAI

beforeAll(async () => {
  fx = await startGatewayFixture()
  client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
})
afterAll(() => fx?.close())

const auth = () => ({authorization: `Bearer ${fx.daemon.adminToken}`})
const ask = (model = 'strong-gpt') => client.chat.completions.create({model, messages: [{role: 'user', content: 'hello'}]})

describe('health', () => {
  it('forgets a model once it is deleted', async () => {
    await fx.addModel({id: 'fleeting', provider_id: 'oa', weight: 1})
    await ask('fleeting')
    expect((await fx.daemon.admin('GET', '/admin/v1/health')).body.models.map((m: {id: string}) => m.id)).toContain('fleeting')
    await fx.daemon.admin('DELETE', '/admin/v1/models/fleeting')
    expect((await fx.daemon.admin('GET', '/admin/v1/health')).body.models.map((m: {id: string}) => m.id)).not.toContain('fleeting')
  })
})

describe('event stream', () => {
  it('refuses a missing or wrong admin token', async () => {
    expect((await fetch(`${fx.daemon.url}/admin/v1/events`)).status).toBe(401)
    expect((await fetch(`${fx.daemon.url}/admin/v1/events`, {headers: {authorization: 'Bearer nope-nope-nope'}})).status).toBe(401)
  })

  it('sends connected, then each request as an event with an id, in order', async () => {
    const sse = openSse(`${fx.daemon.url}/admin/v1/events`, auth())
    await sse.waitFor((m) => m.some((x) => x.data.type === 'connected'))
    expect(sse.messages[0].data.type).toBe('connected')
    await ask('strong-gpt')
    await ask('cheap-gpt')
    await sse.waitFor(() => sse.events('route_success').length >= 2)
    const events = sse.events('route_success')
    expect(events.map((e) => e.data.model_id)).toEqual(['strong-gpt', 'cheap-gpt'])
    expect(Number(events[1].id)).toBeGreaterThan(Number(events[0].id))
    expect(events[0].data).toMatchObject({status: 200, provider_id: 'oa', input_tokens: 11, output_tokens: 2, id: Number(events[0].id)})
    expect(JSON.stringify(sse.messages)).not.toContain(fx.key)
    sse.close()
  })

  it('replays what a client missed after Last-Event-ID', async () => {
    const first = openSse(`${fx.daemon.url}/admin/v1/events?type=route_success`, auth())
    await first.waitFor((m) => m.length > 0)
    await ask()
    await first.waitFor(() => first.events().length === 1)
    const lastId = first.events()[0].id!
    first.close()
    await ask('claude')
    await ask('cheap-gpt')
    const second = openSse(`${fx.daemon.url}/admin/v1/events?type=route_success`, {...auth(), 'last-event-id': lastId})
    await second.waitFor(() => second.events().length >= 2)
    expect(second.events().map((e) => e.data.model_id)).toEqual(['claude', 'cheap-gpt'])
    expect(second.messages[0].data).toMatchObject({type: 'connected', replayed: 2})
    second.close()
  })

  it('starts with the newest kept events when asked for a backlog (SSE and WebSocket), and refuses a bad one', async () => {
    await ask('claude')
    await ask('strong-gpt')
    await ask('cheap-gpt')
    const sse = openSse(`${fx.daemon.url}/admin/v1/events?type=route_success&backlog=2`, auth())
    await sse.waitFor(() => sse.events('route_success').length >= 2)
    expect(sse.events().map((e) => e.data.model_id)).toEqual(['strong-gpt', 'cheap-gpt'])
    expect(sse.messages[0].data).toMatchObject({type: 'connected', replayed: 2})
    sse.close()

    const ws = new WebSocket(`${fx.daemon.url.replace('http', 'ws')}/admin/v1/ws?type=route_success&backlog=1`, {headers: auth()})
    const received: Array<{type: string; model_id?: string}> = []
    ws.on('message', (data) => received.push(JSON.parse(String(data))))
    const deadline = Date.now() + 5000
    while (received.filter((e) => e.type === 'route_success').length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(received.filter((e) => e.type === 'route_success').map((e) => e.model_id)).toEqual(['cheap-gpt'])
    ws.close()

    for (const bad of ['-1', '2.5', 'many']) {
      const refused = await fetch(`${fx.daemon.url}/admin/v1/events?backlog=${bad}`, {headers: auth()})
      expect(refused.status).toBe(400)
      expect((await refused.json()).error.code).toBe('VALIDATION')
    }
    // A misspelt type would follow nothing, silently: 400 naming it (SSE and WebSocket upgrade alike).
    const typo = await fetch(`${fx.daemon.url}/admin/v1/events?type=route_success,route_eror`, {headers: auth()})
    expect(typo.status).toBe(400)
    expect((await typo.json()).error.message).toContain('unknown event type "route_eror"')
    const wsTypo = new WebSocket(`${fx.daemon.url.replace('http', 'ws')}/admin/v1/ws?type=nope`, {headers: auth()})
    const wsStatus = await new Promise<number>((resolve, reject) => {
      wsTypo.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      wsTypo.on('open', () => reject(new Error('the WebSocket opened')))
      wsTypo.on('error', () => {})
    })
    expect(wsStatus).toBe(400)
  })

  it('publishes admin changes, failovers and budget refusals', async () => {
    const sse = openSse(`${fx.daemon.url}/admin/v1/events`, auth())
    await sse.waitFor((m) => m.length > 0)
    const {id} = await fx.newKey({name: 'evented', monthly_budget_usd: 0.00001})
    await fx.daemon.admin('DELETE', `/admin/v1/apikeys/${id}`)
    await fx.daemon.admin('POST', '/admin/v1/vault/lock')
    await fx.daemon.admin('POST', '/admin/v1/vault/unlock', {password: VAULT_PASSWORD})
    await sse.waitFor(() => sse.events('vault_unlocked').length > 0)
    expect(sse.events().map((e) => e.data.type)).toEqual(expect.arrayContaining(['key_created', 'key_revoked', 'vault_locked', 'vault_unlocked']))
    expect(sse.events('key_created')[0].data).toMatchObject({resource: 'api_key', resource_id: id})
    expect(JSON.stringify(sse.messages)).not.toContain(VAULT_PASSWORD)
    sse.close()
  })

  it('a stalled subscriber does not hold up /v1 requests', async () => {
    // A raw client that subscribes and then never reads a byte.
    const socket = connect(fx.daemon.port, '127.0.0.1')
    socket.write(`GET /admin/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fx.daemon.adminToken}\r\n\r\n`)
    socket.pause()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const results = await Promise.all(Array.from({length: 100}, () => ask('cheap-gpt')))
    expect(results.every((r) => r.choices[0].message.content === 'echo: hello')).toBe(true)
    socket.destroy()
  })

  it('mirrors the stream over a WebSocket for the dashboard', async () => {
    const rejected = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${fx.daemon.url.replace('http', 'ws')}/admin/v1/ws`, {headers: {authorization: 'Bearer wrong-token-000000'}})
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => resolve(101))
    })
    expect(rejected).toBe(401)
    const ws = new WebSocket(`${fx.daemon.url.replace('http', 'ws')}/admin/v1/ws?type=route_success`, {headers: auth()})
    const received: any[] = []
    ws.on('message', (data) => received.push(JSON.parse(String(data))))
    await new Promise((resolve) => ws.once('open', resolve))
    await ask('claude')
    const deadline = Date.now() + 5000
    while (!received.some((e) => e.type === 'route_success') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(received[0].type).toBe('connected')
    expect(received.find((e) => e.type === 'route_success')).toMatchObject({model_id: 'claude', provider_id: 'an'})
    ws.close()
  })
})

describe('stats, time series, audit, rewards, engine, metrics', () => {
  it('stats and the time series add up to what the upstream served', async () => {
    const stats = (await fx.daemon.admin('GET', '/admin/v1/stats?window=1h')).body
    const logs = (await fx.daemon.admin('GET', '/admin/v1/logs?limit=1000')).body.logs as any[]
    const ok = logs.filter((l) => l.status_code === 200)
    expect(stats.total.requests).toBe(logs.length)
    expect(stats.total.tokens_in).toBe(ok.reduce((sum, l) => sum + l.input_tokens, 0))
    expect(stats.total.tokens_out).toBe(ok.reduce((sum, l) => sum + l.output_tokens, 0))
    expect(stats.total.cost_usd).toBeCloseTo(logs.reduce((sum, l) => sum + l.cost_usd, 0), 8)
    expect(stats.by_model['claude'].requests).toBe(logs.filter((l) => l.model_id === 'claude').length)
    expect(stats.by_provider.an.tokens_in).toBe(logs.filter((l) => l.provider_id === 'an').reduce((s, l) => s + l.input_tokens, 0))
    expect(stats.total.p95_ms).toEqual(expect.any(Number))
    const all = (await fx.daemon.admin('GET', '/admin/v1/stats')).body
    expect(Object.keys(all.windows)).toEqual(['1m', '5m', '1h', '24h'])

    const start = Date.now() - 3_600_000
    const cost = (await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=cost&start=${start}&step_ms=60000`)).body
    // An hour back from now, in whole minutes: 60 steps, or 61 when now is not on a minute boundary.
    expect(cost.points.length).toBeGreaterThanOrEqual(60)
    expect(cost.points.length).toBeLessThanOrEqual(61)
    expect(cost.points.reduce((sum: number, p: {value: number}) => sum + p.value, 0)).toBeCloseTo(stats.total.cost_usd, 8)
    const tokens = (await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=tokens_in&model=claude&start=${start}&step=300000`)).body
    expect(tokens.step_ms).toBe(300_000)
    expect(tokens.points.reduce((sum: number, p: {value: number}) => sum + p.value, 0)).toBe(stats.by_model.claude.tokens_in)
    const latency = (await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=latency&agg=p95&start=${start}`)).body
    expect(latency.points.filter((p: {value: number | null}) => p.value === null).length).toBeGreaterThan(0)
    expect((await fx.daemon.admin('GET', '/admin/v1/tsdb/query?metric=cost&agg=p95')).status).toBe(400)
    expect((await fx.daemon.admin('GET', '/admin/v1/tsdb/query?metric=bogus')).status).toBe(400)
    const metrics = (await fx.daemon.admin('GET', '/admin/v1/tsdb/metrics')).body
    expect(metrics.metrics.map((m: {name: string}) => m.name)).toEqual(['requests', 'errors', 'latency', 'ttft', 'tokens_in', 'tokens_out', 'cost'])
  })

  it('filters logs and time series by an API key name as by its id, and names a filter that matches nothing', async () => {
    const {key, id} = await fx.newKey({name: 'reporting-bot'})
    const named = new OpenAI({apiKey: key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    await named.chat.completions.create({model: 'claude', messages: [{role: 'user', content: 'hello'}]})
    const byId = (await fx.daemon.admin('GET', `/admin/v1/logs?api_key_id=${id}`)).body
    const byName = (await fx.daemon.admin('GET', '/admin/v1/logs?api_key_id=reporting-bot')).body
    expect(byId.total).toBe(1)
    expect(byName.logs).toEqual(byId.logs)
    const start = Date.now() - 600_000
    const requests = async (filter: string) => (await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=requests&start=${start}&${filter}`)).body
    const sum = (body: {points: Array<{value: number}>}) => body.points.reduce((total, p) => total + p.value, 0)
    // The rollups take the records in batches: wait for the series.
    const seen = async (filter: string) => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
        const answer = await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=requests&start=${start}&${filter}`)
        if (answer.status === 200 && sum(answer.body) > 0) return sum(answer.body)
      }
      return 0
    }
    expect(await seen(`key=${id}`)).toBe(1)
    const viaName = await requests('key=reporting-bot')
    expect(viaName.labels).toEqual({key: id})
    expect(sum(viaName)).toBe(1)
    for (const [filter, message] of [
      ['key=no-such-key', /no API key \(by id or name\) "no-such-key" is registered or has recorded data; see tokenhub apikey list/],
      ['model=clade', /no model "clade"/],
      ['provider=nope', /no provider "nope"/],
    ] as const) {
      const missing = await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=requests&${filter}`)
      expect(missing.status).toBe(404)
      expect(missing.body.error.message).toMatch(message)
    }
    // A deleted model keeps its history: its series still answer.
    await fx.addModel({id: 'retired', provider_id: 'oa', weight: 1})
    await ask('retired')
    expect(await seen('model=retired')).toBe(1)
    await fx.daemon.admin('DELETE', '/admin/v1/models/retired')
    expect(sum(await requests('model=retired'))).toBe(1)
    const twin = await fx.newKey({name: 'reporting-bot'})
    await new OpenAI({apiKey: twin.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'claude', messages: [{role: 'user', content: 'hello'}]})
    // A name two keys share is refused alike by the time series, the logs and the export (not their requests merged).
    for (const path of ['/admin/v1/tsdb/query?metric=requests&key=reporting-bot', '/admin/v1/logs?key=reporting-bot', '/admin/v1/logs?api_key_id=reporting-bot', '/admin/v1/logs/export?format=csv&key=reporting-bot', '/admin/v1/logs/export?format=jsonl&api_key_id=reporting-bot']) {
      const shared = await fx.daemon.admin('GET', path)
      expect(shared.status, path).toBe(400)
      expect(shared.body.error.message).toContain('2 API keys are named "reporting-bot"; give the id of one')
    }
    expect((await fx.daemon.admin('GET', `/admin/v1/logs?key=${twin.id}`)).body.total).toBe(1)
  })

  it('records every admin mutation in the audit trail, with request id and address', async () => {
    const before = (await fx.daemon.admin('GET', '/admin/v1/audit?limit=1000')).body.total
    const created = await fx.daemon.admin('POST', '/admin/v1/models', {id: 'audited', provider_id: 'oa', input_per_1k: 0, output_per_1k: 0})
    await fx.daemon.admin('PATCH', '/admin/v1/models/audited', {weight: 3})
    await fx.daemon.admin('DELETE', '/admin/v1/models/audited')
    await fx.daemon.admin('POST', '/admin/v1/vault/unlock', {password: 'definitely-not-it'})
    const audit = (await fx.daemon.admin('GET', '/admin/v1/audit?limit=4')).body
    expect(audit.total).toBe(before + 4)
    // A refused unlock has the action name of a successful one (filter on it, then on outcome).
    expect(audit.logs.map((a: {action: string}) => a.action)).toEqual(['vault.unlocked', 'model.delete', 'model.update', 'model.create'])
    expect(audit.logs[0]).toMatchObject({outcome: 'denied', actor: 'admin', remote_addr: expect.stringContaining('127.0.0.1')})
    expect(audit.logs[3]).toMatchObject({resource: 'model', resource_id: 'audited', outcome: 'ok', request_id: created.headers.get('x-tokenhub-request-id')})
    const denied = (await fx.daemon.admin('GET', '/admin/v1/audit?outcome=denied')).body
    expect(denied.logs.every((a: {outcome: string}) => a.outcome === 'denied')).toBe(true)
    expect(JSON.stringify(audit)).not.toContain('definitely-not-it')
  })

  it('shows rewards and posteriors, and the engine registry', async () => {
    const rewards = (await fx.daemon.admin('GET', '/admin/v1/rewards?limit=5')).body
    expect(rewards.rewards).toHaveLength(5)
    expect(rewards.rewards[0]).toMatchObject({model_id: expect.any(String), token_bucket: 'small', success: true, reward: expect.any(Number)})
    expect(rewards.posteriors.find((p: {model_id: string}) => p.model_id === 'cheap-gpt')).toMatchObject({alpha: expect.any(Number), beta: expect.any(Number), mean: expect.any(Number), samples: expect.any(Number)})
    const engine = (await fx.daemon.admin('GET', '/admin/v1/engine/models')).body
    expect(engine.models.find((m: {id: string}) => m.id === 'claude')).toMatchObject({adapter: 'anthropic', wire: 'anthropic', upstream_model: 'claude-sonnet-4-5', health: 'closed', requests: expect.any(Number)})
    expect(engine.adapters.find((a: {provider_id: string}) => a.provider_id === 'oa')).toMatchObject({credential: 'ready'})
  })

  it('a deleted or remade model starts the bandit over; an unknown model is a 404', async () => {
    await fx.addModel({id: 'bandit-remade', provider_id: 'oa', upstream_model: 'gpt-4o', weight: 1})
    await ask('bandit-remade')
    const posteriorsOf = async () => (await fx.daemon.admin('GET', '/admin/v1/rewards?model=bandit-remade')).body.posteriors
    expect(await posteriorsOf()).toEqual([expect.objectContaining({samples: 1, updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/)})])
    await fx.daemon.admin('PATCH', '/admin/v1/models/bandit-remade', {upstream_model: 'gpt-4o-mini'})
    expect(await posteriorsOf()).toEqual([])
    await ask('bandit-remade')
    await fx.daemon.admin('DELETE', '/admin/v1/models/bandit-remade')
    expect((await fx.daemon.admin('GET', '/admin/v1/rewards')).body.posteriors.map((p: {model_id: string}) => p.model_id)).not.toContain('bandit-remade')
    await fx.addModel({id: 'bandit-remade', provider_id: 'oa', upstream_model: 'gpt-4o', weight: 1})
    expect(await posteriorsOf()).toEqual([])
    const unknown = await fx.daemon.admin('GET', '/admin/v1/rewards?model=nope')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toContain('no model "nope"')
    await fx.daemon.admin('DELETE', '/admin/v1/models/bandit-remade')
  })

  it('exports logs as CSV from the journal, with filters', async () => {
    const response = await fetch(`${fx.daemon.url}/admin/v1/logs/export?model=claude`, {headers: auth()})
    expect(response.headers.get('content-type')).toContain('text/csv')
    const lines = (await response.text()).trim().split('\r\n')
    expect(lines[0]).toMatch(/^timestamp,request_id,api_key_id,/)
    expect(lines[0]).toMatch(/,ttft_ms,attempts,cache_read_tokens,cache_write_tokens,usage_flagged,error_message$/)
    expect(lines.slice(1).every((l) => /,1,\d+,\d+,false,$/.test(l))).toBe(true)
    expect(lines.length).toBeGreaterThan(1)
    expect(lines.slice(1).every((l) => l.includes(',claude,an,'))).toBe(true)
    expect((await fetch(`${fx.daemon.url}/admin/v1/logs?since=yesterday-ish`, {headers: auth()})).status).toBe(400)
    const recent = (await fx.daemon.admin('GET', '/admin/v1/logs?since=1h&limit=1')).body
    expect(recent.total).toBeGreaterThan(0)
  })

  it('records requests without a valid key one by one only up to 10 a second; /metrics counts them all', async () => {
    const metric = /tokenhub_requests_total\{endpoint="\/v1\/embeddings",model="none",provider="none",status="4xx"\} (\d+)/
    const counted = async () => Number((await (await fetch(`${fx.daemon.url}/metrics`)).text()).match(metric)?.[1] ?? 0)
    const before = {metric: await counted(), logs: (await fx.daemon.admin('GET', '/admin/v1/logs?status=401&limit=1')).body.total}
    const flood = Array.from({length: 60}, () => fetch(`${fx.daemon.url}/v1/embeddings`, {method: 'POST', headers: {authorization: 'Bearer th-not-a-key'}, body: '{}'}))
    expect((await Promise.all(flood)).every((r) => r.status === 401)).toBe(true)
    expect(await counted()).toBe(before.metric + 60)
    const logged = (await fx.daemon.admin('GET', '/admin/v1/logs?status=401&limit=1')).body.total - before.logs
    expect(logged).toBeGreaterThanOrEqual(10)
    expect(logged).toBeLessThan(60)
  })

  it('serves Prometheus text at /metrics', async () => {
    const stream = await client.chat.completions.create({model: 'cheap-gpt', stream: true, messages: [{role: 'user', content: 'ttft'}]})
    for await (const _chunk of stream) {
      // drain
    }
    const text = await (await fetch(`${fx.daemon.url}/metrics`)).text()
    expect(text).toMatch(/tokenhub_requests_total\{endpoint="\/v1\/chat\/completions",model="claude",provider="an",status="2xx"\} \d+/)
    expect(text).toContain('tokenhub_request_duration_seconds_bucket{le="120"')
    expect(text).toContain('tokenhub_time_to_first_token_seconds_bucket')
    expect(text).toMatch(/tokenhub_circuit_state\{target="provider",id="oa"\} 0/)
    expect(text).toContain('tokenhub_event_subscribers')
    expect(text).toContain('tokenhub_store_write_seconds_bucket')
    expect(text).toContain('tokenhub_process_resident_memory_bytes')
    expect(text).toMatch(/tokenhub_cost_usd_total\{model="strong-gpt",provider="oa"\} [\d.e-]+/)
    expect(text).not.toContain(fx.key)
  })

  it('keeps stats, series, audit and rewards across a restart', async () => {
    const before = {
      stats: (await fx.daemon.admin('GET', '/admin/v1/stats?window=24h')).body.total,
      audit: (await fx.daemon.admin('GET', '/admin/v1/audit?limit=1000')).body.total,
      rewards: (await fx.daemon.admin('GET', '/admin/v1/rewards')).body.total,
      cost: (await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=cost&start=${Date.now() - 3_600_000}`)).body,
    }
    expect(await fx.daemon.stop()).toBe(0)
    fx.daemon = await startTestDaemon({dataDir: fx.daemon.dataDir, env: {TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD}})
    const stats = (await fx.daemon.admin('GET', '/admin/v1/stats?window=24h')).body.total
    expect(stats).toEqual(before.stats)
    expect((await fx.daemon.admin('GET', '/admin/v1/audit?limit=1000')).body.total).toBe(before.audit)
    expect((await fx.daemon.admin('GET', '/admin/v1/rewards')).body.total).toBe(before.rewards)
    const cost = (await fx.daemon.admin('GET', `/admin/v1/tsdb/query?metric=cost&start=${before.cost.start}&end=${before.cost.end}`)).body
    expect(cost.points).toEqual(before.cost.points)
  })
})

describe('TSDB retention', () => {
  it('is a persistent setting', async () => {
    const set = await fx.daemon.admin('PUT', '/admin/v1/tsdb/retention', {retention_days: 14})
    expect(set.body).toMatchObject({ok: true, retention_days: 14})
    expect((await fx.daemon.admin('PUT', '/admin/v1/tsdb/retention', {retention_days: 0})).status).toBe(400)
    expect((await fx.daemon.admin('PUT', '/admin/v1/tsdb/retention', {days: 3})).status).toBe(400)
    expect((await fx.daemon.admin('POST', '/admin/v1/tsdb/prune')).body.ok).toBe(true)
    await fx.daemon.stop()
    fx.daemon = await startTestDaemon({dataDir: fx.daemon.dataDir, env: {TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD}})
    expect((await fx.daemon.admin('GET', '/admin/v1/tsdb/metrics')).body.retention_ms).toBe(14 * 86_400_000)
  })
})

describe('admin token rotation', () => {
  it('ends the SSE and WebSocket streams the old token opened, and the old token cannot reopen them', async () => {
    const old = fx.daemon.adminToken
    // The daemon restarted above: a client for its new port.
    client = new OpenAI({apiKey: fx.key, baseURL: `${fx.daemon.url}/v1`, maxRetries: 0})
    const sse = openSse(`${fx.daemon.url}/admin/v1/events`, auth())
    await sse.waitFor((m) => m.some((x) => x.data.type === 'connected'))
    const ws = new WebSocket(`${fx.daemon.url.replace('http', 'ws')}/admin/v1/ws`, {headers: auth()})
    const wsMessages: Array<{type: string; reason?: string}> = []
    ws.on('message', (data) => wsMessages.push(JSON.parse(String(data))))
    const wsClosed = new Promise<{code: number; reason: string}>((resolve) => ws.on('close', (code, reason) => resolve({code, reason: String(reason)})))
    const deadline = Date.now() + 5000
    while (!wsMessages.some((m) => m.type === 'connected') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))

    const rotated = await fx.daemon.admin('POST', '/admin/v1/admin-token/rotate', {token: 'rotated-admin-token-for-streams'})
    expect(rotated.status).toBe(200)
    fx.daemon.adminToken = 'rotated-admin-token-for-streams'

    expect(await sse.ended).toBe('complete')
    expect(sse.messages.at(-1)?.data).toMatchObject({type: 'closing', reason: expect.stringContaining('admin token was rotated')})
    expect(await wsClosed).toEqual({code: 4401, reason: 'admin token rotated'})
    expect(wsMessages.at(-1)).toMatchObject({type: 'closing'})

    // Nothing that happens afterwards reaches a client of the old token.
    await ask('cheap-gpt')
    expect(sse.events('route_success')).toEqual([])
    expect((await fetch(`${fx.daemon.url}/admin/v1/events`, {headers: {authorization: `Bearer ${old}`}})).status).toBe(401)
    const reopened = new WebSocket(`${fx.daemon.url.replace('http', 'ws')}/admin/v1/ws`, {headers: {authorization: `Bearer ${old}`}})
    const status = await new Promise<number>((resolve, reject) => {
      reopened.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      reopened.on('open', () => reject(new Error('the WebSocket opened with the retired token')))
      reopened.on('error', () => {})
    })
    expect(status).toBe(401)

    // A stream opened with the new token follows on.
    const fresh = openSse(`${fx.daemon.url}/admin/v1/events?type=route_success`, auth())
    await fresh.waitFor((m) => m.some((x) => x.data.type === 'connected'))
    await ask('cheap-gpt')
    await fresh.waitFor(() => fresh.events('route_success').length === 1)
    fresh.close()
    // Rotating to the token in use would retire the live token.
    const same = await fx.daemon.admin('POST', '/admin/v1/admin-token/rotate', {token: fx.daemon.adminToken})
    expect(same.status).toBe(400)
    expect(same.body.error.message).toContain('must differ from the current one')
  })
})

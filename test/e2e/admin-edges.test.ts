import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {connect} from 'node:net'
import WebSocket from 'ws'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {openSse} from '../helpers/sse.js'

/** Edges of the admin API found in QA: bounds, conflicts, races, strict queries, verbs, shutdown. */
let daemon: TestDaemon

beforeAll(async () => {
  daemon = await startTestDaemon()
  expect((await daemon.admin('POST', '/admin/v1/providers', {id: 'p', type: 'openai', base_url: 'http://127.0.0.1:9'})).status).toBe(201)
})
afterAll(() => daemon?.cleanup())

const auth = () => ({authorization: `Bearer ${daemon.adminToken}`})

describe('registry bounds and conflicts', () => {
  it('refuses a provider base_url with a query string or fragment (paths are appended to it; a key could hide there)', async () => {
    for (const base_url of ['http://127.0.0.1:9/base?key=sk-abc', 'http://127.0.0.1:9/base#frag', 'http://127.0.0.1:9/?']) {
      const response = await daemon.admin('POST', '/admin/v1/providers', {id: 'q', type: 'openai', base_url})
      expect(response.status, base_url).toBe(400)
      expect(JSON.stringify(response.body)).toContain('query string, fragment')
    }
  })

  it('refuses absurd prices (a cost must never overflow to $0)', async () => {
    const response = await daemon.admin('POST', '/admin/v1/models', {id: 'm-big', provider_id: 'p', input_per_1k: 1e300, output_per_1k: 1})
    expect(response.status).toBe(400)
    expect(JSON.stringify(response.body)).toContain('at most 10000')
    expect((await daemon.admin('POST', '/admin/v1/models', {id: 'm-ok', provider_id: 'p', input_per_1k: 0.01, output_per_1k: 0.03})).status).toBe(201)
    expect((await daemon.admin('PATCH', '/admin/v1/models/m-ok', {output_per_1k: 1.7e308})).status).toBe(400)
  })

  it('refuses a model that would shadow an alias, or take the reserved id auto', async () => {
    expect((await daemon.admin('PUT', '/admin/v1/aliases/gpt-4', {variants: [{model_id: 'm-ok', weight: 1}]})).status).toBe(201)
    const shadow = await daemon.admin('POST', '/admin/v1/models', {id: 'gpt-4', provider_id: 'p', input_per_1k: 0, output_per_1k: 0})
    expect(shadow.status).toBe(409)
    expect(shadow.body.error.message).toContain('is an alias')
    expect((await daemon.admin('POST', '/admin/v1/models', {id: 'auto', provider_id: 'p', input_per_1k: 0, output_per_1k: 0})).status).toBe(400)
  })

  it('refuses an API key expiry more than 100 years out (was a 500)', async () => {
    for (const expires_in of ['99999999d', 99_999_999_999_999, '9999999d']) {
      const response = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'far', expires_in})
      expect(response.status, String(expires_in)).toBe(400)
      expect(response.body.error.message).toContain('expires_in: at most 36500d')
    }
    const key = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'near', expires_in: '30d'})
    expect(key.status).toBe(201)
    expect((await daemon.admin('PATCH', `/admin/v1/apikeys/${key.body.id}`, {expires_in: '99999999d'})).status).toBe(400)
  })

  it('a provider cascade delete announces and audits every model it removes', async () => {
    await daemon.admin('POST', '/admin/v1/providers', {id: 'doomed', type: 'openai', base_url: 'http://127.0.0.1:9'})
    await daemon.admin('POST', '/admin/v1/models', {id: 'doomed-a', provider_id: 'doomed', input_per_1k: 0, output_per_1k: 0})
    await daemon.admin('POST', '/admin/v1/models', {id: 'doomed-b', provider_id: 'doomed', input_per_1k: 0, output_per_1k: 0})
    const sse = openSse(`${daemon.url}/admin/v1/events?type=model_changed`, auth())
    await sse.waitFor((m) => m.some((x) => x.data.type === 'connected'))
    expect((await daemon.admin('DELETE', '/admin/v1/providers/doomed?cascade=true')).body.deleted_models).toEqual(['doomed-a', 'doomed-b'])
    await sse.waitFor(() => sse.events('model_changed').length === 2)
    expect(sse.events('model_changed').map((e) => [e.data.resource_id, e.data.action])).toEqual([
      ['doomed-a', 'delete'],
      ['doomed-b', 'delete'],
    ])
    sse.close()
    const audit = (await daemon.admin('GET', '/admin/v1/audit?resource=model&limit=10')).body.logs
    expect(audit.filter((e: {action: string}) => e.action === 'model.delete').map((e: {resource_id: string}) => e.resource_id)).toEqual(expect.arrayContaining(['doomed-a', 'doomed-b']))
  })
})

describe('change events say what changed', () => {
  it('an update names its changed fields, never a secret value', async () => {
    await daemon.admin('POST', '/admin/v1/providers', {id: 'changing', type: 'openai', base_url: 'http://127.0.0.1:9'})
    await daemon.admin('POST', '/admin/v1/models', {id: 'changing-m', provider_id: 'changing', input_per_1k: 0, output_per_1k: 0})
    const sse = openSse(`${daemon.url}/admin/v1/events?type=model_changed,provider_changed,config_changed`, auth())
    await sse.waitFor((m) => m.some((x) => x.data.type === 'connected'))
    await daemon.admin('PATCH', '/admin/v1/models/changing-m', {weight: 9, enabled: false})
    // A provider key needs the vault: this daemon's is new, and its first unlock sets the password.
    expect((await daemon.admin('POST', '/admin/v1/vault/unlock', {password: 'change-events-vault-password'})).status).toBe(200)
    expect((await daemon.admin('PATCH', '/admin/v1/providers/changing', {base_url: 'http://127.0.0.1:10', api_key: 'sk-changed-secret-value-123'})).status).toBe(200)
    await daemon.admin('PUT', '/admin/v1/routing-config', {default_mode: 'cheap'})
    await sse.waitFor(() => sse.events('config_changed').length === 1)
    expect(sse.events('model_changed')[0].data).toMatchObject({action: 'update', resource_id: 'changing-m', changed: ['enabled', 'weight']})
    expect(sse.events('provider_changed')[0].data).toMatchObject({action: 'update', resource_id: 'changing', changed: ['api_key', 'base_url']})
    expect(sse.events('config_changed')[0].data).toMatchObject({resource: 'routing_config', changed: ['default_mode']})
    expect(JSON.stringify(sse.messages)).not.toContain('sk-changed-secret')
    sse.close()
  })
})

describe('strict queries, bodies and verbs', () => {
  it('a query parameter a list does not read is a 400 naming it, not a wider answer', async () => {
    for (const path of ['/admin/v1/logs?modle=x', '/admin/v1/logs/export?format=csv&modle=x', '/admin/v1/models?provider=p', '/admin/v1/audit?resourse=p', '/admin/v1/info?x=1', '/admin/v1/aliases?limit=-1']) {
      const response = await daemon.admin('GET', path)
      expect(response.status, path).toBe(400)
    }
    expect((await daemon.admin('GET', '/admin/v1/logs?modle=x')).body.error.message).toContain('unknown query parameter "modle"')
    // Twice, or a filter left empty: which one counts, or no filter at all? A 400 instead.
    const twice = await daemon.admin('GET', '/admin/v1/tsdb/query?metric=requests&metric=cost')
    expect(twice.status).toBe(400)
    expect(twice.body.error.message).toContain('"metric" is given more than once')
    const empty = await daemon.admin('GET', '/admin/v1/tsdb/query?metric=requests&model_id=')
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toContain('"model_id" is empty')
    expect((await daemon.admin('GET', '/admin/v1/logs?model=')).status).toBe(400)
    expect((await daemon.admin('GET', '/admin/v1/logs?limit=&offset=')).status).toBe(200)
    expect((await daemon.admin('GET', '/admin/v1/models?provider_id=p&limit=1')).status).toBe(200)
    expect((await daemon.admin('GET', '/admin/v1/aliases?limit=1&offset=0')).body).toMatchObject({total: 1, items: [{name: 'gpt-4'}]})
    for (const query of ['last_event_id=abc', 'backlog=1001', 'typo=1']) {
      expect((await fetch(`${daemon.url}/admin/v1/events?${query}`, {headers: auth()})).status, query).toBe(400)
    }
  })

  it('actions without input refuse a body; retention takes one field', async () => {
    expect((await daemon.admin('POST', '/admin/v1/vault/lock', {x: 1})).status).toBe(400)
    expect((await daemon.admin('POST', '/admin/v1/tsdb/prune', {x: 1})).status).toBe(400)
    expect((await daemon.admin('POST', '/admin/v1/tsdb/prune', {})).status).toBe(200)
    expect((await daemon.admin('POST', '/admin/v1/tsdb/prune')).status).toBe(200)
    expect((await daemon.admin('PUT', '/admin/v1/tsdb/retention', {retention_days: 14, retention_ms: 1000})).status).toBe(400)
  })

  it('a known path with the wrong verb is 405 with Allow', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/admin/v1/info', 'GET, HEAD'],
      ['PATCH', '/admin/v1/routing-config', 'GET, HEAD, PUT'],
      ['POST', '/admin/v1/events', 'GET'],
      ['PUT', '/admin/v1/providers', 'GET, HEAD, POST'],
    ] as const) {
      const response = await fetch(`${daemon.url}${path}`, {method, headers: auth()})
      expect(response.status, `${method} ${path}`).toBe(405)
      expect(response.headers.get('allow')?.split(', ').sort().join(', ')).toBe(allow)
      expect((await response.json()).error.code).toBe('METHOD_NOT_ALLOWED')
    }
    // The WebSocket endpoint without an upgrade says what it is.
    const plain = await fetch(`${daemon.url}/admin/v1/ws`, {headers: auth()})
    expect(plain.status).toBe(400)
    expect((await plain.json()).error.message).toContain('WebSocket endpoint')
    // Still 401 without the token, and 404 for a path that does not exist.
    expect((await fetch(`${daemon.url}/admin/v1/info`, {method: 'DELETE'})).status).toBe(401)
    expect((await fetch(`${daemon.url}/admin/v1/nothing-here`, {method: 'DELETE', headers: auth()})).status).toBe(404)
  })

  it('HEAD answers like GET without a body, and the connection stays usable (load balancers probe with HEAD)', async () => {
    const heads = ['/healthz', '/admin/v1/info', '/admin/v1/nothing-here', '/admin/v1/events', '/v1/models', '/metrics']
    const requests = heads.map((path) => `HEAD ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${daemon.adminToken}\r\n\r\n`)
    // Pipelined on one connection, then a GET: each HEAD answer must end at its headers.
    const raw = await rawExchange(daemon.url, requests.join('') + 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    const answers = raw.split(/(?=HTTP\/1\.1 )/)
    expect(answers.map((a) => Number(a.slice(9, 12)))).toEqual([200, 200, 404, 405, 401, 200, 200])
    for (const answer of answers.slice(0, -1)) {
      expect(answer.endsWith('\r\n\r\n'), answer).toBe(true)
      // No length that promises a body (RFC 9110: a HEAD answer may omit it).
      expect(answer.toLowerCase()).not.toContain('content-length')
    }
    expect(answers[3].toLowerCase()).toContain('allow: get\r\n')
    expect(answers.at(-1)).toContain('"status":"ok"')
    // fetch's HEAD too.
    const head = await fetch(`${daemon.url}/admin/v1/providers`, {method: 'HEAD', headers: auth()})
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('application/json')
    expect(await head.text()).toBe('')
  })
})

describe('request framing', () => {
  it('closes the connection on a body length given two ways, so the rest is never read as a request', async () => {
    // uWS frames by the first Content-Length, hyper-express read the last: the tail would be a smuggled request.
    const smuggled = 'GET /admin/v1/info HTTP/1.1\r\nHost: x\r\n\r\n'
    for (const path of ['/v1/chat/completions', '/admin/v1/providers', '/nowhere', '/admin/v1/events']) {
      const body = `{}${smuggled}`
      const text = await rawExchange(daemon.url, `${path.endsWith('/events') ? 'GET' : 'POST'} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${daemon.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
      // No answer at all: uWS parses the pipelined tail before any answer could go out, so only closing stops it.
      expect(text, path).toBe('')
    }
    const both = await rawExchange(daemon.url, `POST /admin/v1/providers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${daemon.adminToken}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n${smuggled}`)
    expect(both.split(/(?=HTTP\/1\.1 )/).filter((a) => a.startsWith('HTTP/1.1 200')).length).toBe(0)
    // The same length twice is allowed (RFC 9112 lets a server accept identical values).
    const same = await rawExchange(daemon.url, `POST /admin/v1/nothing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${daemon.adminToken}\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`)
    expect(Number(same.slice(9, 12))).toBe(404)
  })
})

/** Writes `text` on a fresh connection and returns everything the server sent until it closed. */
function rawExchange(url: string, text: string): Promise<string> {
  const {hostname, port} = new URL(url)
  return new Promise((resolve, reject) => {
    let received = ''
    const socket = connect(Number(port), hostname, () => socket.write(text))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('end', () => resolve(received))
    socket.on('error', reject)
  })
}

describe('admin token rotation races and daemon shutdown', () => {
  it('concurrent rotations with the same token: exactly one wins, the others are told their token was retired', async () => {
    const results = await Promise.all(Array.from({length: 6}, (_, i) => daemon.admin('POST', '/admin/v1/admin-token/rotate', {token: `concurrent-rotation-token-${i}`})))
    const won = results.filter((r) => r.status === 200)
    expect(won).toHaveLength(1)
    expect(results.filter((r) => r.status === 401)).toHaveLength(5)
    daemon.adminToken = won[0].body.token
    expect((await daemon.admin('GET', '/admin/v1/info')).status).toBe(200)
  })

  it('on SIGTERM, open streams get a closing notice and an orderly end (SSE) or close 1001 (WebSocket)', async () => {
    const sse = openSse(`${daemon.url}/admin/v1/events`, auth())
    const response = await sse.ready
    expect(response.headers.get('x-tokenhub-request-id')).toMatch(/^[0-9a-f]{16}$/)
    await sse.waitFor((m) => m.some((x) => x.data.type === 'connected'))
    const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}/admin/v1/ws`, {headers: auth()})
    const wsMessages: Array<{type: string; reason?: string}> = []
    ws.on('message', (data) => wsMessages.push(JSON.parse(String(data))))
    const wsClosed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    const deadline = Date.now() + 5000
    while (!wsMessages.some((m) => m.type === 'connected') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    const stopped = daemon.stop('SIGTERM')
    expect(await sse.ended).toBe('complete')
    expect(sse.messages.at(-1)?.data).toEqual({type: 'closing', reason: 'the daemon is shutting down'})
    expect(await wsClosed).toBe(1001)
    expect(wsMessages.at(-1)).toEqual({type: 'closing', reason: 'the daemon is shutting down'})
    expect(await stopped).toBe(0)
  })
})

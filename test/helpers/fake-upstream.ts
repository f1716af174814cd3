import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
}

export interface FakeUpstreamOptions {
  /** The key the upstream accepts; requests with another key get a 401 that quotes the key sent. */
  apiKey?: string
  /** OpenAI: Authorization Bearer; Anthropic: x-api-key + anthropic-version. */
  flavor?: 'openai' | 'anthropic'
  models?: string[]
}

export interface FakeUpstream {
  url: string
  requests: RecordedRequest[]
  /** Answer the next requests with this instead (status + body), e.g. {status: 500}. */
  override: {status: number; body?: string; headers?: Record<string, string>} | null
  close(): Promise<void>
}

/** A provider on loopback, shaped like OpenAI's or Anthropic's API, for tests only. */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const flavor = options.flavor ?? 'openai'
  const models = options.models ?? (flavor === 'anthropic' ? ['claude-sonnet-4-5', 'claude-haiku-4-5'] : ['gpt-4o', 'gpt-4o-mini'])
  const state: FakeUpstream = {url: '', requests: [], override: null, close: async () => {}}

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    state.requests.push({method: req.method ?? '', path: req.url ?? '', headers: req.headers, body})
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {'content-type': 'application/json', ...headers})
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload))
    }
    if (state.override) return send(state.override.status, state.override.body ?? '', state.override.headers)
    const presented = flavor === 'anthropic' ? req.headers['x-api-key'] : req.headers.authorization?.replace(/^Bearer /, '')
    if (options.apiKey !== undefined && presented !== options.apiKey) {
      return send(401, {error: {message: `Incorrect API key provided: ${presented ?? '(none)'}. You can find your API key at https://example.invalid.`, type: 'invalid_request_error'}})
    }
    if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
      if (flavor === 'anthropic') {
        if (!req.headers['anthropic-version']) return send(400, {type: 'error', error: {type: 'invalid_request_error', message: 'anthropic-version header is required'}})
        return send(200, {data: models.map((id) => ({type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z'})), has_more: false})
      }
      return send(200, {object: 'list', data: models.map((id) => ({id, object: 'model', created: 1700000000, owned_by: 'openai'}))})
    }
    send(404, {error: {message: `fake upstream: no route ${req.method} ${req.url}`}})
  }

  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => handle(req, res, body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

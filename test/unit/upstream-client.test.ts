import {createHash} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {UpstreamClient, type UpstreamRequest} from '../../daemon/gateway/upstream-client.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void
const handlers = new Map<string, Handler>()
const closed = new Map<string, Promise<void>>()
let server: Server
let baseUrl: string
const client = new UpstreamClient()

/** Registers what the fake upstream does at `path`; the promise resolves when the client's connection for it closes. */
function route(path: string, handler: Handler): void {
  handlers.set(path, handler)
}

beforeAll(async () => {
  server = createServer((req, res) => {
    closed.set(req.url!, new Promise((resolve) => res.on('close', () => resolve())))
    handlers.get(req.url!)!(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`
})

afterAll(async () => {
  await client.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const call = (path: string, overrides: Partial<UpstreamRequest> = {}) =>
  client.send({baseUrl, path, headers: {'content-type': 'application/json'}, body: '{"x":1}', firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, ...overrides})

describe('UpstreamClient', () => {
  it('posts the body under the base URL path and reads status, headers and the whole text', async () => {
    let seen = {method: '', url: '', body: ''}
    route('/base/json', (req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        seen = {method: req.method!, url: req.url!, body}
        res.writeHead(429, {'Retry-After': '7', 'content-type': 'application/json'})
        res.end('{"error":"slow down"}')
      })
    })
    const response = call('/json')
    await response.ready
    expect(response.statusCode).toBe(429)
    expect(response.header('retry-after')).toBe('7')
    expect(response.header('x-missing')).toBeUndefined()
    expect(await response.text()).toBe('{"error":"slow down"}')
    expect(seen).toEqual({method: 'POST', url: '/base/json', body: '{"x":1}'})
  })

  it('keeps a UTF-8 character split across chunks whole, and skips a 1xx interim answer', async () => {
    route('/base/split', (_req, res) => {
      res.writeEarlyHints({link: '</style.css>; rel=preload'})
      res.writeHead(200, {'content-type': 'text/plain'})
      const bytes = Buffer.from('héllo wörld ✓', 'utf8')
      res.write(bytes.subarray(0, 2))
      setTimeout(() => res.end(bytes.subarray(2)), 20)
    })
    const response = call('/split')
    await response.ready
    expect(response.statusCode).toBe(200)
    expect(await response.text()).toBe('héllo wörld ✓')
  })

  it('drops a leading byte order mark from text(), as undici and fetch do', async () => {
    route('/base/bom', (_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"ok":true}')]))
    })
    const response = call('/bom')
    await response.ready
    expect(JSON.parse(await response.text())).toEqual({ok: true})
  })

  it('abort() of a call still waiting for a free connection fails it at once', async () => {
    const capped = new UpstreamClient({maxConnections: 1})
    route('/base/busy', () => {})
    const first = capped.send({baseUrl, path: '/busy', headers: {}, body: '', firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000})
    const second = capped.send({baseUrl, path: '/busy', headers: {}, body: '', firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000})
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = Date.now()
    second.abort()
    await expect(second.ready).rejects.toMatchObject({code: 'UND_ERR_ABORTED'})
    expect(Date.now() - started).toBeLessThan(1000)
    first.abort()
    await expect(first.ready).rejects.toMatchObject({code: 'UND_ERR_ABORTED'})
    await capped.close()
  })

  it('streams chunks in order, and a reader that falls behind pauses the upstream instead of buffering it all', async () => {
    const CHUNKS = 768 // 48 MB of 64 KB chunks
    const chunk = Buffer.alloc(64 * 1024, 'a')
    let written = 0
    const sent = createHash('sha256')
    route('/base/big', (_req, res) => {
      res.writeHead(200, {'content-type': 'text/event-stream'})
      let n = 0
      const pump = () => {
        while (n < CHUNKS) {
          const piece = Buffer.from(chunk)
          piece.writeUInt32BE(n++, 0)
          sent.update(piece)
          written += piece.length
          if (!res.write(piece)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    })
    const response = call('/big')
    await response.ready
    const received = createHash('sha256')
    let bytes = 0
    let writtenWhileStalled = 0
    for await (const part of response) {
      received.update(part)
      bytes += part.length
      if (writtenWhileStalled === 0 && bytes >= 1024 * 1024) {
        // The reader stalls: an unpaused client would take in all 48 MB meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 300))
        writtenWhileStalled = written
      }
    }
    expect(bytes).toBe(CHUNKS * chunk.length)
    expect(received.digest('hex')).toBe(sent.digest('hex'))
    // What the sender got out is what fits the socket buffers plus the client's 64 KB, far from all of it.
    expect(writtenWhileStalled).toBeLessThan(24 * 1024 * 1024)
  })

  it('abort() before the headers rejects ready and drops the connection', async () => {
    route('/base/hang', () => {})
    const response = call('/hang')
    setTimeout(() => response.abort(), 50)
    await expect(response.ready).rejects.toMatchObject({code: 'UND_ERR_ABORTED'})
    await closed.get('/base/hang')
  })

  it('abort() mid-body fails the reader, and leaving the loop early drops the connection', async () => {
    route('/base/drip', (_req, res) => {
      res.writeHead(200, {'content-type': 'text/event-stream'})
      res.write('data: 1\n\n')
      const timer = setInterval(() => res.write('data: more\n\n'), 10)
      res.on('close', () => clearInterval(timer))
    })
    const first = call('/drip')
    await first.ready
    const reading = (async () => {
      for await (const part of first) if (part.length > 0) first.abort()
    })()
    await expect(reading).rejects.toMatchObject({code: 'UND_ERR_ABORTED'})
    await closed.get('/base/drip')

    const second = call('/drip')
    await second.ready
    for await (const part of second) if (part.length > 0) break
    await closed.get('/base/drip')
  })

  it('times out waiting for the first byte, and when the body goes silent', async () => {
    route('/base/silent', () => {})
    const silent = call('/silent', {firstByteTimeoutMs: 100})
    await expect(silent.ready).rejects.toMatchObject({code: 'UND_ERR_HEADERS_TIMEOUT'})

    route('/base/stall', (_req, res) => {
      res.writeHead(200, {'content-type': 'text/event-stream'})
      res.write('data: 1\n\n')
    })
    const stalled = call('/stall', {idleTimeoutMs: 100})
    await stalled.ready
    await expect(stalled.text()).rejects.toMatchObject({code: 'UND_ERR_BODY_TIMEOUT'})
  })

  it('rejects ready when nothing listens', async () => {
    const refused = client.send({baseUrl: 'http://127.0.0.1:1', path: '/v1/x', headers: {}, body: '', firstByteTimeoutMs: 1000, idleTimeoutMs: 1000})
    await expect(refused.ready).rejects.toMatchObject({code: 'ECONNREFUSED'})
  })
})

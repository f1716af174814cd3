import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {WebSocketServer, type WebSocket} from 'ws'
import {ClientError} from '../../src/client/errors.js'
import {followEventSocket} from '../../src/client/event-socket.js'
import type {StreamEvent} from '../../src/client/event-stream.js'

/** A stand-in for the daemon's /admin/v1/ws: checks the token, records each connection's query. */
async function fakeDaemon(onConnection: (socket: WebSocket, request: IncomingMessage) => void, token = 'right-token') {
  const requests: Array<{url: string; authorization?: string}> = []
  const server: Server = createServer()
  const wss = new WebSocketServer({noServer: true})
  server.on('upgrade', (request, socket, head) => {
    requests.push({url: request.url ?? '', authorization: request.headers.authorization})
    if (request.headers.authorization !== `Bearer ${token}`) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}')
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.close(() => resolve())
      }),
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('followEventSocket', () => {
  it('sends the token, filters by type, and resumes with last_event_id after the socket drops', async () => {
    let connection = 0
    const daemon = await fakeDaemon((ws) => {
      connection++
      ws.send(JSON.stringify({type: 'connected', last_event_id: 0, replayed: 0, daemon_restarted: false}))
      if (connection === 1) {
        ws.send(JSON.stringify({type: 'route_success', id: 41}))
        ws.send(JSON.stringify({type: 'route_error', id: 42}))
        ws.send('not json')
        setTimeout(() => ws.close(), 20)
      } else {
        ws.send(JSON.stringify({type: 'route_success', id: 43}))
      }
    })
    cleanups.push(daemon.close)
    const controller = new AbortController()
    const events: StreamEvent[] = []
    const states: string[] = []
    const done = followEventSocket({
      url: `${daemon.url}/`,
      token: 'right-token',
      types: ['route_success', 'route_error'],
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event)
        if (event.id === 43) controller.abort()
      },
      onState: (state) => states.push(state),
    })
    await done
    expect(events.filter((e) => e.type !== 'connected').map((e) => e.id)).toEqual([41, 42, 43])
    expect(states).toEqual(['connected', 'disconnected', 'connected'])
    expect(daemon.requests[0]).toEqual({url: '/admin/v1/ws?type=route_success%2Croute_error', authorization: 'Bearer right-token'})
    expect(daemon.requests[1].url).toBe('/admin/v1/ws?type=route_success%2Croute_error&last_event_id=42')
  })

  it('ends with AUTH_INVALID when the daemon rejects the admin token', async () => {
    const daemon = await fakeDaemon(() => {})
    cleanups.push(daemon.close)
    const error = await followEventSocket({url: daemon.url, token: 'wrong-token', signal: new AbortController().signal, onEvent: () => {}}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientError)
    expect((error as ClientError).code).toBe('AUTH_INVALID')
  })

  it('keeps retrying while nothing listens, reporting each failure, until aborted', async () => {
    const daemon = await fakeDaemon(() => {})
    const url = daemon.url
    await daemon.close() // nothing listens on that port any more
    const controller = new AbortController()
    const details: string[] = []
    const done = followEventSocket({
      url,
      signal: controller.signal,
      maxRetryMs: 50,
      onEvent: () => {},
      onState: (state, detail) => {
        details.push(`${state}: ${detail}`)
        if (details.length === 3) controller.abort()
      },
    })
    await done
    expect(details).toHaveLength(3)
    for (const detail of details) expect(detail).toMatch(/^disconnected: ECONNREFUSED; retrying in \ds$/)
  })

  it('drops a connection that goes silent and dials again', async () => {
    let connections = 0
    const daemon = await fakeDaemon((ws) => {
      connections++
      ws.send(JSON.stringify({type: 'connected'}))
      // then silence; pongs are not sent because the client is told not to ping
    })
    cleanups.push(daemon.close)
    const controller = new AbortController()
    const details: string[] = []
    await followEventSocket({
      url: daemon.url,
      token: 'right-token',
      signal: controller.signal,
      idleTimeoutMs: 150,
      pingIntervalMs: 60_000,
      onEvent: () => {},
      onState: (state, detail) => {
        details.push(`${state}: ${detail}`)
        if (connections >= 2 && state === 'connected') controller.abort()
      },
    })
    expect(details[1]).toMatch(/^disconnected: no traffic for 0s/)
    expect(connections).toBe(2)
  })
})

import WebSocket from 'ws'
import {ClientError} from './errors.js'
import {sleep, type FollowOptions, type StreamEvent} from './event-stream.js'

export interface SocketFollowOptions extends FollowOptions {
  /** A connection that carries nothing (no event, no pong) for this long is dropped and redialled. */
  idleTimeoutMs?: number
  /** How often to ping the daemon; the pongs prove the path is alive between heartbeats. */
  pingIntervalMs?: number
}

type Outcome = {kind: 'closed'; detail: string} | {kind: 'rejected'; status: number}

function socketUrl(base: string, types: string[] | undefined, lastEventId: number | undefined, backlog: number | undefined): string {
  const url = new URL(`${base.replace(/\/+$/, '')}/admin/v1/ws`)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  if (types?.length) url.searchParams.set('type', types.join(','))
  if (lastEventId !== undefined) url.searchParams.set('last_event_id', String(lastEventId))
  else if (backlog) url.searchParams.set('backlog', String(backlog))
  return url.toString()
}

function describeError(error: Error): string {
  return (error as {code?: string}).code ?? error.message
}

/**
 * Follows GET /admin/v1/ws (the WebSocket mirror of the event stream) until the signal aborts,
 * with the same callbacks as `followEvents` (SSE) so a caller can use either. Reconnects with
 * backoff whenever the socket closes or goes silent, resuming with `?last_event_id=`. Only a
 * rejected admin token ends it, with ClientError AUTH_INVALID.
 */
export async function followEventSocket(options: SocketFollowOptions): Promise<void> {
  let lastEventId = options.lastEventId
  let retryMs = 500
  while (!options.signal.aborted) {
    const outcome = await connectOnce(socketUrl(options.url, options.types, lastEventId, options.backlog), options, (event) => {
      if (typeof event.id === 'number') lastEventId = event.id
      if (event.type === 'connected') {
        retryMs = 500
        // Seen no event yet: still resume from here after a drop (see followEvents).
        if (lastEventId === undefined && typeof event.last_event_id === 'number') lastEventId = event.last_event_id
        options.onState?.('connected', event.daemon_restarted ? `${options.url} (the daemon restarted; replayed what it kept)` : options.url)
      }
      options.onEvent(event)
    })
    if (options.signal.aborted) return
    if (outcome.kind === 'rejected') {
      if (outcome.status === 401) throw new ClientError('AUTH_INVALID', 'the daemon rejected the admin token', {status: 401})
      options.onState?.('disconnected', `HTTP ${outcome.status}; retrying in ${Math.round(retryMs / 1000)}s`)
    } else {
      options.onState?.('disconnected', `${outcome.detail}; retrying in ${Math.round(retryMs / 1000)}s`)
    }
    await sleep(retryMs, options.signal)
    retryMs = Math.min(retryMs * 2, options.maxRetryMs ?? 5000)
  }
}

function connectOnce(url: string, options: SocketFollowOptions, onEvent: (event: StreamEvent) => void): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const socket = new WebSocket(url, {
      headers: options.token ? {authorization: `Bearer ${options.token}`} : {},
      handshakeTimeout: 10_000,
    })
    let settled = false
    let detail = 'the daemon closed the connection'
    let idleTimer: NodeJS.Timeout | undefined
    const idleMs = options.idleTimeoutMs ?? 75_000
    const pinger = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.ping()
    }, options.pingIntervalMs ?? 20_000)
    const alive = () => {
      clearTimeout(idleTimer)
      idleTimer = setTimeout(() => {
        detail = `no traffic for ${Math.round(idleMs / 1000)}s`
        socket.terminate()
      }, idleMs)
    }
    const finish = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(idleTimer)
      clearInterval(pinger)
      options.signal.removeEventListener('abort', onAbort)
      resolve(outcome)
    }
    const onAbort = () => {
      socket.terminate()
      finish({kind: 'closed', detail: 'stopped'})
    }
    options.signal.addEventListener('abort', onAbort, {once: true})
    // Listeners go on before the handshake completes: the greeting arrives right after it.
    socket.on('message', (data) => {
      alive()
      let event: StreamEvent
      try {
        event = JSON.parse(String(data)) as StreamEvent
      } catch {
        return
      }
      if (event && typeof event.type === 'string') onEvent(event)
    })
    socket.on('pong', alive)
    socket.on('ping', alive)
    socket.on('open', alive)
    socket.on('unexpected-response', (_request, response) => {
      finish({kind: 'rejected', status: response.statusCode ?? 0})
      socket.terminate()
    })
    socket.on('error', (error) => {
      detail = describeError(error)
    })
    socket.on('close', () => finish({kind: 'closed', detail}))
  })
}

import type HyperExpress from 'hyper-express'
import type {Request, Response} from 'hyper-express'
import type {EventBus} from '../../src/events/bus.js'
import {EVENT_TYPES, isEventType} from '../../src/events/types.js'
import type {Logger} from '../../src/logging/logger.js'
import {TokenHubError} from '../../src/core/errors.js'
import {adminErrorBody} from '../http/errors.js'
import {newRequestId} from '../http/request-id.js'
import {sendJson} from '../http/json-route.js'
import {closedOnAmbiguousFraming} from '../http/limits.js'
import {HyperExpressSink} from '../http/response-sink.js'
import {EventSubscription} from './subscription.js'
import {rejectUnknownQuery} from '../admin/pagination.js'

export const KEEPALIVE_MS = 15_000
/** How long a closing stream waits for its client to take the `closing` notice before the connection is dropped. */
const CLOSE_GRACE_MS = 5_000

/** WebSocket close code when the admin token that opened the socket was rotated (4000-4999: application codes; 4401 mirrors HTTP 401). */
export const WS_CLOSE_TOKEN_ROTATED = 4401
/** WebSocket close code when the daemon shuts down (RFC 6455: going away). */
export const WS_CLOSE_GOING_AWAY = 1001

/** Ends every open stream in order: a `closing` notice with the reason, then the end of the SSE response or a WebSocket close frame. */
export interface EventStreams {
  closeAll(reason: string, wsCode: number, wsReason: string): void
}

export interface EventRouteDeps {
  bus: EventBus
  logger: Logger
  guard: (ctx: {header: (name: string) => string | undefined}) => void
  isShuttingDown: () => boolean
  /** Hands on the records of requests that ended in this loop turn (RecordQueue.drain), so a replay includes their events. */
  settle: () => void
}

function lastEventIdFrom(req: Request): number | null {
  const raw = req.headers['last-event-id'] ?? new URLSearchParams(req.path_query).get('last_event_id') ?? undefined
  if (raw === undefined || raw === '') return null
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id < 0) throw new TokenHubError('VALIDATION', `last_event_id: expected an event id (a whole number), got "${raw}"`)
  return id
}

const QUERY_PARAMETERS = ['type', 'backlog', 'last_event_id']

/** Most events a new subscriber may ask to be replayed with `?backlog=`. */
export const MAX_BACKLOG = 1000

/** `?backlog=N`: the newest N kept events first (when no Last-Event-ID is given). */
function backlogFrom(req: Request): number {
  const raw = new URLSearchParams(req.path_query).get('backlog')
  if (raw === null || raw === '') return 0
  const count = Number(raw)
  if (!Number.isInteger(count) || count < 0 || count > MAX_BACKLOG) throw new TokenHubError('VALIDATION', `backlog: expected a whole number from 0 to ${MAX_BACKLOG}, got "${raw}"`)
  return count
}

/** Reads the subscription's query, or answers 400 (before the stream starts) and returns null. */
function subscriptionQuery(req: Request, res: Response): {types: string[]; lastEventId: number | null; backlog: number} | null {
  try {
    rejectUnknownQuery(new URLSearchParams(req.path_query), QUERY_PARAMETERS)
    return {types: typesFrom(req), lastEventId: lastEventIdFrom(req), backlog: backlogFrom(req)}
  } catch (error) {
    sendJson(res, 400, adminErrorBody(error as TokenHubError), newRequestId())
    return null
  }
}

function typesFrom(req: Request): string[] {
  const params = new URLSearchParams(req.path_query)
  const types = params.getAll('type').flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean)
  // A misspelt type would otherwise follow nothing, silently.
  const unknown = types.find((t) => !isEventType(t))
  if (unknown !== undefined) throw new TokenHubError('VALIDATION', `type: unknown event type "${unknown}"; one of ${EVENT_TYPES.join(', ')}`)
  return types
}

function authorized(deps: EventRouteDeps, req: Request, res: Response): boolean {
  // As on every route (see checkFraming): an ambiguous body length ends the connection, before anything else.
  if (closedOnAmbiguousFraming(req, res)) return false
  if (deps.isShuttingDown()) {
    sendJson(res, 503, adminErrorBody(new TokenHubError('SHUTTING_DOWN', 'the daemon is shutting down; retry')), newRequestId())
    return false
  }
  try {
    deps.guard({header: (name) => req.headers[name.toLowerCase()]})
    return true
  } catch (error) {
    sendJson(res, 401, adminErrorBody(error as TokenHubError), newRequestId())
    return false
  }
}

/**
 * Ends an event stream with a last frame (the `closing` notice). A client so far behind that uWS
 * holds events for it never takes the frame: after `graceMs` its connection is dropped instead of
 * waiting (with those events buffered) until it reads again, which may be never. (Bytes already
 * in the kernel's socket buffers are not uWS's: a response ended on top of them is left to TCP.)
 */
export function endStream(sink: Pick<HyperExpressSink, 'write' | 'end' | 'destroy'>, frame: string, graceMs = CLOSE_GRACE_MS): void {
  const stalled = setTimeout(() => sink.destroy(), graceMs)
  stalled.unref()
  void sink.write(frame).then(() => {
    clearTimeout(stalled)
    sink.end()
  })
}

/**
 * GET /admin/v1/events (SSE: `id:` lines, a `connected` event, keep-alive comments, Last-Event-ID
 * replay) and /admin/v1/ws (the same events over a WebSocket, for the dashboard).
 */
export function registerEventRoutes(server: HyperExpress.Server, deps: EventRouteDeps): EventStreams {
  const open = new Set<(notice: string, wsCode: number, wsReason: string) => void>()
  const notice = (reason: string) => JSON.stringify({type: 'closing', reason})

  server.get('/admin/v1/events', (req, res) => {
    if (!authorized(deps, req, res)) return
    const query = subscriptionQuery(req, res)
    if (!query) return
    const sink = new HyperExpressSink(res)
    sink.startStream(200, {'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', 'x-tokenhub-request-id': newRequestId()})
    const subscription = new EventSubscription({
      types: query.types,
      send: (payload, event) => sink.write(event ? `id: ${event.id}\ndata: ${payload}\n\n` : `data: ${payload}\n\n`),
    })
    const keepalive = setInterval(() => void sink.write(': keep-alive\n\n'), KEEPALIVE_MS)
    const stop = () => {
      clearInterval(keepalive)
      subscription.close()
      open.delete(close)
    }
    const close = (text: string) => {
      stop()
      endStream(sink, `data: ${text}\n\n`)
    }
    open.add(close)
    sink.onAbort(stop)
    deps.settle()
    subscription.start(deps.bus, query.lastEventId, query.backlog)
  })

  server.upgrade('/admin/v1/ws', (req, res) => {
    if (!authorized(deps, req, res)) return
    const query = subscriptionQuery(req, res)
    if (query) res.upgrade(query)
  })

  server.ws('/admin/v1/ws', {idle_timeout: 60, max_backpressure: 1024 * 1024}, (ws) => {
    const context = ws.context as unknown as {types: string[]; lastEventId: number | null; backlog: number}
    // uWS send(): 1 sent, 0 queued under backpressure, 2 dropped. Wait for drain on 0 so the
    // subscription's queue (and its dropped count) absorbs a slow dashboard instead of uWS.
    const subscription = new EventSubscription({
      types: context.types,
      send: (payload) =>
        new Promise<void>((resolve) => {
          if (ws.closed) return resolve()
          const status = ws.send(payload) as unknown as number
          if (status === 0) ws.once('drain', () => resolve())
          else resolve()
        }),
    })
    const close = (text: string, wsCode: number, wsReason: string) => {
      subscription.close()
      open.delete(close)
      if (ws.closed) return
      ws.send(text)
      ws.close(wsCode, wsReason)
    }
    open.add(close)
    ws.on('close', () => {
      subscription.close()
      open.delete(close)
    })
    deps.settle()
    subscription.start(deps.bus, context.lastEventId, context.backlog)
  })

  return {
    closeAll(reason, wsCode, wsReason) {
      const text = notice(reason)
      for (const close of [...open]) close(text, wsCode, wsReason)
    },
  }
}

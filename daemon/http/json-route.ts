import type {Request, Response} from 'hyper-express'
import type {TokenHubError} from '../../src/core/errors.js'
import type {Logger} from '../../src/logging/logger.js'
import {createContext, type RequestContext} from './context.js'
import {watchAbort} from './response-sink.js'
import {adminErrorBody, toTokenHubError} from './errors.js'
import {newRequestId} from './request-id.js'
import {checkRequestHead, type RequestLimits} from './limits.js'
import {inRequestScope} from './request-scope.js'
import type {InflightTracker} from './inflight.js'

export interface JsonReply {
  status?: number
  body: unknown
  /** Send `body` (a string) as is with this content type instead of JSON (CSV exports). */
  contentType?: string
}

export type JsonHandler = (ctx: RequestContext) => Promise<JsonReply> | JsonReply

export interface RouteEnv {
  logger: Logger
  inflight: InflightTracker
  maxBodyBytes: number
  limits: RequestLimits
  isShuttingDown: () => boolean
}

export const REQUEST_ID_HEADER = 'x-tokenhub-request-id'

export function sendJson(res: Response, status: number, body: unknown, requestId: string, contentType?: string): void {
  if (res.completed) return
  res.atomic(() => {
    res
      .status(status)
      .header(REQUEST_ID_HEADER, requestId)
      .header('content-type', contentType ?? 'application/json')
      .send(contentType && typeof body === 'string' ? body : JSON.stringify(body))
  })
}

/** Adapts a plain JSON handler to hyper-express: request id, drain tracking, error mapping, logging. */
export function jsonRoute(env: RouteEnv, handler: JsonHandler, guard?: (ctx: Pick<RequestContext, 'header'>) => void) {
  return async (req: Request, res: Response): Promise<void> => {
    const requestId = newRequestId()
    const started = performance.now()
    if (env.isShuttingDown()) {
      res.header('connection', 'close')
      sendJson(res, 503, {error: {code: 'SHUTTING_DOWN', message: 'the daemon is shutting down'}}, requestId)
      return
    }
    env.inflight.begin()
    // The guard runs before the context starts reading a chunked body: a caller without the
    // token must not make the daemon buffer up to the body limit (the body is discarded unread).
    let status = 200
    try {
      checkRequestHead(req, res, env.limits)
      if (guard) {
        try {
          guard({header: (name) => req.headers[name.toLowerCase()]})
        } catch (error) {
          res.header('connection', 'close')
          throw error
        }
      }
      const ctx = createContext(req, requestId, env.maxBodyBytes, watchAbort(res))
      const reply = await inRequestScope(ctx.method, {requestId, remoteAddress: ctx.remoteAddress}, () => handler(ctx))
      status = reply.status ?? 200
      sendJson(res, status, reply.body, requestId, reply.contentType)
    } catch (error) {
      const failure: TokenHubError = toTokenHubError(error)
      status = failure.status
      if (status >= 500 && failure.code === 'INTERNAL') env.logger.error({err: failure.cause ?? failure, request_id: requestId, path: req.path}, 'request failed')
      sendJson(res, status, adminErrorBody(failure), requestId)
    } finally {
      env.inflight.end()
      env.logger.debug({request_id: requestId, method: req.method, path: req.path, status, ms: Math.round(performance.now() - started)}, 'admin request')
    }
  }
}

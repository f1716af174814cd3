import HyperExpress from 'hyper-express'
import type {Request, Response} from 'hyper-express'
import {newRequestId} from './http/request-id.js'
import {TokenHubError} from '../src/core/errors.js'
import type {Logger} from '../src/logging/logger.js'
import {apiKeyRoutes} from './admin/apikey-routes.js'
import {requireAdminToken, requireBearer} from './admin/auth.js'
import type {AdminDeps, AdminRoute} from './admin/deps.js'
import {rejectAmbiguousQuery, rejectUnknownQuery} from './admin/pagination.js'
import {registryRoutes} from './admin/registry-routes.js'
import {observabilityRoutes} from './admin/observability-routes.js'
import {runtimeRoutes} from './admin/runtime-routes.js'
import {registerEventRoutes, WS_CLOSE_GOING_AWAY, WS_CLOSE_TOKEN_ROTATED} from './events/routes.js'
import {dialectErrorBody} from './gateway/dialect-errors.js'
import {closedOnAmbiguousFraming} from './http/limits.js'
import {registerV1Routes} from './gateway/routes.js'
import {systemRoutes} from './admin/system-routes.js'
import {adminErrorBody} from './http/errors.js'
import {InflightTracker} from './http/inflight.js'
import type {RequestLimits} from './http/limits.js'
import {jsonRoute, sendJson, type RouteEnv} from './http/json-route.js'
import {getAndHead, headAware} from './http/head.js'

export interface AppOptions {
  logger: Logger
  /** Largest request body, URL and header block accepted (bytes). */
  limits: RequestLimits
}

export interface App {
  server: HyperExpress.Server
  inflight: InflightTracker
  /** Refuse new requests (503) from now on; in-flight ones continue. */
  beginShutdown(): void
}

/** Builds the HTTP application (every route) without binding a port. */
export function createApp(deps: AdminDeps, options: AppOptions): App {
  const server = new HyperExpress.Server({
    auto_close: false,
    // hyper-express would answer an oversized body with an empty 413 after draining it; our
    // handlers check Content-Length first and answer JSON at once (hyper-express buffers at most
    // max_body_buffer before pausing, so this does not buffer unbounded bodies).
    max_body_length: Number.MAX_SAFE_INTEGER,
  })
  const inflight = new InflightTracker()
  let shuttingDown = false
  const env: RouteEnv = {logger: options.logger, inflight, maxBodyBytes: options.limits.maxBodyBytes, limits: options.limits, isShuttingDown: () => shuttingDown}

  getAndHead(
    server,
    '/healthz',
    jsonRoute(env, () => ({
      body: {status: 'ok', version: deps.version, uptime_s: Math.floor((Date.now() - deps.startedAt) / 1000), vault_locked: deps.vault.locked},
    })),
  )

  const adminGuard = requireAdminToken(deps.adminToken)
  const adminRoutes = [
    ...systemRoutes(deps),
    ...registryRoutes(deps),
    ...apiKeyRoutes(deps),
    ...runtimeRoutes({runtime: deps.runtime, aliases: deps.aliases, routing: deps.routing, store: deps.store, vault: deps.vault}),
    ...observabilityRoutes({runtime: deps.runtime, store: deps.store}),
  ]
  // A request that ended in this loop turn (say, in a timer) may not have reached logs, stats and
  // metrics yet when the next poll brings an admin read: its client could already have the answer.
  // Drained before the route runs, outside any admin request scope.
  const settled =
    (route: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response): Promise<void> => {
      deps.runtime.records.drain()
      return route(req, res)
    }
  for (const route of adminRoutes) {
    const handler = settled(jsonRoute(env, checkedQuery(route), adminGuard))
    if (route.method === 'get') getAndHead(server, route.path, handler)
    else server[route.method](route.path, handler)
  }
  const allowedMethods = methodsByPath([
    ...adminRoutes.flatMap((route) => (route.method === 'get' ? [route, {method: 'head', path: route.path}] : [route])),
    {method: 'get', path: '/admin/v1/events'},
  ])

  registerV1Routes(server, env, {gateway: deps.runtime.gateway, auth: deps.runtime.auth, catalog: deps.runtime.catalog})
  const streams = registerEventRoutes(server, {bus: deps.bus, logger: options.logger, guard: adminGuard, isShuttingDown: () => shuttingDown, settle: () => deps.runtime.records.drain()})
  // The old token no longer opens a stream, so one it opened must not keep following either: a
  // last notice, then the stream ends (the client's reconnection gets 401).
  deps.adminToken.onRotate(() => streams.closeAll('the admin token was rotated; reconnect with the new token', WS_CLOSE_TOKEN_ROTATED, 'admin token rotated'))

  getAndHead(
    server,
    '/metrics',
    settled(
      jsonRoute(
        env,
        async () => ({body: await deps.runtime.prometheus.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8'}),
        deps.metricsToken ? requireBearer(deps.metricsToken, 'metrics token (TOKENHUB_METRICS_TOKEN)') : undefined,
      ),
    ),
  )

  server.set_not_found_handler(headAware((req, res) => {
    const requestId = newRequestId()
    // Bytes after an ambiguous body must not be read as a next request on this connection (see checkFraming).
    if (closedOnAmbiguousFraming(req, res)) return
    // Unknown admin paths need the token too, so they cannot be used to probe the API.
    const notFound = new TokenHubError('NOT_FOUND', `no route for ${req.method} ${req.path}`)
    if (req.path.startsWith('/admin/')) {
      try {
        adminGuard({header: (name) => req.headers[name.toLowerCase()]})
      } catch (error) {
        sendJson(res, 401, adminErrorBody(error as TokenHubError), requestId)
        return
      }
      if (req.path === '/admin/v1/ws') {
        sendJson(res, 400, adminErrorBody(new TokenHubError('VALIDATION', '/admin/v1/ws is a WebSocket endpoint: open it with a WebSocket client (or follow GET /admin/v1/events, the same events as SSE)')), requestId)
        return
      }
      // The path is right and the verb is not: 405 with the verbs it takes.
      const allow = allowedMethods(req.path)
      if (allow.length > 0) {
        res.header('allow', allow.join(', '))
        sendJson(res, 405, adminErrorBody(new TokenHubError('METHOD_NOT_ALLOWED', `${req.path} does not take ${req.method}; it takes ${allow.join(', ')}`)), requestId)
        return
      }
    }
    // Under /v1 the SDKs parse their own error shape: Anthropic's when it sent its headers.
    if (req.path.startsWith('/v1/') || req.path === '/v1') {
      const dialect = req.headers['anthropic-version'] || req.headers['x-api-key'] ? 'anthropic' : 'openai'
      sendJson(res, 404, dialectErrorBody(dialect, notFound), requestId)
      return
    }
    sendJson(res, 404, adminErrorBody(notFound), requestId)
  }))

  server.set_error_handler((req, res, error) => {
    options.logger.error({err: error, path: req.path}, 'unhandled error in route')
    sendJson(res, 500, {error: {code: 'INTERNAL', message: 'internal error; see the daemon log for details'}}, newRequestId())
  })

  return {
    server,
    inflight,
    beginShutdown: () => {
      shuttingDown = true
      streams.closeAll('the daemon is shutting down', WS_CLOSE_GOING_AWAY, 'daemon shutting down')
    },
  }
}

/** The route's handler, after a 400 for a query parameter it does not read, or one given twice or empty. */
function checkedQuery(route: AdminRoute): AdminRoute['handler'] {
  const allowed = route.query === 'any' ? null : (route.query ?? [])
  return (ctx) => {
    rejectAmbiguousQuery(ctx.query)
    if (allowed) rejectUnknownQuery(ctx.query, allowed)
    return route.handler(ctx)
  }
}

/** For a path no route of its method matched: the methods whose routes match it (uppercase), for 405 and Allow. */
function methodsByPath(routes: ReadonlyArray<{method: string; path: string}>): (path: string) => string[] {
  const patterns = routes.map((route) => ({
    method: route.method.toUpperCase(),
    // hyper-express patterns: ':name' is one segment, a trailing '*' the rest of the path.
    pattern: new RegExp(`^${route.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+').replace(/\*$/, '.+')}$`),
  }))
  return (path) => [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))]
}


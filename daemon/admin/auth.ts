import type {AdminTokenHolder} from '../../src/auth/admin-token.js'
import {secretsEqual} from '../../src/auth/secrets.js'
import {TokenHubError} from '../../src/core/errors.js'
import type {RequestContext} from '../http/context.js'

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** Guard for /admin/v1/*: the admin token as a Bearer token, compared in constant time. */
export function requireAdminToken(holder: AdminTokenHolder) {
  return (ctx: Pick<RequestContext, 'header'>): void => {
    const token = bearerToken(ctx.header('authorization'))
    if (!holder.verify(token)) {
      throw new TokenHubError('AUTH_INVALID', token ? 'invalid admin token' : 'missing admin token: send Authorization: Bearer <admin token>', {
        suggestion: 'Use the token from `tokenhub admin-token` (TOKENHUB_ADMIN_TOKEN or <data dir>/.admin-token).',
      })
    }
  }
}

/** Guard for a route protected by a fixed bearer token (e.g. /metrics with TOKENHUB_METRICS_TOKEN). */
export function requireBearer(expected: string, what: string) {
  return (ctx: Pick<RequestContext, 'header'>): void => {
    const token = bearerToken(ctx.header('authorization'))
    if (!token || !secretsEqual(token, expected)) throw new TokenHubError('AUTH_INVALID', `missing or wrong ${what}`)
  }
}

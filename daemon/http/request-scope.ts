import {AsyncLocalStorage} from 'node:async_hooks'

export interface RequestScope {
  requestId: string
  remoteAddress: string
  /** Writes the answer must wait for (audit records of this request reaching the disk). */
  pending?: Array<Promise<unknown>>
}

/**
 * The admin request being handled, visible to code deep below the route (the audit trail reads
 * it when a service reports a change) without threading it through every call.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>()

let active = 0

/**
 * Runs `handler` with `scope` visible to requestScope.getStore(). On Node 20 an
 * AsyncLocalStorage in use turns on promise hooks for the whole process, which cost every /v1
 * request several microseconds; so the storage is switched off again once no scoped request is
 * running, and only requests that can change something (not GET or HEAD) are scoped.
 */
export async function inRequestScope<T>(method: string, scope: RequestScope, handler: () => Promise<T> | T): Promise<T> {
  if (method === 'GET' || method === 'HEAD') return handler()
  active++
  try {
    return await requestScope.run(scope, handler)
  } finally {
    // The scope is off before the disk wait: it costs every /v1 request while on.
    if (--active === 0) requestScope.disable()
    // An admin change is acknowledged only once its audit record is on disk (a failed or denied
    // call too: a refused vault password must not vanish in a crash right after the 401).
    if (scope.pending) await Promise.allSettled(scope.pending)
  }
}

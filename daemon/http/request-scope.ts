import {AsyncLocalStorage} from 'node:async_hooks'

export interface RequestScope {
  requestId: string
  remoteAddress: string
}

/**
 * The admin request being handled, visible to code deep below the route (the audit trail reads
 * it when a service reports a change) without threading it through every call.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>()

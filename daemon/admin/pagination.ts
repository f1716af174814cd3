import {paginate} from '../../src/admin/context.js'
import type {AdminRoute} from './deps.js'
import {validation} from '../../src/core/errors.js'

/** The query parameters of a paged list. */
export const PAGE = ['limit', 'offset'] as const

/** A 400 naming the first query parameter the route does not read. */
export function rejectUnknownQuery(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      throw validation(allowed.length === 0 ? `unknown query parameter "${name}": this endpoint takes none` : `unknown query parameter "${name}"; use ${allowed.join(', ')}`)
    }
  }
}

/**
 * A 400 for a parameter given twice (which one would count?) or a filter given empty (it would
 * quietly mean "no filter": a wider answer than asked for). An empty limit or offset is the default.
 */
export function rejectAmbiguousQuery(query: URLSearchParams): void {
  const seen = new Set<string>()
  for (const [name, value] of query) {
    if (seen.has(name)) throw validation(`query parameter "${name}" is given more than once; give it once`)
    seen.add(name)
    if (value === '' && !(PAGE as readonly string[]).includes(name)) throw validation(`query parameter "${name}" is empty; give a value or leave it out`)
  }
}

export const DEFAULT_PAGE_LIMIT = 500
export const MAX_PAGE_LIMIT = 5000

function nonNegativeInt(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name)
  if (raw === null || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw validation(`query parameter ${name} must be a non-negative integer, got "${raw}"`)
  return Math.min(Number(raw), max)
}

export function pageParams(query: URLSearchParams): {limit: number; offset: number} {
  return {
    limit: nonNegativeInt(query, 'limit', DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT),
    offset: nonNegativeInt(query, 'offset', 0, Number.MAX_SAFE_INTEGER),
  }
}

export function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  if (['true', '1', 'yes'].includes(raw)) return true
  if (['false', '0', 'no'].includes(raw)) return false
  throw validation(`query parameter ${name} must be true or false, got "${raw}"`)
}

/** GET `path`: the list a route reads, paginated (`limit`, `offset`), with the filters it reads besides. */
export function pagedListRoute(path: string, list: (query: URLSearchParams) => readonly unknown[], filters: readonly string[] = []): AdminRoute {
  return {
    method: 'get',
    path,
    query: [...PAGE, ...filters],
    handler: (ctx) => {
      const {limit, offset} = pageParams(ctx.query)
      return {body: paginate(list(ctx.query), limit, offset)}
    },
  }
}

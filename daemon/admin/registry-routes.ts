import {discoverModels} from '../../src/admin/discover.js'
import type {Upserted} from '../../src/admin/context.js'
import type {JsonReply} from '../http/json-route.js'
import type {AdminDeps, AdminRoute} from './deps.js'
import {booleanParam, pagedListRoute} from './pagination.js'
import {decodePathSegment} from '../http/context.js'

const MODEL_PREFIX = '/admin/v1/models/'

/** Model ids contain slashes: take the rest of the path, raw or percent-encoded. */
function modelIdFrom(path: string): string {
  return decodePathSegment(path.slice(MODEL_PREFIX.length), 'model id')
}

/** A POST that made a new record: 201 (`created: true`). */
function created<T>(value: T, fields: (value: T) => object): JsonReply {
  return {status: 201, body: {ok: true, created: true, ...fields(value)}}
}

/** TokenHub's create-or-update POST: 201 when it created, 200 with the fields it changed when the id existed. */
function upserted<T>(result: Upserted<T>, fields: (value: T) => object): JsonReply {
  if (result.created) return created(result.value, fields)
  return {status: 200, body: {ok: true, created: false, changed: result.changed, ...fields(result.value)}}
}

export function registryRoutes(deps: AdminDeps): AdminRoute[] {
  return [
    pagedListRoute('/admin/v1/providers', () => deps.providers.list()),
    {
      method: 'post',
      path: '/admin/v1/providers',
      query: ['create_only'],
      handler: async (ctx) => {
        const body = await ctx.json()
        if (booleanParam(ctx.query, 'create_only')) return created(await deps.providers.create(body), (provider) => ({provider, cred_store: provider.cred_store}))
        return upserted(await deps.providers.upsert(body), (provider) => ({provider, cred_store: provider.cred_store}))
      },
    },
    {method: 'get', path: '/admin/v1/providers/:id', handler: (ctx) => ({body: deps.providers.get(ctx.params.id)})},
    {method: 'patch', path: '/admin/v1/providers/:id', handler: async (ctx) => ({body: {ok: true, provider: await deps.providers.patch(ctx.params.id, await ctx.json())}})},
    {
      method: 'delete',
      path: '/admin/v1/providers/:id',
      query: ['cascade'],
      handler: async (ctx) => ({body: {ok: true, ...(await deps.providers.delete(ctx.params.id, {cascade: booleanParam(ctx.query, 'cascade') ?? false}))}}),
    },
    {
      method: 'get',
      path: '/admin/v1/providers/:id/discover',
      handler: async (ctx) => {
        const provider = deps.providers.record(ctx.params.id)
        const apiKey = await deps.providers.apiKey(provider.id)
        return {body: await discoverModels({provider, apiKey, doc: deps.store.data, timeoutMs: Math.min(deps.providerTimeoutMs, 30_000)})}
      },
    },
    pagedListRoute('/admin/v1/models', (query) => deps.models.list({provider_id: query.get('provider_id') ?? undefined, enabled: booleanParam(query, 'enabled')}), ['provider_id', 'enabled']),
    {
      method: 'post',
      path: '/admin/v1/models',
      query: ['create_only'],
      handler: async (ctx) => {
        const body = await ctx.json()
        if (booleanParam(ctx.query, 'create_only')) return created(await deps.models.create(body), (result) => result)
        return upserted(await deps.models.upsert(body), (result) => result)
      },
    },
    {method: 'get', path: `${MODEL_PREFIX}*`, handler: (ctx) => ({body: deps.models.get(modelIdFrom(ctx.path))})},
    {method: 'patch', path: `${MODEL_PREFIX}*`, handler: async (ctx) => ({body: {ok: true, model: await deps.models.patch(modelIdFrom(ctx.path), await ctx.json())}})},
    {method: 'delete', path: `${MODEL_PREFIX}*`, handler: async (ctx) => ({body: {ok: true, ...(await deps.models.delete(modelIdFrom(ctx.path)))}})},
    {method: 'get', path: '/admin/v1/routing-config', handler: () => ({body: deps.routing.get()})},
    {method: 'put', path: '/admin/v1/routing-config', handler: async (ctx) => ({body: {ok: true, ...(await deps.routing.set(await ctx.json()))}})},
  ]
}

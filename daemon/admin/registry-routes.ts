import {discoverModels} from '../../src/admin/discover.js'
import type {AdminDeps, AdminRoute} from './deps.js'
import {booleanParam, pagedListRoute} from './pagination.js'
import {decodePathSegment} from '../http/context.js'

const MODEL_PREFIX = '/admin/v1/models/'

/** Model ids contain slashes: take the rest of the path, raw or percent-encoded. */
function modelIdFrom(path: string): string {
  return decodePathSegment(path.slice(MODEL_PREFIX.length), 'model id')
}

export function registryRoutes(deps: AdminDeps): AdminRoute[] {
  return [
    pagedListRoute('/admin/v1/providers', () => deps.providers.list()),
    {method: 'post', path: '/admin/v1/providers', handler: async (ctx) => ({status: 201, body: {ok: true, provider: await deps.providers.create(await ctx.json())}})},
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
      handler: async (ctx) => {
        const {model, warnings} = await deps.models.create(await ctx.json())
        return {status: 201, body: {ok: true, model, warnings}}
      },
    },
    {method: 'get', path: `${MODEL_PREFIX}*`, handler: (ctx) => ({body: deps.models.get(modelIdFrom(ctx.path))})},
    {method: 'patch', path: `${MODEL_PREFIX}*`, handler: async (ctx) => ({body: {ok: true, model: await deps.models.patch(modelIdFrom(ctx.path), await ctx.json())}})},
    {method: 'delete', path: `${MODEL_PREFIX}*`, handler: async (ctx) => ({body: {ok: true, ...(await deps.models.delete(modelIdFrom(ctx.path)))}})},
    {method: 'get', path: '/admin/v1/routing-config', handler: () => ({body: deps.routing.get()})},
    {method: 'put', path: '/admin/v1/routing-config', handler: async (ctx) => ({body: {ok: true, ...(await deps.routing.set(await ctx.json()))}})},
  ]
}

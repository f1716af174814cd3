import type {AdminDeps, AdminRoute} from './deps.js'
import {PAGE, pageParams} from './pagination.js'

export function apiKeyRoutes(deps: AdminDeps): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/admin/v1/apikeys',
      query: PAGE,
      handler: (ctx) => {
        const {limit, offset} = pageParams(ctx.query)
        const {items, ...page} = deps.apiKeys.page(limit, offset)
        return {body: {keys: items, ...page}}
      },
    },
    {method: 'post', path: '/admin/v1/apikeys', handler: async (ctx) => ({status: 201, body: {ok: true, ...(await deps.apiKeys.create(await ctx.json()))}})},
    {method: 'get', path: '/admin/v1/apikeys/:id', handler: (ctx) => ({body: deps.apiKeys.get(ctx.params.id)})},
    {
      method: 'patch',
      path: '/admin/v1/apikeys/:id',
      handler: async (ctx) => {
        const apiKey = await deps.apiKeys.patch(ctx.params.id, await ctx.json())
        return {body: {ok: true, api_key: apiKey, warnings: deps.apiKeys.unknownRestrictions(apiKey)}}
      },
    },
    {
      method: 'post',
      path: '/admin/v1/apikeys/:id/rotate',
      handler: async (ctx) => {
        await ctx.noBody()
        return {body: {ok: true, ...(await deps.apiKeys.rotate(ctx.params.id))}}
      },
    },
    {method: 'delete', path: '/admin/v1/apikeys/:id', handler: async (ctx) => ({body: {ok: true, api_key: await deps.apiKeys.revoke(ctx.params.id)}})},
  ]
}

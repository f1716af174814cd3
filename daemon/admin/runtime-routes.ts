import type {AliasAdmin} from '../../src/admin/aliases.js'
import type {GatewayRuntime} from '../gateway/runtime.js'
import {simulateRouting} from '../gateway/simulate.js'
import type {RoutingConfigAdmin} from '../../src/admin/routing-config.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import type {Vault} from '../../src/vault/vault.js'
import type {AdminRoute} from './deps.js'
import {decodePathSegment} from '../http/context.js'
import {pagedListRoute} from './pagination.js'

const ALIAS_PREFIX = '/admin/v1/aliases/'
const aliasNameFrom = (path: string) => decodePathSegment(path.slice(ALIAS_PREFIX.length), 'alias name')

export interface RuntimeRouteDeps {
  runtime: GatewayRuntime
  aliases: AliasAdmin
  routing: RoutingConfigAdmin
  store: ConfigStore
  vault: Vault
}

/** Admin routes over the live gateway: aliases and routing simulation. */
export function runtimeRoutes(deps: RuntimeRouteDeps): AdminRoute[] {
  const {runtime} = deps
  return [
    pagedListRoute('/admin/v1/aliases', () => deps.aliases.list()),
    {method: 'get', path: `${ALIAS_PREFIX}*`, handler: (ctx) => ({body: deps.aliases.get(aliasNameFrom(ctx.path))})},
    {
      method: 'put',
      path: `${ALIAS_PREFIX}*`,
      handler: async (ctx) => {
        const {alias, created} = await deps.aliases.set(aliasNameFrom(ctx.path), await ctx.json())
        return {status: created ? 201 : 200, body: {ok: true, alias}}
      },
    },
    {method: 'delete', path: `${ALIAS_PREFIX}*`, handler: async (ctx) => ({body: {ok: true, ...(await deps.aliases.delete(aliasNameFrom(ctx.path)))}})},
    {
      method: 'post',
      path: '/admin/v1/routing/simulate',
      handler: async (ctx) => ({
        body: simulateRouting(await ctx.optionalJson(), {
          store: deps.store,
          catalog: runtime.catalog,
          health: runtime.health,
          bandit: runtime.bandit,
          routingConfig: () => deps.routing.get(),
          allowUnpriced: runtime.allowUnpriced,
          keyUsable: (providerId) => runtime.keys.usable(providerId),
          vaultLocked: deps.vault.locked,
          aliasTurns: runtime.gateway.aliasTurns,
        }),
      }),
    },
  ]
}

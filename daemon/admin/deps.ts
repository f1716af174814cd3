import type {AliasAdmin} from '../../src/admin/aliases.js'
import type {ApiKeyAdmin} from '../../src/admin/api-keys.js'
import type {AdminContext} from '../../src/admin/context.js'
import type {ModelAdmin} from '../../src/admin/models.js'
import type {ProviderAdmin} from '../../src/admin/providers.js'
import type {RoutingConfigAdmin} from '../../src/admin/routing-config.js'
import type {AdminTokenHolder} from '../../src/auth/admin-token.js'
import type {EventBus} from '../../src/events/bus.js'
import type {GatewayRuntime} from '../gateway/runtime.js'
import type {JsonHandler} from '../http/json-route.js'

export interface AdminDeps extends AdminContext {
  adminToken: AdminTokenHolder
  providers: ProviderAdmin
  models: ModelAdmin
  apiKeys: ApiKeyAdmin
  aliases: AliasAdmin
  routing: RoutingConfigAdmin
  runtime: GatewayRuntime
  bus: EventBus
  /** When set, GET /metrics needs it as a bearer token. */
  metricsToken?: string
  version: string
  startedAt: number
  providerTimeoutMs: number
  /** The daemon was started with these secrets in its environment: rotating them there is the operator's job too. */
  secretsFromEnv?: {vaultPassword: boolean; adminToken: boolean}
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

export interface AdminRoute {
  method: HttpMethod
  /** hyper-express pattern; `*` matches the rest of the path (model ids contain slashes). */
  path: string
  handler: JsonHandler
  /** Query parameters the route reads; any other is a 400 naming it (a misspelt filter must not widen a query). Default none; 'any' for a route that checks its own. */
  query?: readonly string[] | 'any'
}

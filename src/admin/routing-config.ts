import {routingConfigSchema} from '../core/schemas/routing.js'
import {parsePayload} from '../core/schemas/parse.js'
import type {RoutingConfig} from '../store/document.js'
import {changedFields, type AdminContext} from './context.js'

/**
 * The default routing policy: values set through the API (stored) win over the daemon's
 * flags/env (TOKENHUB_DEFAULT_MODE, ...), which are the starting defaults.
 */
export class RoutingConfigAdmin {
  constructor(
    private readonly ctx: AdminContext,
    private readonly defaults: RoutingConfig,
  ) {}

  get(): RoutingConfig {
    return {...this.defaults, ...this.ctx.store.data.routing}
  }

  async set(body: unknown): Promise<RoutingConfig> {
    const input = parsePayload(routingConfigSchema, body, 'invalid routing config')
    const before = this.get()
    await this.ctx.store.update((doc) => {
      doc.routing = {...doc.routing, ...input}
    })
    this.ctx.onChange({resource: 'routing_config', action: 'update', id: 'routing-config', changed: changedFields(before, this.get())})
    return this.get()
  }
}

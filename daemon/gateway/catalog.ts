import {cachePrices} from '../../src/core/cost.js'
import type {AliasDefinition} from '../../src/core/routing/alias.js'
import type {RoutableModel} from '../../src/core/routing/types.js'
import type {ConfigStore} from '../../src/store/config-store.js'

/**
 * The routable view of the registry (models joined with their providers, aliases), rebuilt only
 * when an admin change marks it stale, so requests never walk the store document.
 */
export class ModelCatalog {
  private models: RoutableModel[] = []
  private byId = new Map<string, RoutableModel>()
  private aliasList: AliasDefinition[] = []
  private stale = true

  constructor(private readonly store: ConfigStore) {}

  invalidate(): void {
    this.stale = true
  }

  all(): RoutableModel[] {
    this.refresh()
    return this.models
  }

  get(id: string): RoutableModel | undefined {
    this.refresh()
    return this.byId.get(id)
  }

  aliases(): AliasDefinition[] {
    this.refresh()
    return this.aliasList
  }

  private refresh(): void {
    if (!this.stale) return
    const {providers, models, aliases} = this.store.data
    const list: RoutableModel[] = []
    for (const model of Object.values(models)) {
      const provider = Object.hasOwn(providers, model.provider_id) ? providers[model.provider_id] : undefined
      if (!provider) continue
      list.push({
        id: model.id,
        providerId: provider.id,
        providerType: provider.type,
        upstreamModel: model.upstream_model ?? model.id,
        kind: model.kind ?? 'chat',
        weight: model.weight,
        maxContextTokens: model.max_context_tokens,
        maxOutputTokens: model.max_output_tokens,
        inputPer1k: model.input_per_1k,
        outputPer1k: model.output_per_1k,
        ...cachePrices(provider.type, model.input_per_1k, model),
        enabled: model.enabled,
        providerEnabled: provider.enabled,
        pricingSource: model.pricing_source,
      })
    }
    this.models = list
    this.byId = new Map(list.map((m) => [m.id, m]))
    this.aliasList = Object.values(aliases).map((a) => ({name: a.name, variants: a.variants, sticky_by: a.sticky_by, enabled: a.enabled}))
    this.stale = false
  }
}

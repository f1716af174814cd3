import {pruneAliases, type AliasPrune} from './aliases.js'
import {conflict, isTokenHubError, notFound, validation} from '../core/errors.js'
import {modelCreateSchema, modelPatchSchema, type ModelPatchInput} from '../core/schemas/model.js'
import {parsePayload} from '../core/schemas/parse.js'
import {createPrices, patchedPricingSource} from '../core/pricing.js'
import {getOwn, type ModelRecord} from '../store/document.js'
import {changedFields, upsertDetail, type AdminContext, type Upserted} from './context.js'
import {catalogEntry} from './model-catalog.js'

export const DEFAULT_WEIGHT = 5
export const DEFAULT_CONTEXT_TOKENS = 32_768

export interface ModelCreateResult {
  model: ModelRecord
  /** Defaults applied that the operator may want to check (unknown price, assumed context). */
  warnings: string[]
}

export class ModelAdmin {
  constructor(private readonly ctx: AdminContext) {}

  list(filter: {provider_id?: string; enabled?: boolean} = {}): ModelRecord[] {
    return Object.values(this.ctx.store.data.models).filter(
      (m) => (filter.provider_id === undefined || m.provider_id === filter.provider_id) && (filter.enabled === undefined || m.enabled === filter.enabled),
    )
  }

  get(id: string): ModelRecord {
    const record = getOwn(this.ctx.store.data.models, id)
    if (!record) throw notFound('model', id)
    return record
  }

  async create(body: unknown): Promise<ModelCreateResult> {
    const input = parsePayload(modelCreateSchema, body, 'invalid model')
    this.requireProvider(input.provider_id)
    if (getOwn(this.ctx.store.data.models, input.id)) {
      throw conflict(`model "${input.id}" already exists; change it with PATCH /admin/v1/models/${input.id} (tokenhub model edit)`, {id: input.id})
    }
    // The same rule as for aliases, the other way round: a model would silently take the alias's requests.
    if (getOwn(this.ctx.store.data.aliases, input.id)) {
      throw conflict(`"${input.id}" is an alias; a model cannot shadow it (delete the alias first: tokenhub alias delete ${input.id})`, {id: input.id})
    }
    // By the upstream id, else by the gateway id (`claude-sonnet-4-5` for a dated upstream snapshot).
    const known = catalogEntry(input.upstream_model ?? input.id) ?? (input.upstream_model ? catalogEntry(input.id) : undefined)
    const kind = input.kind ?? known?.kind ?? (/embed/i.test(input.upstream_model ?? input.id) ? 'embedding' : 'chat')
    const prices = createPrices({id: input.id, kind, input_per_1k: input.input_per_1k, output_per_1k: input.output_per_1k, known})
    const warnings = [...prices.warnings]
    const maxContext = input.max_context_tokens ?? known?.max_context_tokens
    if (maxContext === undefined) warnings.push(`max_context_tokens not given: assuming ${DEFAULT_CONTEXT_TOKENS}`)
    const now = this.ctx.now().toISOString()
    const record: ModelRecord = {
      id: input.id,
      provider_id: input.provider_id,
      upstream_model: input.upstream_model ?? null,
      kind,
      weight: input.weight ?? DEFAULT_WEIGHT,
      max_context_tokens: maxContext ?? DEFAULT_CONTEXT_TOKENS,
      max_output_tokens: input.max_output_tokens ?? known?.max_output_tokens ?? null,
      input_per_1k: prices.input_per_1k,
      output_per_1k: prices.output_per_1k,
      cache_read_per_1k: input.cache_read_per_1k ?? null,
      cache_write_per_1k: input.cache_write_per_1k ?? null,
      enabled: input.enabled ?? true,
      pricing_source: prices.pricing_source,
      created_at: now,
      updated_at: now,
    }
    this.requireServable(record)
    await this.ctx.store.update((doc) => {
      doc.models[record.id] = record
    })
    this.ctx.onChange({resource: 'model', action: 'create', id: record.id})
    return {model: record, warnings}
  }

  /**
   * POST /admin/v1/models: creates the model or, when the id exists, updates it (TokenHub's
   * upsert). The body is checked as a create whether or not the id exists, then an existing model
   * changes as a PATCH with those fields would (every PATCH check included); fields left out keep
   * their values (TokenHub reset them: weight 0, disabled). A create's catalog defaults and warnings
   * are for new models only.
   */
  async upsert(body: unknown): Promise<Upserted<ModelCreateResult>> {
    const input = parsePayload(modelCreateSchema, body, 'invalid model')
    if (!getOwn(this.ctx.store.data.models, input.id)) {
      try {
        return {value: await this.create(body), created: true, changed: []}
      } catch (error) {
        // Only the "already exists" refusal (a concurrent create won): an alias of that name stays a 409.
        if (!(isTokenHubError(error) && error.code === 'CONFLICT' && getOwn(this.ctx.store.data.models, input.id))) throw error
      }
    }
    const {id, ...change} = input
    const {model, changed} = await this.update(id, change, {upsert: true})
    return {value: {model, warnings: []}, created: false, changed}
  }

  async patch(id: string, body: unknown): Promise<ModelRecord> {
    this.get(id)
    const input = parsePayload(modelPatchSchema, body, 'invalid model change')
    if (input.id !== undefined && input.id !== id) throw validation(`id: the body says "${input.id}" but the path says "${id}"; a model's id cannot change`)
    return (await this.update(id, input, {upsert: false})).model
  }

  private async update(id: string, input: ModelPatchInput, how: {upsert: boolean}): Promise<{model: ModelRecord; changed: string[]}> {
    const current = this.get(id)
    if (input.provider_id !== undefined) this.requireProvider(input.provider_id)
    // Read-only fields are the server's; pricing_source in a body marks a GET result sent back.
    const {pricing_source: resent, id: _id, created_at: _created, updated_at: _updated, ...change} = input
    const next: ModelRecord = {
      ...current,
      ...definedOnly(change),
      pricing_source: patchedPricingSource(current, change, resent !== undefined),
      updated_at: this.ctx.now().toISOString(),
    }
    // Only a change of what the rule is about is checked: a model left unservable can still be disabled.
    if (input.provider_id !== undefined || input.kind !== undefined) this.requireServable(next)
    const changed = changedFields(current, next)
    // Nothing to change (a provisioning script run again): the record, its updated_at included, stays.
    if (changed.length > 0) {
      await this.ctx.store.update((doc) => {
        doc.models[id] = next
      })
    }
    this.ctx.onChange({resource: 'model', action: 'update', id, changed, ...(how.upsert && {detail: upsertDetail(changed)})})
    return {model: changed.length > 0 ? next : current, changed}
  }

  setEnabled(id: string, enabled: boolean): Promise<ModelRecord> {
    return this.patch(id, {enabled})
  }

  /** Deletes the model and drops it from the aliases that name it (an alias left empty goes too). */
  async delete(id: string): Promise<{id: string} & AliasPrune> {
    this.get(id)
    let pruned: AliasPrune = {updated_aliases: [], deleted_aliases: []}
    await this.ctx.store.update((doc) => {
      delete doc.models[id]
      pruned = pruneAliases(doc.aliases, new Set([id]), this.ctx.now().toISOString())
    })
    this.ctx.onChange({resource: 'model', action: 'delete', id})
    for (const name of pruned.updated_aliases) this.ctx.onChange({resource: 'alias', action: 'update', id: name})
    for (const name of pruned.deleted_aliases) this.ctx.onChange({resource: 'alias', action: 'delete', id: name})
    return {id, ...pruned}
  }

  /** A model its provider cannot serve is refused, not registered to be skipped on every request. */
  private requireServable(record: ModelRecord): void {
    const provider = getOwn(this.ctx.store.data.providers, record.provider_id)
    if (provider?.type === 'anthropic' && record.kind === 'embedding') {
      throw validation(`kind: Anthropic has no embeddings API, so provider "${provider.id}" cannot serve embedding model "${record.id}"; register it on an openai or vllm provider`, {
        issues: [{path: 'kind', message: 'embedding models need an openai or vllm provider'}],
      })
    }
  }

  private requireProvider(providerId: string): void {
    if (!getOwn(this.ctx.store.data.providers, providerId)) {
      throw validation(`provider_id: provider "${providerId}" does not exist; add it first (tokenhub provider add)`, {
        issues: [{path: 'provider_id', message: 'unknown provider'}],
      })
    }
  }
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>
}

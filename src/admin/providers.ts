import {pruneAliases, type AliasPrune} from './aliases.js'
import type {ProviderDto} from '../core/api-types.js'
import {conflict, isTokenHubError, notFound, validation} from '../core/errors.js'
import {providerCreateSchema, providerPatchSchema, type ProviderPatchInput} from '../core/schemas/provider.js'
import {parsePayload} from '../core/schemas/parse.js'
import {getOwn, type ProviderRecord} from '../store/document.js'
import {changedFields, upsertDetail, type AdminContext, type Upserted} from './context.js'

export type ProviderView = ProviderDto

/** "https://api.openai.com/v1/" and "https://api.openai.com" mean the same upstream. */
export function normalizeBaseUrl(raw: string): string {
  return raw.trim().replace(/\/+$/, '').replace(/\/v1$/, '')
}

export function toProviderView(record: ProviderRecord, modelCount: number): ProviderView {
  return {
    id: record.id,
    type: record.type,
    base_url: record.base_url,
    enabled: record.enabled,
    has_api_key: record.api_key_enc !== null,
    cred_store: record.api_key_enc !== null ? 'vault' : 'none',
    model_count: modelCount,
    created_at: record.created_at,
    updated_at: record.updated_at,
  }
}

export class ProviderAdmin {
  constructor(private readonly ctx: AdminContext) {}

  list(): ProviderView[] {
    const counts = this.modelCounts()
    return Object.values(this.ctx.store.data.providers).map((p) => toProviderView(p, counts.get(p.id) ?? 0))
  }

  get(id: string): ProviderView {
    return toProviderView(this.record(id), this.modelCounts().get(id) ?? 0)
  }

  record(id: string): ProviderRecord {
    const record = getOwn(this.ctx.store.data.providers, id)
    if (!record) throw notFound('provider', id)
    return record
  }

  async create(body: unknown): Promise<ProviderView> {
    const input = parsePayload(providerCreateSchema, body, 'invalid provider')
    if (getOwn(this.ctx.store.data.providers, input.id)) {
      throw conflict(`provider "${input.id}" already exists; change it with PATCH /admin/v1/providers/${input.id} (tokenhub provider edit)`, {id: input.id})
    }
    const apiKeyEnc = input.api_key === undefined ? null : await this.ctx.vault.encryptSecret(input.api_key)
    const now = this.ctx.now().toISOString()
    const record: ProviderRecord = {
      id: input.id,
      type: input.type,
      base_url: normalizeBaseUrl(input.base_url),
      enabled: input.enabled ?? true,
      api_key_enc: apiKeyEnc,
      created_at: now,
      updated_at: now,
    }
    // Re-check after the await: a concurrent create of the same id must not be overwritten.
    if (getOwn(this.ctx.store.data.providers, input.id)) throw conflict(`provider "${input.id}" already exists`, {id: input.id})
    await this.ctx.store.update((doc) => {
      doc.providers[record.id] = record
    })
    this.ctx.onChange({resource: 'provider', action: 'create', id: record.id})
    return this.get(record.id)
  }

  /**
   * POST /admin/v1/providers: creates the provider or, when the id exists, updates it (TokenHub's
   * upsert, so a provisioning script can run again). The body is checked as a create whether or not
   * the id exists (a script is judged the same on a new daemon and on a provisioned one), then an
   * existing provider changes as a PATCH with those fields would, every PATCH check included; fields
   * left out keep their values, a stored API key first of all (TokenHub forgot it).
   */
  async upsert(body: unknown): Promise<Upserted<ProviderView>> {
    const input = parsePayload(providerCreateSchema, body, 'invalid provider')
    if (!getOwn(this.ctx.store.data.providers, input.id)) {
      try {
        return {value: await this.create(body), created: true, changed: []}
      } catch (error) {
        // A concurrent create of the same id won the race: this one updates it instead.
        if (!(isTokenHubError(error) && error.code === 'CONFLICT' && getOwn(this.ctx.store.data.providers, input.id))) throw error
      }
    }
    const {id, created_at: _c, updated_at: _u, has_api_key: _h, cred_store: _s, model_count: _m, ...change} = input
    const {view, changed} = await this.update(id, change, {upsert: true})
    return {value: view, created: false, changed}
  }

  async patch(id: string, body: unknown): Promise<ProviderView> {
    this.record(id)
    const input = parsePayload(providerPatchSchema, body, 'invalid provider change')
    if (input.id !== undefined && input.id !== id) throw validation(`id: the body says "${input.id}" but the path says "${id}"; a provider's id cannot change`)
    return (await this.update(id, input, {upsert: false})).view
  }

  private async update(id: string, input: ProviderPatchInput, how: {upsert: boolean}): Promise<{view: ProviderView; changed: string[]}> {
    this.record(id)
    const apiKeyEnc = input.api_key === undefined ? undefined : input.api_key === null ? null : await this.encryptedUnlessSame(id, input.api_key)
    const current = this.record(id)
    if (input.type === 'anthropic' && current.type !== 'anthropic') {
      const embeddings = Object.values(this.ctx.store.data.models)
        .filter((m) => m.provider_id === id && m.kind === 'embedding')
        .map((m) => m.id)
      if (embeddings.length > 0) {
        throw conflict(
          `type: Anthropic has no embeddings API, and provider "${id}" has embedding model(s) ${embeddings.slice(0, 5).join(', ')}${embeddings.length > 5 ? ', ...' : ''}; move them to an openai or vllm provider (tokenhub model edit <id> --provider ...) or delete them first`,
          {models: embeddings},
        )
      }
    }
    const next: ProviderRecord = {
      ...current,
      ...(input.type !== undefined && {type: input.type}),
      ...(input.base_url !== undefined && {base_url: normalizeBaseUrl(input.base_url)}),
      ...(input.enabled !== undefined && {enabled: input.enabled}),
      ...(apiKeyEnc !== undefined && {api_key_enc: apiKeyEnc}),
      updated_at: this.ctx.now().toISOString(),
    }
    const changed = changedFields(current, next, {api_key_enc: 'api_key'})
    // Nothing to change (a provisioning script run again): the record, its updated_at included, stays.
    if (changed.length > 0) {
      await this.ctx.store.update((doc) => {
        doc.providers[id] = next
      })
    }
    this.ctx.onChange({resource: 'provider', action: 'update', id, changed, ...(how.upsert && {detail: upsertDetail(changed)})})
    return {view: this.get(id), changed}
  }

  /**
   * The stored ciphertext when the key sent is the one stored (the vault unlocked tells), so
   * sending the same key again (a provisioning script run again) is no change: a changed key
   * makes the provider a new upstream target and forgets its health. Locked, it cannot tell.
   */
  private async encryptedUnlessSame(id: string, apiKey: string): Promise<string> {
    const stored = this.record(id).api_key_enc
    if (stored !== null && !this.ctx.vault.locked) {
      const same = await this.ctx.vault.decryptSecret(stored).then(
        (plain) => plain === apiKey,
        () => false,
      )
      if (same) return stored
    }
    return this.ctx.vault.encryptSecret(apiKey)
  }

  /** Refuses (409) while models use the provider, unless cascade deletes them too. */
  async delete(id: string, options: {cascade: boolean}): Promise<{id: string; deleted_models: string[]} & AliasPrune> {
    this.record(id)
    const models = Object.values(this.ctx.store.data.models)
      .filter((m) => m.provider_id === id)
      .map((m) => m.id)
    if (models.length > 0 && !options.cascade) {
      throw conflict(
        `provider "${id}" still has ${models.length} model(s): ${models.slice(0, 5).join(', ')}${models.length > 5 ? ', ...' : ''}; delete them first or pass ?cascade=true (tokenhub provider delete ${id} --cascade)`,
        {models},
      )
    }
    let pruned: AliasPrune = {updated_aliases: [], deleted_aliases: []}
    await this.ctx.store.update((doc) => {
      delete doc.providers[id]
      for (const modelId of models) delete doc.models[modelId]
      pruned = pruneAliases(doc.aliases, new Set(models), this.ctx.now().toISOString())
    })
    this.ctx.onChange({resource: 'provider', action: 'delete', id})
    // Each model the cascade removed is announced and audited as a model delete would be.
    for (const modelId of models) this.ctx.onChange({resource: 'model', action: 'delete', id: modelId})
    for (const name of pruned.updated_aliases) this.ctx.onChange({resource: 'alias', action: 'update', id: name})
    for (const name of pruned.deleted_aliases) this.ctx.onChange({resource: 'alias', action: 'delete', id: name})
    return {id, deleted_models: models, ...pruned}
  }

  /** The provider's API key in plaintext (needs the vault unlocked); null when it has none. */
  async apiKey(id: string): Promise<string | null> {
    const record = this.record(id)
    return record.api_key_enc === null ? null : this.ctx.vault.decryptSecret(record.api_key_enc)
  }

  private modelCounts(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const model of Object.values(this.ctx.store.data.models)) counts.set(model.provider_id, (counts.get(model.provider_id) ?? 0) + 1)
    return counts
  }
}

import {conflict, notFound, validation} from '../core/errors.js'
import {aliasName, aliasSetSchema} from '../core/schemas/alias.js'
import {parsePayload} from '../core/schemas/parse.js'
import {getOwn, type AliasRecord} from '../store/document.js'
import {changedFields, type AdminContext} from './context.js'

/** Model aliases: a name (or `*` pattern) clients send, mapped to weighted registered models. */
export class AliasAdmin {
  constructor(private readonly ctx: AdminContext) {}

  list(): AliasRecord[] {
    return Object.values(this.ctx.store.data.aliases)
  }

  get(name: string): AliasRecord {
    const alias = getOwn(this.ctx.store.data.aliases, name)
    if (!alias) throw notFound('alias', name)
    return alias
  }

  /** Creates or replaces the alias (PUT semantics). */
  async set(name: string, body: unknown): Promise<{alias: AliasRecord; created: boolean}> {
    const parsedName = aliasName.safeParse(name)
    if (!parsedName.success) throw validation(`invalid alias name "${name}": ${parsedName.error.issues[0].message}`)
    const input = parsePayload(aliasSetSchema, body, 'invalid alias')
    if (input.name !== undefined && input.name !== name) throw validation(`name: the body says "${input.name}" but the path says "${name}"`)
    if (getOwn(this.ctx.store.data.models, name)) {
      throw conflict(`"${name}" is a registered model id; an alias cannot shadow it`, {name})
    }
    const missing = input.variants.map((v) => v.model_id).filter((id) => !getOwn(this.ctx.store.data.models, id))
    if (missing.length > 0) {
      throw validation(`variants: unknown model(s) ${missing.join(', ')}; register them first (tokenhub model add)`, {
        issues: missing.map((id) => ({path: 'variants', message: `unknown model "${id}"`})),
      })
    }
    const existing = getOwn(this.ctx.store.data.aliases, name)
    const now = this.ctx.now().toISOString()
    const alias: AliasRecord = {
      name,
      variants: input.variants.map((v) => ({model_id: v.model_id, weight: v.weight ?? 1})),
      // PUT replaces the alias: what the body leaves out takes its default, not the old value.
      sticky_by: input.sticky_by ?? 'request',
      enabled: input.enabled ?? true,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    }
    await this.ctx.store.update((doc) => {
      doc.aliases[name] = alias
    })
    this.ctx.onChange({resource: 'alias', action: existing ? 'update' : 'create', id: name, ...(existing && {changed: changedFields({...existing, created_at: 0}, {...alias, created_at: 0})})})
    return {alias, created: !existing}
  }

  async delete(name: string): Promise<{name: string}> {
    this.get(name)
    await this.ctx.store.update((doc) => {
      delete doc.aliases[name]
    })
    this.ctx.onChange({resource: 'alias', action: 'delete', id: name})
    return {name}
  }
}

/** What deleting models did to the aliases that named them. */
export interface AliasPrune {
  /** Aliases that lost variants and kept others. */
  updated_aliases: string[]
  /** Aliases left without variants, so deleted too. */
  deleted_aliases: string[]
}

/**
 * Drops deleted models from every alias's variants, inside the store update that deletes them:
 * no alias keeps pointing at a model that is gone. An alias left with no variant is deleted.
 */
export function pruneAliases(aliases: Record<string, AliasRecord>, deletedModels: ReadonlySet<string>, now: string): AliasPrune {
  const result: AliasPrune = {updated_aliases: [], deleted_aliases: []}
  for (const alias of Object.values(aliases)) {
    const kept = alias.variants.filter((v) => !deletedModels.has(v.model_id))
    if (kept.length === alias.variants.length) continue
    if (kept.length === 0) {
      delete aliases[alias.name]
      result.deleted_aliases.push(alias.name)
    } else {
      aliases[alias.name] = {...alias, variants: kept, updated_at: now}
      result.updated_aliases.push(alias.name)
    }
  }
  return result
}

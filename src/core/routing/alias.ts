import {createHash} from 'node:crypto'

export const STICKY_MODES = ['request', 'api_key', 'round_robin'] as const
export type StickyBy = (typeof STICKY_MODES)[number]

export interface AliasVariant {
  model_id: string
  weight: number
}

export interface AliasDefinition {
  /** An exact name ("gpt-4") or a pattern with `*` wildcards ("claude-*"). */
  name: string
  variants: AliasVariant[]
  sticky_by: StickyBy
  enabled: boolean
}

export const isPattern = (name: string) => name.includes('*')

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${escaped.join('.*')}$`)
}

/**
 * An exact name first, undefined when it is disabled (its requests stop: no pattern takes them);
 * then the enabled pattern with the most literal characters.
 */
export function findAlias(aliases: AliasDefinition[], requested: string): AliasDefinition | undefined {
  const exact = aliases.find((a) => !isPattern(a.name) && a.name === requested)
  if (exact) return exact.enabled ? exact : undefined
  return aliases
    .filter((a) => a.enabled && isPattern(a.name) && globToRegExp(a.name).test(requested))
    .sort((a, b) => b.name.replaceAll('*', '').length - a.name.replaceAll('*', '').length || a.name.localeCompare(b.name))[0]
}

export interface PickContext {
  apiKeyId: string | null
  random: () => number
  /** Round-robin position for this alias (the caller keeps and increments it). */
  turn: number
}

/** A point in [0, total) chosen according to the alias's stickiness. */
function pickPoint(alias: AliasDefinition, total: number, ctx: PickContext): number {
  if (alias.sticky_by === 'api_key' && ctx.apiKeyId) {
    const digest = createHash('sha256').update(`${alias.name}\u0000${ctx.apiKeyId}`).digest()
    return (digest.readUInt32BE(0) / 0x1_0000_0000) * total
  }
  if (alias.sticky_by === 'round_robin') return (ctx.turn % total) + 0.5
  return ctx.random() * total
}

/**
 * Orders an alias's variants for one request: the chosen variant first (by weight and
 * stickiness), then the others by weight as failover targets. Weight-0 variants are only used
 * for failover.
 */
export function orderVariants(alias: AliasDefinition, ctx: PickContext): string[] {
  const live = alias.variants.filter((v) => v.weight > 0)
  const byWeight = [...alias.variants].sort((a, b) => b.weight - a.weight || a.model_id.localeCompare(b.model_id))
  if (live.length === 0) return byWeight.map((v) => v.model_id)
  const total = live.reduce((sum, v) => sum + v.weight, 0)
  let point = pickPoint(alias, total, ctx)
  let chosen = live[live.length - 1]
  for (const variant of live) {
    if (point < variant.weight) {
      chosen = variant
      break
    }
    point -= variant.weight
  }
  return [chosen.model_id, ...byWeight.filter((v) => v !== chosen).map((v) => v.model_id)]
}

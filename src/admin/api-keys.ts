import {generateApiKey, randomId} from '../auth/secrets.js'
import type {ApiKeyDto} from '../core/api-types.js'
import {roundUsd} from '../core/cost.js'
import {parseDuration} from '../core/duration.js'
import {conflict, notFound, validation} from '../core/errors.js'
import {apiKeyCreateSchema, apiKeyPatchSchema, DEFAULT_SCOPES} from '../core/schemas/apikey.js'
import {parsePayload} from '../core/schemas/parse.js'
import {getOwn, type ApiKeyRecord} from '../store/document.js'
import {changedFields, paginate, type AdminContext, type Page} from './context.js'

export type ApiKeyStatus = 'active' | 'revoked' | 'expired' | 'disabled'

export type ApiKeyView = ApiKeyDto & {status: ApiKeyStatus}

/** Live usage kept outside the config document (spend this month, last use). */
export interface KeyUsageSource {
  spend(keyId: string): number
  lastUsed(keyId: string): string | null
}

export interface ApiKeyWithSecret extends ApiKeyView {
  /** The full key. Returned by create and rotate only, never stored. */
  key: string
  warning: string
  /** Restrictions naming models or providers that are not registered (a typo leaves the key with nothing to use). */
  warnings?: string[]
}

const SHOWN_ONCE = 'This is the only time the full key is shown. Store it securely now; TokenHub keeps only its hash.'

export function apiKeyStatus(record: ApiKeyRecord, now: Date | number): ApiKeyStatus {
  if (record.revoked_at) return 'revoked'
  if (record.expires_at && Date.parse(record.expires_at) <= (typeof now === 'number' ? now : now.getTime())) return 'expired'
  if (!record.enabled) return 'disabled'
  return 'active'
}

export function toApiKeyView(record: ApiKeyRecord, now: Date, usage?: KeyUsageSource): ApiKeyView {
  const {key_hash: _hash, ...rest} = record
  return {
    ...rest,
    // A revoked key is off for good (revoked before revocation turned it off too).
    enabled: record.enabled && !record.revoked_at,
    last_used_at: usage?.lastUsed(record.id) ?? record.last_used_at,
    current_spend_usd: roundUsd(usage?.spend(record.id) ?? 0),
    status: apiKeyStatus(record, now),
  }
}

/** The furthest an expiry may lie ahead: 100 years (a key that should not expire has no expiry). */
const MAX_EXPIRY_MS = 36_500 * 86_400_000

function expiryFrom(input: {expires_at?: string | null; expires_in?: string | number}, now: Date): string | null | undefined {
  if (input.expires_in !== undefined) {
    const ms = parseDuration(input.expires_in)
    if (ms > MAX_EXPIRY_MS) throw validation('expires_in: at most 36500d (100 years); leave it out for a key that does not expire')
    return new Date(now.getTime() + ms).toISOString()
  }
  if (input.expires_at === undefined) return undefined
  if (input.expires_at === null) return null
  const at = new Date(input.expires_at)
  if (at.getTime() <= now.getTime()) throw validation('expires_at: must be in the future', {issues: [{path: 'expires_at', message: 'must be in the future'}]})
  return at.toISOString()
}

/** TokenHub (Go) keys carry rate_limit_rps (-1 = unlimited); we keep requests per minute. */
function rpmFrom(input: {rate_limit_rpm?: number; rate_limit_rps?: number}): number | undefined {
  if (input.rate_limit_rpm !== undefined) return input.rate_limit_rpm
  if (input.rate_limit_rps === undefined) return undefined
  return input.rate_limit_rps <= 0 ? 0 : input.rate_limit_rps * 60
}

export class ApiKeyAdmin {
  /** Ids of the keys whose rotation is being saved. */
  private readonly rotating = new Set<string>()

  constructor(
    private readonly ctx: AdminContext,
    private readonly usage?: KeyUsageSource,
  ) {}

  /** One page, in store order; only the page's keys are read (a store may hold 100,000). */
  page(limit: number, offset: number): Page<ApiKeyView> {
    const now = this.ctx.now()
    const page = paginate(this.ctx.store.ids('api_keys'), limit, offset)
    const items = page.items.map((id) => getOwn(this.ctx.store.data.api_keys, id)).filter((record) => record !== undefined)
    return {...page, items: items.map((record) => toApiKeyView(record, now, this.usage))}
  }

  get(id: string): ApiKeyView {
    return toApiKeyView(this.record(id), this.ctx.now(), this.usage)
  }

  async create(body: unknown): Promise<ApiKeyWithSecret> {
    const input = parsePayload(apiKeyCreateSchema, body, 'invalid API key')
    const now = this.ctx.now()
    const secret = generateApiKey()
    const iso = now.toISOString()
    const record: ApiKeyRecord = {
      id: randomId(8),
      name: input.name,
      key_prefix: secret.prefix,
      key_hash: secret.hash,
      scopes: input.scopes ?? [...DEFAULT_SCOPES],
      allowed_models: input.allowed_models ?? null,
      allowed_providers: input.allowed_providers ?? null,
      project: input.project ?? null,
      expires_at: expiryFrom(input, now) ?? null,
      monthly_budget_usd: input.monthly_budget_usd ?? 0,
      rate_limit_rpm: rpmFrom(input) ?? 0,
      rate_limit_tpm: input.rate_limit_tpm ?? 0,
      rotation_days: input.rotation_days ?? 0,
      enabled: input.enabled ?? true,
      created_at: iso,
      updated_at: iso,
      rotated_at: null,
      revoked_at: null,
      last_used_at: null,
    }
    await this.ctx.store.update((doc) => {
      doc.api_keys[record.id] = record
    })
    this.ctx.onChange({resource: 'api_key', action: 'create', id: record.id})
    return {...toApiKeyView(record, now, this.usage), key: secret.key, warning: SHOWN_ONCE, warnings: this.unknownRestrictions(record)}
  }

  /** allowed_models / allowed_providers entries that name nothing registered (allowed, as a model may be added later, but said). */
  unknownRestrictions(key: Pick<ApiKeyRecord, 'allowed_models' | 'allowed_providers'>): string[] {
    const {models, providers} = this.ctx.store.data
    const warnings: string[] = []
    const unknownModels = (key.allowed_models ?? []).filter((id) => !Object.hasOwn(models, id))
    if (unknownModels.length > 0) warnings.push(`allowed_models names ${unknownModels.map((id) => `"${id}"`).join(', ')}, not registered (yet): requests for it are refused until a model with that id exists`)
    const unknownProviders = (key.allowed_providers ?? []).filter((id) => !Object.hasOwn(providers, id))
    if (unknownProviders.length > 0) warnings.push(`allowed_providers names ${unknownProviders.map((id) => `"${id}"`).join(', ')}, not registered (yet)`)
    return warnings
  }

  async patch(id: string, body: unknown): Promise<ApiKeyView> {
    const current = this.record(id)
    // Revoked is final: an edit that "succeeds" on a dead key would only mislead.
    if (current.revoked_at) throw validation(`API key "${id}" is revoked and cannot be changed; create a new key instead`)
    const input = parsePayload(apiKeyPatchSchema, body, 'invalid API key change')
    const now = this.ctx.now()
    const expiresAt = expiryFrom(input, now)
    const rpm = rpmFrom(input)
    const next: ApiKeyRecord = {
      ...current,
      ...(input.name !== undefined && {name: input.name}),
      ...(input.scopes !== undefined && {scopes: input.scopes}),
      ...(input.allowed_models !== undefined && {allowed_models: input.allowed_models}),
      ...(input.allowed_providers !== undefined && {allowed_providers: input.allowed_providers}),
      ...(input.project !== undefined && {project: input.project}),
      ...(expiresAt !== undefined && {expires_at: expiresAt}),
      ...(input.monthly_budget_usd !== undefined && {monthly_budget_usd: input.monthly_budget_usd}),
      ...(rpm !== undefined && {rate_limit_rpm: rpm}),
      ...(input.rate_limit_tpm !== undefined && {rate_limit_tpm: input.rate_limit_tpm}),
      ...(input.rotation_days !== undefined && {rotation_days: input.rotation_days}),
      ...(input.enabled !== undefined && {enabled: input.enabled}),
      updated_at: now.toISOString(),
    }
    await this.ctx.store.update((doc) => {
      doc.api_keys[id] = next
    })
    this.ctx.onChange({resource: 'api_key', action: 'update', id, changed: changedFields(current, next)})
    return toApiKeyView(next, now, this.usage)
  }

  /**
   * New secret, same settings; the old secret stops working at once. One rotation of a key at a
   * time: a second one while the first is being saved is refused (409), so only one caller is
   * told it owns the new secret (the other's would be dead on arrival).
   */
  async rotate(id: string): Promise<ApiKeyWithSecret> {
    const current = this.record(id)
    if (current.revoked_at) throw validation(`API key "${id}" is revoked; create a new key instead`)
    if (this.rotating.has(id)) throw conflict(`API key "${id}" is already being rotated by another request; only that request gets the new secret`, {id})
    this.rotating.add(id)
    try {
      return await this.rotateNow(current)
    } finally {
      this.rotating.delete(id)
    }
  }

  private async rotateNow(current: ApiKeyRecord): Promise<ApiKeyWithSecret> {
    const id = current.id
    const now = this.ctx.now()
    const secret = generateApiKey()
    const next: ApiKeyRecord = {
      ...current,
      key_prefix: secret.prefix,
      key_hash: secret.hash,
      rotated_at: now.toISOString(),
      updated_at: now.toISOString(),
    }
    await this.ctx.store.update((doc) => {
      doc.api_keys[id] = next
    })
    this.ctx.onChange({resource: 'api_key', action: 'rotate', id})
    const view = toApiKeyView(next, now, this.usage)
    // A new secret for a key that cannot be used is a trap: say so next to the secret.
    const unusable =
      view.status === 'expired'
        ? ` This key expired at ${next.expires_at}: the new secret is refused until you extend it (tokenhub apikey edit ${id} --expires-in 90d).`
        : view.status === 'disabled'
          ? ` This key is disabled: the new secret is refused until you enable it (tokenhub apikey edit ${id} --enable).`
          : ''
    return {...view, key: secret.key, warning: SHOWN_ONCE + unusable}
  }

  /** Revokes the key (kept, marked revoked, so logs can still name it). */
  async revoke(id: string): Promise<ApiKeyView> {
    const current = this.record(id)
    const now = this.ctx.now()
    if (current.revoked_at) return toApiKeyView(current, now, this.usage)
    const next: ApiKeyRecord = {...current, enabled: false, revoked_at: now.toISOString(), updated_at: now.toISOString()}
    await this.ctx.store.update((doc) => {
      doc.api_keys[id] = next
    })
    this.ctx.onChange({resource: 'api_key', action: 'revoke', id})
    return toApiKeyView(next, now, this.usage)
  }

  private record(id: string): ApiKeyRecord {
    const record = getOwn(this.ctx.store.data.api_keys, id)
    if (!record) throw notFound('API key', id)
    return record
  }
}

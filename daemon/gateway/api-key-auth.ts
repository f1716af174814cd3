import {apiKeyStatus} from '../../src/admin/api-keys.js'
import {API_KEY_PREFIX, sha256Hex} from '../../src/auth/secrets.js'
import {TokenHubError} from '../../src/core/errors.js'
import type {ApiKeyScope} from '../../src/core/schemas/apikey.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import {getOwn, type ApiKeyRecord} from '../../src/store/document.js'

/** The client's key from `Authorization: Bearer` or `x-api-key`. */
export function presentedKey(authorization: string | undefined, xApiKey: string | undefined): string | undefined {
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined
  const header = xApiKey?.trim() || undefined
  // Both sent (an SDK's default header plus a proxy's, a stale env var): the TokenHub key wins.
  if (bearer && header) return header.startsWith(API_KEY_PREFIX) || !bearer.startsWith(API_KEY_PREFIX) ? header : bearer
  return header ?? bearer
}

/**
 * Finds API keys by the SHA-256 of the presented key in O(1). The index maps hash -> id; it is
 * built once, then kept up to date one key at a time (a full rebuild over 100,000 keys would hold
 * the event loop for tens of ms on the next request after every key change). Status (revoked,
 * expired, disabled) is read from the record on every request, so a revocation applies to the
 * very next request.
 */
export class ApiKeyAuth {
  private index = new Map<string, string>()
  /** id -> the hash indexed for it, to drop a rotated key's old hash. */
  private hashOf = new Map<string, string>()
  private stale = true

  constructor(private readonly store: ConfigStore) {}

  /** Everything may have changed: rebuilt before the next lookup. */
  invalidate(): void {
    this.stale = true
  }

  /** One key was created, rotated, updated or revoked: its index entry follows the store. */
  keyChanged(id: string): void {
    if (this.stale) return
    const previous = this.hashOf.get(id)
    if (previous !== undefined) {
      this.index.delete(previous)
      this.hashOf.delete(id)
    }
    const record = getOwn(this.store.data.api_keys, id)
    if (record) {
      this.index.set(record.key_hash, id)
      this.hashOf.set(id, record.key_hash)
    }
  }

  authenticate(key: string | undefined, now: number): ApiKeyRecord {
    if (!key) throw new TokenHubError('AUTH_INVALID', 'missing API key: send Authorization: Bearer th-... or x-api-key')
    if (this.stale) this.rebuild()
    const hash = sha256Hex(key)
    const id = this.index.get(hash)
    const record = id ? getOwn(this.store.data.api_keys, id) : undefined
    if (!record || record.key_hash !== hash) throw new TokenHubError('AUTH_INVALID', 'invalid API key')
    const status = apiKeyStatus(record, now)
    if (status !== 'active') throw new TokenHubError('AUTH_INVALID', `API key ${record.key_prefix}... is ${status}`)
    return record
  }

  /** The active key presented, or null (missing, unknown, revoked, expired, disabled): a check without the error. */
  check(key: string | undefined, now: number): ApiKeyRecord | null {
    try {
      return this.authenticate(key, now)
    } catch {
      return null
    }
  }

  requireScope(record: ApiKeyRecord, scope: ApiKeyScope): void {
    if (!record.scopes.includes(scope)) {
      throw new TokenHubError('FORBIDDEN', `API key ${record.key_prefix}... lacks the "${scope}" scope`, {details: {required_scope: scope}})
    }
  }

  private rebuild(): void {
    this.index = new Map()
    this.hashOf = new Map()
    for (const record of Object.values(this.store.data.api_keys)) {
      this.index.set(record.key_hash, record.id)
      this.hashOf.set(record.id, record.key_hash)
    }
    this.stale = false
  }
}

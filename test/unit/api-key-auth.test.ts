import {describe, expect, it} from 'vitest'
import {sha256Hex} from '../../src/auth/secrets.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import type {ApiKeyRecord} from '../../src/store/document.js'
import {ApiKeyAuth, presentedKey} from '../../daemon/gateway/api-key-auth.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')

function record(id: string, secret: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    name: id,
    key_prefix: secret.slice(0, 8),
    key_hash: sha256Hex(secret),
    scopes: ['chat'],
    allowed_models: [],
    allowed_providers: [],
    project: null,
    monthly_budget_usd: 0,
    rate_limit_rpm: 0,
    rate_limit_tpm: 0,
    rotation_days: 0,
    enabled: true,
    expires_at: null,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    rotated_at: null,
    revoked_at: null,
    last_used_at: null,
    ...extra,
  } as ApiKeyRecord
}

function setup(keys: ApiKeyRecord[]) {
  const data = {api_keys: Object.fromEntries(keys.map((k) => [k.id, k]))}
  const auth = new ApiKeyAuth({data} as unknown as ConfigStore)
  return {data, auth}
}

describe('ApiKeyAuth index kept up to date per key', () => {
  it('finds a key created after the index was built, without a rebuild', () => {
    const {data, auth} = setup([record('k1', 'th-first-secret')])
    expect(auth.authenticate('th-first-secret', NOW).id).toBe('k1')
    data.api_keys.k2 = record('k2', 'th-second-secret')
    expect(() => auth.authenticate('th-second-secret', NOW)).toThrow(/invalid API key/)
    auth.keyChanged('k2')
    expect(auth.authenticate('th-second-secret', NOW).id).toBe('k2')
    expect(auth.authenticate('th-first-secret', NOW).id).toBe('k1')
  })

  it('a rotated key: the old secret fails at once, the new one works', () => {
    const {data, auth} = setup([record('k1', 'th-old-secret'), record('k2', 'th-other')])
    expect(auth.authenticate('th-old-secret', NOW).id).toBe('k1')
    data.api_keys.k1 = record('k1', 'th-new-secret')
    // Even before the change is announced, the record's hash no longer matches the old secret.
    expect(() => auth.authenticate('th-old-secret', NOW)).toThrow(/invalid API key/)
    auth.keyChanged('k1')
    expect(() => auth.authenticate('th-old-secret', NOW)).toThrow(/invalid API key/)
    expect(auth.authenticate('th-new-secret', NOW).id).toBe('k1')
    expect(auth.authenticate('th-other', NOW).id).toBe('k2')
  })

  it('a revoked key is refused by status; a key gone from the store leaves the index', () => {
    const {data, auth} = setup([record('k1', 'th-secret-one')])
    auth.authenticate('th-secret-one', NOW)
    data.api_keys.k1 = record('k1', 'th-secret-one', {revoked_at: '2026-11-23T11:00:00Z'})
    auth.keyChanged('k1')
    expect(() => auth.authenticate('th-secret-one', NOW)).toThrow(/revoked/)
    delete (data.api_keys as Record<string, ApiKeyRecord>).k1
    auth.keyChanged('k1')
    expect(() => auth.authenticate('th-secret-one', NOW)).toThrow(/invalid API key/)
    // An id the store never had is a no-op.
    auth.keyChanged('nope')
    expect(() => auth.authenticate('th-secret-one', NOW)).toThrow(/invalid API key/)
  })

  it('invalidate() rebuilds from the store on the next lookup', () => {
    const {data, auth} = setup([record('k1', 'th-secret-one')])
    auth.authenticate('th-secret-one', NOW)
    data.api_keys.k2 = record('k2', 'th-secret-two')
    auth.invalidate()
    expect(auth.authenticate('th-secret-two', NOW).id).toBe('k2')
  })
})

describe('presentedKey', () => {
  it('reads either header, and the TokenHub key when both are sent', () => {
    expect(presentedKey('Bearer th-abc', undefined)).toBe('th-abc')
    expect(presentedKey(undefined, ' th-abc ')).toBe('th-abc')
    expect(presentedKey('Bearer th-abc', 'sk-ant-stale')).toBe('th-abc')
    expect(presentedKey('Bearer sk-stale', 'th-abc')).toBe('th-abc')
    expect(presentedKey('Bearer one', 'two')).toBe('two')
    expect(presentedKey('Basic dXNlcg==', undefined)).toBeUndefined()
    expect(presentedKey('Bearer th-abc', '')).toBe('th-abc')
  })
})

import {describe, expect, it} from 'vitest'
import type {TargetHealthDto} from '../../src/core/api-types.js'
import {healthTables, simulationTable} from '../../src/cli/render/runtime.js'

const target = (id: string, overrides: Partial<TargetHealthDto> = {}): TargetHealthDto => ({
  id,
  state: 'closed',
  requests: 0,
  errors: 0,
  error_rate: 0,
  p50_ms: null,
  p95_ms: null,
  consecutive_failures: 0,
  last_error: null,
  last_error_at: null,
  cooldown_until: null,
  open_until: null,
  ...overrides,
})

describe('health table', () => {
  it('says when a cooling-down model or an open circuit will be tried again', () => {
    const table = healthTables({
      providers: [target('pa', {state: 'open', open_until: '2026-01-02T10:00:30.123Z'})],
      models: [target('m-b2', {cooldown_until: '2026-01-02T10:01:00.000Z', last_error: 'upstream answered HTTP 429', last_error_at: '2026-01-02T10:00:30.000Z'}), target('idle')],
    })
    expect(table).toMatch(/^ID\s+CIRCUIT\s+REQUESTS\s+ERRORS\s+P50\s+P95\s+RETRY\s+LAST ERROR/m)
    expect(table).toMatch(/^pa\s+open\s+0\s+0\.0%\s+-\s+-\s+probe at 10:00:30Z/m)
    expect(table).toMatch(/^m-b2\s+closed\s+0\s+0\.0%\s+-\s+-\s+cooling down until 10:01:00Z\s+upstream answered HTTP 429/m)
    expect(table).toMatch(/^idle\s+closed\s+0\s+0\.0%\s+-\s+-\s+-\s+-$/m)
  })
})

describe('simulation table', () => {
  const candidate = (model_id: string, skip_reason: string | null) => ({
    model_id,
    provider_id: 'p',
    rank: skip_reason ? null : 1,
    score: skip_reason ? null : 0.5,
    components: null,
    estimated_cost_usd: 0.001,
    p95_latency_ms: null,
    error_rate: 0,
    weight: 5,
    skip_reason,
    skip_detail: skip_reason && 'the vault is locked, so this provider\'s API key cannot be used',
  })

  it('notes the locked vault only when it skipped a provider for it', () => {
    const head = (candidates: ReturnType<typeof candidate>[]) =>
      simulationTable({mode: 'normal', token_count: 500, chosen: 'local', alias_from: null, vault_locked: true, candidates}).split('\n')[0]
    expect(head([candidate('local', null)])).toBe('mode normal, ~500 input tokens: would route to local')
    expect(head([candidate('local', null), candidate('gpt', 'vault_locked')])).toContain('(the vault is locked: providers with an API key are skipped')
  })
})

import {describe, expect, it} from 'vitest'
import {policyFrom} from '../../daemon/gateway/policy.js'
import type {RoutingConfig} from '../../src/store/document.js'

const defaults: RoutingConfig = {default_mode: 'normal', default_max_budget_usd: 0, default_max_latency_ms: 0}
const withHeaders = (headers: Record<string, string>) => policyFrom(undefined, (name) => headers[name], defaults)

describe('per-request policy headers', () => {
  it('reads plain decimal numbers', () => {
    expect(withHeaders({'x-tokenhub-max-budget-usd': '0.05', 'x-tokenhub-max-latency-ms': '1500', 'x-tokenhub-min-weight': '7'})).toEqual({mode: 'normal', maxBudgetUsd: 0.05, maxLatencyMs: 1500, minWeight: 7})
    expect(withHeaders({'x-tokenhub-max-budget-usd': '16'}).maxBudgetUsd).toBe(16)
    expect(withHeaders({'x-tokenhub-max-budget-usd': '.5'}).maxBudgetUsd).toBe(0.5)
    expect(withHeaders({'x-tokenhub-max-budget-usd': '0'}).maxBudgetUsd).toBe(0)
  })

  it.each([
    ['x-tokenhub-max-budget-usd', '0x10'],
    ['x-tokenhub-max-budget-usd', '0b1'],
    ['x-tokenhub-max-budget-usd', '1e3'],
    ['x-tokenhub-max-budget-usd', '+1'],
    ['x-tokenhub-max-budget-usd', '-1'],
    ['x-tokenhub-max-budget-usd', ' '],
    ['x-tokenhub-max-budget-usd', 'Infinity'],
    ['x-tokenhub-max-budget-usd', '1'.repeat(400)],
    ['x-tokenhub-max-latency-ms', '0x10'],
    ['x-tokenhub-max-latency-ms', '1.5'],
    ['x-tokenhub-max-latency-ms', '1e3'],
    ['x-tokenhub-min-weight', '0x5'],
    ['x-tokenhub-min-weight', '2.5'],
    ['x-tokenhub-min-weight', '11'],
  ])('refuses %s: %j with a 400 naming the header', (name, value) => {
    expect(() => withHeaders({[name]: value})).toThrow(expect.objectContaining({code: 'VALIDATION', message: expect.stringMatching(new RegExp(`^header ${name}`, 'i'))}))
  })
})

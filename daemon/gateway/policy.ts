import {TokenHubError, validation} from '../../src/core/errors.js'
import type {RoutingPolicy} from '../../src/core/routing/types.js'
import {ROUTING_MODES, type RoutingMode} from '../../src/core/schemas/common.js'
import {parsePayload} from '../../src/core/schemas/parse.js'
import {policySchema} from '../../src/core/schemas/policy.js'
import type {RoutingConfig} from '../../src/store/document.js'

/**
 * A numeric policy header: plain decimal digits only (Number() would read "0x10" as 16, "1e3" as
 * 1000 and " " as 0), held to the same bounds as the body field.
 */
function headerNumber(name: string, value: string | undefined, bounds: {integer?: boolean; max?: number} = {}): number | undefined {
  if (value === undefined || value === '') return undefined
  const kind = bounds.integer ? 'a whole number' : 'a non-negative decimal number'
  const pattern = bounds.integer ? /^\d+$/ : /^(\d+(\.\d*)?|\.\d+)$/
  const n = Number(value)
  if (!pattern.test(value) || !Number.isFinite(n)) throw validation(`header ${name} must be ${kind} (digits${bounds.integer ? '' : ' and one "."'} only), got "${value}"`)
  if (bounds.max !== undefined && n > bounds.max) throw validation(`header ${name} must be at most ${bounds.max}, got "${value}"`)
  return n
}

/**
 * The request's routing policy: the `tokenhub` body field, else X-TokenHub-* headers, else the
 * routing config defaults. A budget or latency of 0 means unlimited (TokenHub (Go) turned 0 into
 * $0.05; we do not).
 */
export function policyFrom(field: unknown, header: (name: string) => string | undefined, defaults: RoutingConfig): RoutingPolicy {
  const body = field === undefined || field === null ? {} : parsePayload(policySchema, field, 'invalid tokenhub policy')
  const headerMode = header('x-tokenhub-mode')
  if (headerMode !== undefined && !(ROUTING_MODES as readonly string[]).includes(headerMode)) {
    throw new TokenHubError('VALIDATION', `header X-TokenHub-Mode: unknown mode "${headerMode}"; use one of ${ROUTING_MODES.join(', ')}`)
  }
  return {
    mode: body.mode ?? (headerMode as RoutingMode | undefined) ?? defaults.default_mode,
    maxBudgetUsd: body.max_budget_usd ?? headerNumber('X-TokenHub-Max-Budget-Usd', header('x-tokenhub-max-budget-usd')) ?? defaults.default_max_budget_usd,
    maxLatencyMs: body.max_latency_ms ?? headerNumber('X-TokenHub-Max-Latency-Ms', header('x-tokenhub-max-latency-ms'), {integer: true}) ?? defaults.default_max_latency_ms,
    minWeight: body.min_weight ?? headerNumber('X-TokenHub-Min-Weight', header('x-tokenhub-min-weight'), {integer: true, max: 10}) ?? 0,
  }
}

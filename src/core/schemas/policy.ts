import * as z from 'zod'
import {ROUTING_MODES} from './common.js'

/** The per-request `tokenhub` body field (and TokenHub's /v1/chat `policy`). 0 means unlimited. */
export const policySchema = z.strictObject({
  mode: z.enum(ROUTING_MODES).optional(),
  max_budget_usd: z.number().finite().min(0).optional(),
  max_latency_ms: z.number().int().min(0).optional(),
  min_weight: z.number().int().min(0).max(10).optional(),
})
export type PolicyInput = z.output<typeof policySchema>

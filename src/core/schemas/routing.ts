import * as z from 'zod'
import {nonNegativeInt, ROUTING_MODES, usd} from './common.js'

export const routingConfigSchema = z
  .strictObject({
    default_mode: z.enum(ROUTING_MODES).optional(),
    /** 0 means unlimited. */
    default_max_budget_usd: usd.optional(),
    /** 0 means unlimited. */
    default_max_latency_ms: nonNegativeInt.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one of default_mode, default_max_budget_usd, default_max_latency_ms')
export type RoutingConfigInput = z.output<typeof routingConfigSchema>

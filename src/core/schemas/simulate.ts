import * as z from 'zod'
import {ROUTING_MODES} from './common.js'

export const simulateSchema = z.strictObject({
  mode: z.enum(ROUTING_MODES).optional(),
  token_count: z.number().int().min(0).max(100_000_000).optional(),
  output_tokens: z.number().int().min(1).optional(),
  /** OpenAI `n`: answers per request (above 1, Anthropic models are skipped). */
  n: z.number().int().min(1).max(128).optional(),
  max_budget_usd: z.number().finite().min(0).optional(),
  max_latency_ms: z.number().int().min(0).optional(),
  min_weight: z.number().int().min(0).max(10).optional(),
  /** What the request's `model` would be: a registered id, an alias, or auto (the default). */
  model: z.string().optional(),
  model_hint: z.string().optional(),
  capability: z.enum(['chat', 'responses', 'completions', 'embeddings']).optional(),
  /** A streamed request (models that do not stream are skipped). */
  stream: z.boolean().optional(),
  /** Simulate as this API key (its model and provider restrictions apply). */
  api_key_id: z.string().optional(),
})
export type SimulateInput = z.output<typeof simulateSchema>

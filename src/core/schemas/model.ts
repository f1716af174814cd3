import * as z from 'zod'
import {modelId, noControlCharacters, pricePer1k, providerId, readOnlyField} from './common.js'

/** The id sent upstream: anything the upstream may use (vLLM serves paths, Ollama tags), but no control characters. */
const upstreamModel = z.string().min(1).max(200).refine(noControlCharacters, 'must not contain control characters')
const weight = z.number().int().min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10')
const contextTokens = z.number().int().min(1, 'must be >= 1').max(100_000_000)
const outputTokens = z.number().int().min(1, 'must be >= 1').max(100_000_000)

export const modelCreateSchema = z.strictObject({
  id: modelId.refine((id) => id !== 'auto', '"auto" is reserved for automatic routing'),
  provider_id: providerId,
  /** The id sent upstream, when it differs from the id clients use (defaults to `id`; null too, as a model's record shows it). */
  upstream_model: upstreamModel.nullable().optional(),
  kind: z.enum(['chat', 'embedding']).optional(),
  weight: weight.optional(),
  max_context_tokens: contextTokens.optional(),
  /** null, as a record without a known limit shows it: the catalog's, if it knows the model. */
  max_output_tokens: outputTokens.nullable().optional(),
  input_per_1k: pricePer1k.optional(),
  output_per_1k: pricePer1k.optional(),
  /** Prompt-cache prices; null (the default) is the provider type's usual share of input_per_1k. */
  cache_read_per_1k: pricePer1k.nullable().optional(),
  cache_write_per_1k: pricePer1k.nullable().optional(),
  enabled: z.boolean().optional(),
  /** Read-only: derived from the prices given and the catalog. */
  pricing_source: readOnlyField,
  created_at: readOnlyField,
  updated_at: readOnlyField,
})
export type ModelCreateInput = z.output<typeof modelCreateSchema>

export const modelPatchSchema = z.strictObject({
  provider_id: providerId.optional(),
  upstream_model: upstreamModel.nullable().optional(),
  kind: z.enum(['chat', 'embedding']).optional(),
  weight: weight.optional(),
  max_context_tokens: contextTokens.optional(),
  max_output_tokens: outputTokens.nullable().optional(),
  input_per_1k: pricePer1k.optional(),
  output_per_1k: pricePer1k.optional(),
  cache_read_per_1k: pricePer1k.nullable().optional(),
  cache_write_per_1k: pricePer1k.nullable().optional(),
  enabled: z.boolean().optional(),
  /** Read-only: derived from the prices given and the catalog. */
  pricing_source: readOnlyField,
  /** Accepted when it is the id in the path. */
  id: z.string().optional(),
  created_at: readOnlyField,
  updated_at: readOnlyField,
})
export type ModelPatchInput = z.output<typeof modelPatchSchema>

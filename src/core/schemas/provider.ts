import {z} from 'zod'
import {httpUrl, PROVIDER_TYPES, providerId} from './common.js'

const apiKey = z.string().min(1, 'must not be empty').max(4096).refine((v) => !/[\r\n]/.test(v), 'must be a single line')

export const providerCreateSchema = z.strictObject({
  id: providerId,
  type: z.enum(PROVIDER_TYPES),
  base_url: httpUrl,
  api_key: apiKey.optional(),
  enabled: z.boolean().optional(),
})
export type ProviderCreateInput = z.output<typeof providerCreateSchema>

export const providerPatchSchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES).optional(),
  base_url: httpUrl.optional(),
  /** A string sets a new key; null removes the stored key. */
  api_key: apiKey.nullable().optional(),
  enabled: z.boolean().optional(),
})
export type ProviderPatchInput = z.output<typeof providerPatchSchema>

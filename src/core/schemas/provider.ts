import * as z from 'zod'
import {httpUrl, PROVIDER_TYPES, providerId, readOnlyField} from './common.js'

const apiKey = z.string().min(1, 'must not be empty').max(4096).refine((v) => !/[\r\n]/.test(v), 'must be a single line')

/** What a GET answers beside the fields that can be set: accepted (a GET result can be sent back) and ignored. `cred_store` is also TokenHub's (Go) field. */
const readOnlyFields = {
  has_api_key: readOnlyField,
  cred_store: readOnlyField,
  model_count: readOnlyField,
  created_at: readOnlyField,
  updated_at: readOnlyField,
}

export const providerCreateSchema = z.strictObject({
  id: providerId,
  type: z.enum(PROVIDER_TYPES),
  base_url: httpUrl,
  api_key: apiKey.optional(),
  enabled: z.boolean().optional(),
  ...readOnlyFields,
})
export type ProviderCreateInput = z.output<typeof providerCreateSchema>

export const providerPatchSchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES).optional(),
  base_url: httpUrl.optional(),
  /** A string sets a new key; null removes the stored key. */
  api_key: apiKey.nullable().optional(),
  enabled: z.boolean().optional(),
  /** Accepted when it is the id in the path. */
  id: z.string().optional(),
  ...readOnlyFields,
})
export type ProviderPatchInput = z.output<typeof providerPatchSchema>

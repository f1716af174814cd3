import * as z from 'zod'
import {STICKY_MODES} from '../routing/alias.js'
import {modelId, noDotDotSegments, readOnlyField} from './common.js'

/** Alias names: a model-id-like name, optionally with `*` wildcards ("claude-*"). */
export const aliasName = z
  .string()
  .regex(/^[A-Za-z0-9*][A-Za-z0-9._:/@+*-]{0,199}$/, 'must be 1-200 characters: letters, digits, . _ : / @ + - and * wildcards')
  .refine((name) => name !== '*' && name !== 'auto', '"*" and "auto" are reserved for automatic routing')
  .refine(noDotDotSegments, 'must not contain ".." segments or end with "/"')

const variant = z.strictObject({
  model_id: modelId,
  weight: z.number().int().min(0, 'must be 0-100').max(100, 'must be 0-100').optional(),
})

export const aliasSetSchema = z.strictObject({
  variants: z
    .array(variant)
    .min(1, 'give at least one variant')
    .superRefine((variants, ctx) => {
      const seen = new Set<string>()
      for (const [i, v] of variants.entries()) {
        if (seen.has(v.model_id)) ctx.addIssue({code: 'custom', path: [i, 'model_id'], message: `"${v.model_id}" is listed twice; give it once with the sum of the weights`})
        seen.add(v.model_id)
      }
    }),
  sticky_by: z.enum(STICKY_MODES).optional(),
  enabled: z.boolean().optional(),
  /** Accepted so a GET result can be PUT back (the name must be the path's); the timestamps are ignored. */
  name: z.string().optional(),
  created_at: readOnlyField,
  updated_at: readOnlyField,
})
export type AliasSetInput = z.output<typeof aliasSetSchema>

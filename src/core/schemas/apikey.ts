import * as z from 'zod'
import {modelId, noControlCharacters, nonNegativeInt, providerId, usd} from './common.js'

/**
 * `chat` covers every generation endpoint (chat completions, legacy completions, /v1/chat,
 * /v1/messages, /v1/responses); `embeddings` covers /v1/embeddings; `plan` is accepted for
 * compatibility with TokenHub (Go) keys.
 */
export const API_KEY_SCOPES = ['chat', 'embeddings', 'plan'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]
export const DEFAULT_SCOPES: ApiKeyScope[] = ['chat', 'embeddings']

/** TokenHub (Go) sends scopes as a JSON array inside a string (`"[\"chat\"]"`); also accept "chat,embeddings". */
function normalizeScopes(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const text = value.trim()
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text)
    } catch {
      return value
    }
  }
  return text === '' ? [] : text.split(',').map((s) => s.trim())
}

const scopes = z.preprocess(
  normalizeScopes,
  z
    .array(z.enum(API_KEY_SCOPES, {message: `each scope must be one of: ${API_KEY_SCOPES.join(', ')}`}))
    .min(1, 'give at least one scope')
    .transform((list) => [...new Set(list)]),
)

/** An allow-list: null (or left out) is no restriction; an empty one would leave the key nothing to use. */
const allowList = (id: z.ZodType<string>) => z.array(id).min(1, 'must list at least one id (null, or leaving it out, means no restriction)').nullable()

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100)
  .refine(noControlCharacters, 'must not contain control characters')
export const isoDateTime = z.iso.datetime({offset: true, message: 'must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z'})
const isoDate = isoDateTime
const expiresIn = z.union([z.string().min(1), z.number().positive()])
const project = z.string().min(1).max(100).refine(noControlCharacters, 'must not contain control characters')

export const apiKeyCreateSchema = z
  .strictObject({
    name,
    scopes: scopes.optional(),
    allowed_models: allowList(modelId).optional(),
    allowed_providers: allowList(providerId).optional(),
    expires_at: isoDate.nullable().optional(),
    expires_in: expiresIn.optional(),
    monthly_budget_usd: usd.optional(),
    rate_limit_rpm: nonNegativeInt.optional(),
    rate_limit_tpm: nonNegativeInt.optional(),
    /** TokenHub (Go) spelling, requests per second; converted to rate_limit_rpm. */
    rate_limit_rps: z.number().int().min(-1).optional(),
    rotation_days: nonNegativeInt.optional(),
    project: project.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => !(v.expires_at && v.expires_in !== undefined), {message: 'give expires_at or expires_in, not both', path: ['expires_in']})
export type ApiKeyCreateInput = z.output<typeof apiKeyCreateSchema>

export const apiKeyPatchSchema = z
  .strictObject({
    name: name.optional(),
    scopes: scopes.optional(),
    allowed_models: allowList(modelId).optional(),
    allowed_providers: allowList(providerId).optional(),
    expires_at: isoDate.nullable().optional(),
    expires_in: expiresIn.optional(),
    monthly_budget_usd: usd.optional(),
    rate_limit_rpm: nonNegativeInt.optional(),
    rate_limit_tpm: nonNegativeInt.optional(),
    rate_limit_rps: z.number().int().min(-1).optional(),
    rotation_days: nonNegativeInt.optional(),
    project: project.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => !(v.expires_at && v.expires_in !== undefined), {message: 'give expires_at or expires_in, not both', path: ['expires_in']})
export type ApiKeyPatchInput = z.output<typeof apiKeyPatchSchema>

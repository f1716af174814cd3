import * as z from 'zod'

export const PROVIDER_TYPES = ['openai', 'anthropic', 'vllm'] as const
export type ProviderType = (typeof PROVIDER_TYPES)[number]

export const ROUTING_MODES = ['cheap', 'normal', 'high_confidence', 'fast', 'planning', 'adversarial', 'thompson'] as const
export type RoutingMode = (typeof ROUTING_MODES)[number]

/** Provider ids appear in URLs and log lines: keep them to a conservative alphabet. */
export const providerId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit')

/** Model ids may contain slashes (Qwen/Qwen2.5-Coder-32B-Instruct) and colons (llama3:8b). */
export const modelId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/,
    'must be 1-200 characters: letters, digits and . _ : / @ + -, starting with a letter or digit',
  )
  .refine(noDotDotSegments, 'must not contain ".." segments or end with "/"')

/** Ids and names with slashes go into URL paths: no ".." segment, no trailing "/". */
export function noDotDotSegments(id: string): boolean {
  return !id.split('/').includes('..') && !id.endsWith('/')
}

/** A string sent upstream or printed: no C0 or C1 control characters (NUL, newline, tab, ESC...). */
export const noControlCharacters = (value: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(value)

/**
 * An upstream base URL: http(s), no credentials, and no query or fragment (paths such as
 * /v1/models are appended to it, and a query is where a key would hide from the credentials rule).
 */
export const httpUrl = z.string().refine((value) => {
  if (!noControlCharacters(value)) return false
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.username && !url.password && url.search === '' && url.hash === '' && !/[?#]/.test(value)
  } catch {
    return false
  }
}, 'must be an http:// or https:// URL without credentials, query string, fragment or control characters')

export const usd = z.number().finite().min(0, 'must be >= 0')

/** Highest price accepted, USD per 1,000 tokens: far above any model's, and low enough that no cost can overflow. */
export const MAX_PRICE_PER_1K = 10_000
export const pricePer1k = usd.max(MAX_PRICE_PER_1K, `must be at most ${MAX_PRICE_PER_1K} (USD per 1,000 tokens)`)
export const nonNegativeInt = z.number().int().min(0, 'must be >= 0')

/** A field the server sets (a GET result's `created_at`, `pricing_source`...): accepted so the result can be sent back, and ignored. */
export const readOnlyField = z.unknown().optional()

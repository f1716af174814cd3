/** Small guards for untrusted JSON shared by the translators. */
import {randomBytes} from 'node:crypto'

/** JSON.parse that answers undefined instead of throwing: upstream bytes are not trusted. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A non-negative token count, or 0 for anything else (null, missing, NaN). */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

/** The first argument that is a finite number. */
export function firstNumber(...values: unknown[]): number | undefined {
  for (const value of values) if (typeof value === 'number' && Number.isFinite(value)) return value
  return undefined
}

/** `requested` capped at the model's output limit when one is known. */
export function clampMaxTokens(requested: number, maxOutputTokens: number | null | undefined): number {
  return typeof maxOutputTokens === 'number' && maxOutputTokens > 0 ? Math.min(requested, maxOutputTokens) : requested
}

/** Output-limit fields of the three request shapes (chat, messages, responses). */
const OUTPUT_LIMIT_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const

/**
 * A pass-through body with any output limit above the model's own clamped to it, so a client
 * asking for more (Claude Code asks 128k of any model) is served instead of refused upstream.
 * The body is returned as is when nothing needs clamping.
 */
export function clampOutputLimits(body: Record<string, unknown>, maxOutputTokens: number | null | undefined): Record<string, unknown> {
  if (!(typeof maxOutputTokens === 'number' && maxOutputTokens > 0)) return body
  let out = body
  for (const field of OUTPUT_LIMIT_FIELDS) {
    const value = body[field]
    if (typeof value === 'number' && value > maxOutputTokens) {
      if (out === body) out = {...body}
      out[field] = maxOutputTokens
    }
  }
  if (out !== body && typeof body.max_tokens === 'number' && out.max_tokens !== body.max_tokens) fitThinkingBudget(out, body.max_tokens)
  return out
}

/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024

/**
 * Anthropic refuses a thinking budget that is not below max_tokens. After max_tokens was clamped
 * (Claude Code sends max_tokens 32000 with budget_tokens 31999), the budget keeps its share of the
 * output but leaves the answer a quarter of it (at least 1024 tokens), and is at least Anthropic's
 * minimum of 1024; when that does not fit, thinking is off.
 */
function fitThinkingBudget(out: Record<string, unknown>, requestedMaxTokens: number): void {
  const thinking = out.thinking
  if (!isRecord(thinking) || thinking.type !== 'enabled' || typeof thinking.budget_tokens !== 'number') return
  const maxTokens = out.max_tokens as number
  if (thinking.budget_tokens < maxTokens) return
  const share = Math.floor((thinking.budget_tokens * maxTokens) / requestedMaxTokens)
  const answer = Math.max(MIN_THINKING_BUDGET, Math.floor(maxTokens / 4))
  const budget = Math.min(maxTokens - answer, Math.max(MIN_THINKING_BUDGET, share))
  if (budget < MIN_THINKING_BUDGET) delete out.thinking
  else out.thinking = {...thinking, budget_tokens: budget}
}

/** A JSON object from a tool call's `arguments` text, or undefined when it is not one. */
export function parseJsonObject(text: unknown): Record<string, unknown> | undefined {
  if (isRecord(text)) return text
  if (typeof text !== 'string') return undefined
  const parsed = parseJson(text)
  return isRecord(parsed) ? parsed : undefined
}

const ANTHROPIC_TOOL_ID = /^[a-zA-Z0-9_-]+$/

/**
 * An id for a tool call the upstream sent without one (Gemini's OpenAI API, LM Studio, some
 * llama.cpp builds): random, so that calls of different turns of a conversation never share one
 * (Anthropic refuses a conversation with repeated or empty tool_use ids).
 */
export function madeUpToolCallId(prefix: 'toolu_' | 'call_'): string {
  return `${prefix}${randomBytes(12).toString('base64url')}`
}

/**
 * A tool-call id Anthropic accepts (`^[a-zA-Z0-9_-]+$`). Some OpenAI-compatible servers use ids
 * like `functions.get_weather:0` (Kimi); those become `functions_get_weather_0_<hash>`, the same
 * every time, so a tool_use and its tool_result still match (the hash keeps two ids that differ
 * only in the replaced characters apart). Valid ids are kept as they are.
 */
export function anthropicToolId(id: string): string {
  if (id === '' || ANTHROPIC_TOOL_ID.test(id)) return id
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0
  return `${id.replace(/[^a-zA-Z0-9_-]/g, '_')}_${hash.toString(36)}`
}

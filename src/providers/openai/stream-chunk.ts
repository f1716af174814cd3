/** Reading OpenAI chat.completion.chunk streams: shared by the stream translators and the passthrough. */
import type {TokenUsage} from '../stream.js'
import {isRecord, parseJson, tokenCount} from '../util.js'

/** Chat usage as TokenUsage (`prompt_tokens` already counts cached prompt tokens); null without one. */
export function openAIChatUsage(usage: unknown): TokenUsage | null {
  if (!isRecord(usage)) return null
  return {input: tokenCount(usage.prompt_tokens), output: tokenCount(usage.completion_tokens)}
}

/** One stream event read: the [DONE] marker, an upstream error object, a chunk, or nothing usable. */
export type OpenAIStreamEvent =
  | {kind: 'done'}
  | {kind: 'error'; error: Record<string, unknown>}
  | {kind: 'chunk'; chunk: Record<string, unknown>}
  | {kind: 'skip'}

export function readOpenAIStreamEvent(data: string): OpenAIStreamEvent {
  if (data.trim() === '[DONE]') return {kind: 'done'}
  const chunk = parseJson(data)
  if (!isRecord(chunk)) return {kind: 'skip'}
  if (chunk.error !== undefined && chunk.error !== null) return {kind: 'error', error: isRecord(chunk.error) ? chunk.error : {message: chunk.error}}
  return {kind: 'chunk', chunk}
}

/** The message of an upstream error object, or a generic one. */
export const upstreamErrorMessage = (error: Record<string, unknown>): string => (typeof error.message === 'string' ? error.message : 'Upstream error')

/** Reading OpenAI chat.completion.chunk streams: shared by the stream translators and the passthrough. */
import {MALFORMED_STREAM_MESSAGE, tokenUsage, type TokenUsage} from '../stream.js'
import {clientSafeMessage} from '../errors.js'
import {isRecord, parseJson, tokenCount} from '../util.js'

/** Chat usage as TokenUsage (`prompt_tokens` already counts cached prompt tokens); null without one. */
export function openAIChatUsage(usage: unknown): TokenUsage | null {
  if (!isRecord(usage)) return null
  const input = tokenCount(usage.prompt_tokens)
  const cached = Math.min(input, tokenCount(isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details.cached_tokens : 0))
  return tokenUsage(input, tokenCount(usage.completion_tokens), cached)
}

/** One stream event read: the [DONE] marker, an upstream error object, a chunk, or nothing usable. */
export type OpenAIStreamEvent =
  | {kind: 'done'}
  | {kind: 'error'; error: Record<string, unknown>}
  | {kind: 'chunk'; chunk: Record<string, unknown>}
  | {kind: 'skip'}

export function readOpenAIStreamEvent(data: string): OpenAIStreamEvent {
  const trimmed = data.trim()
  if (trimmed === '[DONE]') return {kind: 'done'}
  if (trimmed === '') return {kind: 'skip'}
  const chunk = parseJson(data)
  // Garbage from the upstream is its fault, reported as such, not dropped as if nothing came.
  if (!isRecord(chunk)) return {kind: 'error', error: {message: MALFORMED_STREAM_MESSAGE, type: 'api_error'}}
  if (chunk.error !== undefined && chunk.error !== null) return {kind: 'error', error: isRecord(chunk.error) ? chunk.error : {message: chunk.error}}
  return {kind: 'chunk', chunk}
}

/** The message of an upstream error object, or a generic one. */
/** What an error event in an upstream stream says, scrubbed for the client (see clientSafeMessage). */
export const upstreamErrorMessage = (error: Record<string, unknown>): string => (typeof error.message === 'string' && error.message.trim() !== '' ? clientSafeMessage(error.message) || 'Upstream error' : 'Upstream error')

/**
 * The reasoning text of a chat delta or message, as OpenAI-compatible reasoning servers send it:
 * `reasoning_content` (DeepSeek, vLLM, SGLang, LM Studio) or `reasoning` (newer vLLM, Ollama,
 * OpenRouter). OpenAI's own models never send their reasoning in Chat Completions.
 */
export function reasoningText(part: Record<string, unknown>): string {
  const text = typeof part.reasoning_content === 'string' ? part.reasoning_content : part.reasoning
  return typeof text === 'string' ? text : ''
}

/**
 * One key per streamed tool call. Ollama, SGLang and Dynamo send every parallel call with
 * `index: 0` (each with its own id): a new id at an index already in use starts a new call.
 * Some servers omit `index`: a new id starts a new call, anything else continues the last.
 */
export class ToolCallKeys {
  private readonly byIndex = new Map<number, {key: number; id: string | undefined}>()
  private next = 0
  private last: number | undefined

  keyOf(call: Record<string, unknown>): number {
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined
    let key: number
    if (typeof call.index === 'number') {
      const current = this.byIndex.get(call.index)
      if (current && (id === undefined || current.id === undefined || current.id === id)) key = current.key
      else {
        key = this.next++
        this.byIndex.set(call.index, {key, id})
      }
    } else key = id !== undefined || this.last === undefined ? this.next++ : this.last
    this.last = key
    return key
  }
}

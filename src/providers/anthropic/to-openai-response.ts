/** Anthropic Messages response -> OpenAI chat.completion, for an OpenAI client served by a Claude model. */
import {isRecord, tokenCount} from '../util.js'
import type {OpenAIChatCompletion, OpenAIFinishReason, OpenAIToolCall, OpenAIUsage} from '../openai/types.js'
import type {AnthropicMessage} from './types.js'

export interface AnthropicToOpenAIResponseOptions {
  /** The model id shown to the client. */
  model: string
  /** Unix seconds. */
  created: number
}

export function openAIFinishReason(stopReason: unknown): OpenAIFinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default:
      // end_turn, stop_sequence, pause_turn (a server tool paused the turn) and anything newer.
      return 'stop'
  }
}

/** The Anthropic usage counters read as OpenAI's: prompt_tokens counts cached prompt tokens too. */
export interface AnthropicTokenCounts {
  input: number
  cacheCreation: number
  cacheRead: number
  output: number
}

export function anthropicTokenCounts(usage: unknown): AnthropicTokenCounts {
  const u = isRecord(usage) ? usage : {}
  return {
    input: tokenCount(u.input_tokens),
    cacheCreation: tokenCount(u.cache_creation_input_tokens),
    cacheRead: tokenCount(u.cache_read_input_tokens),
    output: tokenCount(u.output_tokens),
  }
}

/**
 * Stream usage: message_start carries the input counts, message_delta the cumulative output (and,
 * in newer API versions, input) counts. A field an event leaves out keeps its earlier value.
 */
export function mergeAnthropicCounts(prev: AnthropicTokenCounts | null, usage: unknown): AnthropicTokenCounts | null {
  if (!isRecord(usage)) return prev
  const next = anthropicTokenCounts(usage)
  if (!prev) return next
  return {
    input: usage.input_tokens == null ? prev.input : next.input,
    cacheCreation: usage.cache_creation_input_tokens == null ? prev.cacheCreation : next.cacheCreation,
    cacheRead: usage.cache_read_input_tokens == null ? prev.cacheRead : next.cacheRead,
    output: usage.output_tokens == null ? prev.output : next.output,
  }
}

export function openAIUsageFromCounts(counts: AnthropicTokenCounts): OpenAIUsage {
  const prompt = counts.input + counts.cacheCreation + counts.cacheRead
  const usage: OpenAIUsage = {prompt_tokens: prompt, completion_tokens: counts.output, total_tokens: prompt + counts.output}
  if (counts.cacheRead > 0) usage.prompt_tokens_details = {cached_tokens: counts.cacheRead}
  return usage
}

export function anthropicResponseToOpenAI(resp: AnthropicMessage, options: AnthropicToOpenAIResponseOptions): OpenAIChatCompletion {
  let text = ''
  let sawText = false
  const toolCalls: OpenAIToolCall[] = []
  for (const block of Array.isArray(resp.content) ? resp.content : []) {
    if (!isRecord(block)) continue
    if (block.type === 'text' && typeof block.text === 'string') {
      // Citations split one answer into several text blocks; they read as one text.
      text += block.text
      sawText = true
    } else if (block.type === 'tool_use') {
      toolCalls.push({
        id: String(block.id ?? ''),
        type: 'function',
        function: {name: String(block.name ?? ''), arguments: JSON.stringify(block.input ?? {})},
      })
    }
    // thinking, redacted_thinking and server tool blocks have no Chat Completions form.
  }
  const message: OpenAIChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: sawText || toolCalls.length === 0 ? text : null,
    refusal: null,
  }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  return {
    id: `chatcmpl-${String(resp.id ?? '')}`,
    object: 'chat.completion',
    created: options.created,
    model: options.model,
    choices: [{index: 0, message, logprobs: null, finish_reason: openAIFinishReason(resp.stop_reason)}],
    usage: openAIUsageFromCounts(anthropicTokenCounts(resp.usage)),
  }
}

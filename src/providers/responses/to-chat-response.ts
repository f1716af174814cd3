/**
 * OpenAI Responses `response` object -> OpenAI chat.completion, for a Chat client (or, through the
 * Chat -> Anthropic step, an Anthropic client) served by an OpenAI model only the Responses API
 * serves. The opposite of from-chat-response.ts.
 */
import {isRecord, tokenCount} from '../util.js'
import type {OpenAIChatCompletion, OpenAIFinishReason, OpenAIResponseMessage, OpenAIToolCall, OpenAIUsage} from '../openai/types.js'

export interface ResponsesToChatOptions {
  /** The model id shown to the client. */
  model: string
  /** Unix seconds. */
  created: number
}

/** `chatcmpl-` + the response id without its `resp_` prefix. */
export function chatCompletionId(responseId: unknown): string {
  const base = typeof responseId === 'string' ? responseId.replace(/^resp_/, '') : ''
  return `chatcmpl-${base === '' ? 'tokenhub' : base}`
}

/**
 * Responses usage read as Chat usage. Both count cached prompt tokens inside the input total and
 * reasoning tokens inside the output total.
 */
export function chatUsageFromResponses(usage: unknown): OpenAIUsage {
  const u = isRecord(usage) ? usage : {}
  const input = tokenCount(u.input_tokens)
  const output = tokenCount(u.output_tokens)
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: tokenCount(u.total_tokens) || input + output,
    prompt_tokens_details: {cached_tokens: Math.min(input, tokenCount(isRecord(u.input_tokens_details) ? u.input_tokens_details.cached_tokens : 0))},
    completion_tokens_details: {reasoning_tokens: tokenCount(isRecord(u.output_tokens_details) ? u.output_tokens_details.reasoning_tokens : 0)},
  }
}

/**
 * A response's status as a finish_reason: cut off by max_output_tokens is `length`, by the content
 * filter `content_filter`; a finished answer with function calls is `tool_calls`.
 */
export function chatFinishReason(response: Record<string, unknown>, hasToolCalls: boolean): OpenAIFinishReason {
  if (response.status === 'incomplete') {
    const reason = isRecord(response.incomplete_details) ? response.incomplete_details.reason : undefined
    return reason === 'content_filter' ? 'content_filter' : 'length'
  }
  return hasToolCalls ? 'tool_calls' : 'stop'
}

/**
 * The text of a reasoning item: its raw `reasoning_text` content when it has some (OpenAI-compatible
 * servers), else its summary (what OpenAI shows of its models' reasoning, when asked for).
 */
export function reasoningItemText(item: Record<string, unknown>): string {
  const texts = (parts: unknown, type: string) =>
    (Array.isArray(parts) ? parts : []).flatMap((part) => (isRecord(part) && part.type === type && typeof part.text === 'string' && part.text !== '' ? [part.text] : []))
  const raw = texts(item.content, 'reasoning_text')
  return (raw.length > 0 ? raw : texts(item.summary, 'summary_text')).join('\n\n')
}

/** Separates two message items' texts (a commentary message before the final one): they are one Chat answer. */
export const MESSAGE_SEPARATOR = '\n\n'

export function responseToChatCompletion(response: unknown, options: ResponsesToChatOptions): OpenAIChatCompletion {
  const resp = isRecord(response) ? response : {}
  let text = ''
  let refusal = ''
  const reasoning: string[] = []
  const toolCalls: OpenAIToolCall[] = []
  for (const item of Array.isArray(resp.output) ? resp.output : []) {
    if (!isRecord(item)) continue
    if (item.type === 'message') {
      let itemText = ''
      for (const part of Array.isArray(item.content) ? item.content : []) {
        if (!isRecord(part)) continue
        if (part.type === 'output_text' && typeof part.text === 'string') itemText += part.text
        else if (part.type === 'refusal' && typeof part.refusal === 'string') refusal += part.refusal
      }
      if (itemText !== '') text += (text === '' ? '' : MESSAGE_SEPARATOR) + itemText
    } else if (item.type === 'function_call') {
      toolCalls.push({
        id: typeof item.call_id === 'string' ? item.call_id : String(item.id ?? ''),
        type: 'function',
        function: {name: String(item.name ?? ''), arguments: typeof item.arguments === 'string' && item.arguments !== '' ? item.arguments : '{}'},
      })
    } else if (item.type === 'reasoning') {
      const itemText = reasoningItemText(item)
      if (itemText !== '') reasoning.push(itemText)
    }
    // Items of tools OpenAI runs itself (web_search_call...) are never asked for by this translation.
  }
  const message: OpenAIResponseMessage = {
    role: 'assistant',
    content: text !== '' || (toolCalls.length === 0 && refusal === '') ? text : null,
    refusal: refusal === '' ? null : refusal,
  }
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('\n\n')
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  const completion: OpenAIChatCompletion = {
    id: chatCompletionId(resp.id),
    object: 'chat.completion',
    created: options.created,
    model: options.model,
    choices: [{index: 0, message, logprobs: null, finish_reason: chatFinishReason(resp, toolCalls.length > 0)}],
  }
  if (isRecord(resp.usage)) completion.usage = chatUsageFromResponses(resp.usage)
  return completion
}

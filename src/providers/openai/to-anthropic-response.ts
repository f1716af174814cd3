/** OpenAI chat.completion -> Anthropic Messages response, for an Anthropic client served by an OpenAI-type model. */
import {anthropicToolId, isRecord, madeUpToolCallId, parseJsonObject, tokenCount} from '../util.js'
import type {AnthropicContentBlock, AnthropicMessage, AnthropicStopReason, AnthropicUsage} from '../anthropic/types.js'
import type {OpenAIChatCompletion} from './types.js'
import {reasoningText} from './stream-chunk.js'

export interface OpenAIToAnthropicResponseOptions {
  /** The model id shown to the client. */
  model: string
  /** The client asked for extended thinking: the model's reasoning text becomes a thinking block. */
  thinking?: boolean
  /** The gateway's prompt estimate, for an answer without usage (see TranslatingStreamOptions.inputEstimate). */
  inputEstimate?: number
}

/**
 * Some OpenAI-compatible servers end a tool-calling turn with finish_reason "stop"; an Anthropic
 * client only runs tools on stop_reason "tool_use", so tool calls win over a plain stop.
 */
export function anthropicStopReason(finishReason: unknown, hasToolUse = false, refused = false): AnthropicStopReason {
  // A refusal (message.refusal) comes with finish_reason "stop": Anthropic says refusal.
  if (refused && (finishReason === 'stop' || finishReason === null || finishReason === undefined)) return 'refusal'
  switch (finishReason) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    default:
      return hasToolUse ? 'tool_use' : 'end_turn'
  }
}

/** `msg_` + the upstream id without OpenAI's `chatcmpl-` prefix. */
export function anthropicMessageId(openAIId: unknown): string {
  return `msg_${typeof openAIId === 'string' && openAIId !== '' ? openAIId.replace(/^chatcmpl-/, '') : 'tokenhub'}`
}

/**
 * OpenAI's prompt_tokens includes cached tokens; Anthropic reports cache reads apart from
 * input_tokens, and clients add them back up (input + cache reads = context used).
 */
export function anthropicUsage(usage: unknown): AnthropicUsage {
  const u = isRecord(usage) ? usage : {}
  const prompt = tokenCount(u.prompt_tokens)
  const cached = Math.min(prompt, tokenCount(isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details.cached_tokens : 0))
  const out: AnthropicUsage = {input_tokens: prompt - cached, output_tokens: tokenCount(u.completion_tokens)}
  if (cached > 0) out.cache_read_input_tokens = cached
  return out
}

/** Roughly four characters a token: what an Anthropic client is told when the upstream counted nothing. */
export function estimatedUsage(inputEstimate: number | undefined, outputChars: number): AnthropicUsage {
  return {input_tokens: inputEstimate ?? 0, output_tokens: Math.ceil(outputChars / 4)}
}

export function openAIResponseToAnthropic(resp: OpenAIChatCompletion, options: OpenAIToAnthropicResponseOptions): AnthropicMessage {
  const choice = Array.isArray(resp.choices) ? resp.choices[0] : undefined
  const message = isRecord(choice?.message) ? choice.message : undefined
  const content: AnthropicContentBlock[] = []
  const reasoning = options.thinking && message ? reasoningText(message) : ''
  if (reasoning !== '') content.push({type: 'thinking', thinking: reasoning, signature: ''})
  const answer = messageText(message?.content)
  const refused = answer === '' && typeof message?.refusal === 'string' && message.refusal !== ''
  const text = refused ? (message!.refusal as string) : answer
  if (text !== '') content.push({type: 'text', text})
  for (const call of Array.isArray(message?.tool_calls) ? message.tool_calls : []) {
    if (!isRecord(call) || !isRecord(call.function)) continue
    // Anthropic's input must be an object; arguments that are not one (truncated by max_tokens) become {}.
    const input = parseJsonObject(call.function.arguments) ?? {}
    // Some servers (Gemini's OpenAI API, LM Studio) send no id: make one that is unique in the conversation.
    const id = typeof call.id === 'string' && call.id !== '' ? anthropicToolId(call.id) : madeUpToolCallId('toolu_')
    content.push({type: 'tool_use', id, name: String(call.function.name ?? ''), input})
  }
  return {
    id: anthropicMessageId(resp.id),
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: anthropicStopReason(choice?.finish_reason, content.some((block) => block.type === 'tool_use'), refused),
    stop_sequence: null,
    usage: isRecord(resp.usage) ? anthropicUsage(resp.usage) : estimatedUsage(options.inputEstimate, answerChars(content)),
  }
}

function answerChars(content: AnthropicContentBlock[]): number {
  let chars = 0
  for (const block of content) {
    if (block.type === 'text') chars += block.text.length
    else if (block.type === 'thinking') chars += block.thinking.length
    else if (block.type === 'tool_use') chars += block.name.length + JSON.stringify(block.input).length
  }
  return chars
}

/** Content is a string, or (from some compatible servers) an array of text parts. */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((part) => (isRecord(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('')
}

/**
 * Thinking blocks that no Anthropic model signed. TokenHub relays the reasoning of an
 * OpenAI-compatible model (DeepSeek, vLLM...) to an Anthropic client as thinking blocks with an
 * empty signature; the client sends them back in later turns, and Anthropic refuses a request whose
 * thinking blocks do not carry its signature. Before such a conversation goes to an Anthropic
 * model, they are left out (Anthropic ignores the thinking of earlier turns anyway).
 *
 * With thinking on, Anthropic also wants a tool loop's assistant turn to start with its own signed
 * thinking ("a final assistant message must start with a thinking block"): a turn another model
 * began (a failover, a weighted alias, Claude Code's /model switch) cannot have one, so thinking
 * is turned off for that request, and is back on the next user turn.
 */
import {isRecord} from '../util.js'

const isUnsigned = (block: unknown): boolean => isRecord(block) && block.type === 'thinking' && (block.signature === '' || block.signature === undefined)

function hasUnsigned(message: unknown): boolean {
  return isRecord(message) && message.role === 'assistant' && Array.isArray(message.content) && message.content.some(isUnsigned)
}

/** The body without unsigned thinking blocks; the same object when it has none (the common case: one scan, no copy). */
export function withoutUnsignedThinking(body: Record<string, unknown>): Record<string, unknown> {
  const messages = body.messages
  if (!Array.isArray(messages) || !messages.some(hasUnsigned)) return body
  return {
    ...body,
    messages: messages.flatMap((message) => {
      if (!hasUnsigned(message)) return [message]
      const content = (message.content as unknown[]).filter((block) => !isUnsigned(block))
      // A turn that was only thinking goes whole (Anthropic joins the user turns around it).
      return content.length > 0 ? [{...message, content}] : []
    }),
  }
}

const isToolResult = (block: unknown): boolean => isRecord(block) && block.type === 'tool_result'
/**
 * A user message that hands back tool results: the assistant's turn goes on. Anthropic puts them
 * first; Claude Code often adds text after them (system reminders, hook output), still the same turn.
 */
const continuesTurn = (message: unknown): boolean => isRecord(message) && message.role === 'user' && Array.isArray(message.content) && isToolResult(message.content[0])
const startsWithThinking = (message: unknown): boolean => {
  const first = isRecord(message) && Array.isArray(message.content) ? message.content[0] : undefined
  return isRecord(first) && (first.type === 'redacted_thinking' || (first.type === 'thinking' && !isUnsigned(first)))
}

/**
 * For an Anthropic model: unsigned thinking left out, and thinking turned off when the request
 * continues a tool loop whose assistant turn does not start with signed thinking. `dropped` says
 * what was left out.
 */
export function forAnthropicThinking(body: Record<string, unknown>): {body: Record<string, unknown>; dropped: string[]} {
  const out = withoutUnsignedThinking(body)
  const thinking = out.thinking
  const messages = out.messages
  // Only budgeted thinking ("enabled") requires it: with "adaptive" the model may answer a turn without thinking.
  if (!isRecord(thinking) || thinking.type !== 'enabled' || !Array.isArray(messages) || !continuesTurn(messages.at(-1))) return {body: out, dropped: []}
  // The turn's first assistant message: after the last user message that is not only tool results.
  let at = messages.length - 1
  while (at > 0 && (continuesTurn(messages[at]) || (isRecord(messages[at]) && messages[at].role === 'assistant'))) at--
  const first = messages.slice(at).find((message) => isRecord(message) && message.role === 'assistant')
  if (first === undefined || startsWithThinking(first)) return {body: out, dropped: []}
  const {thinking: _off, ...rest} = out
  return {body: rest, dropped: ['thinking']}
}

/**
 * Thinking blocks that no Anthropic model signed. TokenHub relays the reasoning of an
 * OpenAI-compatible model (DeepSeek, vLLM...) to an Anthropic client as thinking blocks with an
 * empty signature; the client sends them back in later turns, and Anthropic refuses a request whose
 * thinking blocks do not carry its signature. Before such a conversation goes to an Anthropic
 * model, they are left out (Anthropic ignores the thinking of earlier turns anyway).
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

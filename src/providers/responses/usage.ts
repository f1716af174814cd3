/** Token usage of a Responses API `response` object (a non-stream body, or the one in a terminal stream event). */
import {tokenUsage, type TokenUsage} from '../stream.js'
import {isRecord, tokenCount} from '../util.js'

/** `input_tokens` already counts cached tokens (`input_tokens_details.cached_tokens` is a part of it), as TokenUsage wants. */
export function responsesUsage(body: unknown): TokenUsage | null {
  const usage = isRecord(body) ? body.usage : undefined
  if (!isRecord(usage)) return null
  const input = tokenCount(usage.input_tokens)
  const cached = Math.min(input, tokenCount(isRecord(usage.input_tokens_details) ? usage.input_tokens_details.cached_tokens : 0))
  return tokenUsage(input, tokenCount(usage.output_tokens), cached)
}

/**
 * Input token estimates with a real tokenizer (o200k_base, GPT-4o's), used for context checks,
 * cost estimates and token rate limits. Images count a flat amount (their real cost depends on
 * size and provider); base64 payloads are never tokenized as text.
 *
 * The tokenizer (its 200k-entry table costs ~200 ms to load) is loaded on demand: the daemon
 * starts listening first and loads it right after; callers await `tokenizerReady()` when it
 * returns a promise, so no estimate is ever made without it.
 */

export const TOKENS_PER_IMAGE = 1000
const TOKENS_PER_MESSAGE = 4

let countTokens: ((text: string) => number) | null = null
let loading: Promise<void> | null = null

/** Starts loading the tokenizer (once); resolves when estimates can be made. */
export function loadTokenizer(): Promise<void> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => {
    countTokens = module.countTokens
  })
  return loading
}

/** null once the tokenizer is loaded (the hot path awaits nothing), else the promise to await. */
export function tokenizerReady(): Promise<void> | null {
  return countTokens ? null : loadTokenizer()
}

/**
 * Counts of long texts are remembered (least recently used out first): coding agents resend the
 * same system prompt, tool definitions and history on every turn, and tokenizing 100 KB costs
 * milliseconds of event loop each time; looking it up costs a string comparison. Short texts are
 * cheaper to count than to keep.
 *
 * A remembered count answers only the scope (API key) that counted the text: another key sending
 * the same text has it counted afresh, so answer times (count_tokens, say) cannot tell one tenant
 * which texts another one sent. The text itself is kept once.
 */
const CACHE_MIN_CHARS = 512
const CACHE_MAX_CHARS = 16 * 1024 * 1024
const MAX_SCOPES_PER_TEXT = 64
const counted = new Map<string, {tokens: number; scopes: string[]}>()
let countedChars = 0
const stats = {hits: 0, misses: 0}

/**
 * BPE time grows with the square of a word's length (64 KB of one letter takes seconds), so text
 * is counted in pieces of at most PIECE_CHARS, cut before a space where there is one in the
 * piece's second half (so ordinary text counts as it would whole). Past SAMPLE_CHARS the count
 * is the first SAMPLE_CHARS' scaled to the whole: a 32 MB prompt is estimated in tens of
 * milliseconds, not tokenized for seconds while every other request waits.
 */
const PIECE_CHARS = 1024
const SAMPLE_CHARS = 256 * 1024

function countBounded(text: string): number {
  const count = countTokens!
  if (text.length <= PIECE_CHARS) return count(text)
  let total = 0
  let at = 0
  while (at < text.length && at < SAMPLE_CHARS) {
    let end = Math.min(text.length, at + PIECE_CHARS)
    if (end < text.length) {
      const space = text.slice(at + PIECE_CHARS / 2, end).lastIndexOf(' ')
      if (space > 0) end = at + PIECE_CHARS / 2 + space
    }
    total += count(text.slice(at, end))
    at = end
  }
  return at >= text.length ? total : Math.ceil((total * text.length) / at)
}

/**
 * Characters one request's estimate may tokenize (see estimateWithin); past them, texts are
 * estimated at the token-per-character rate counted so far. Infinite outside an estimate.
 */
const EXACT_CHARS_PER_ESTIMATE = 1024 * 1024
let exactLeft = Number.POSITIVE_INFINITY
let seenTokens = 0
let seenChars = 0

/** An exact count made: it uses up the estimate's allowance and teaches its rate. */
function noteExact(chars: number, tokens: number): number {
  exactLeft -= Math.min(chars, SAMPLE_CHARS)
  seenTokens += tokens
  seenChars += chars
  return tokens
}

/**
 * One request's estimate, with at most EXACT_CHARS_PER_ESTIMATE characters tokenized: a body of
 * thousands of messages (32 MB is allowed) is estimated in tens of milliseconds instead of
 * holding the event loop for seconds. Texts already counted (the cache) cost nothing.
 */
export function estimateWithin<B, R>(estimate: (body: B, scope: string) => R, body: B, scope: string): R {
  const [left, tokens, chars] = [exactLeft, seenTokens, seenChars]
  exactLeft = EXACT_CHARS_PER_ESTIMATE
  seenTokens = 0
  seenChars = 0
  try {
    return estimate(body, scope)
  } finally {
    exactLeft = left
    seenTokens = tokens
    seenChars = chars
  }
}

/** Tokens in `text`; `scope` (the API key id) says whose remembered counts may answer. */
export const countText = (text: string, scope = ''): number => {
  if (!text) return 0
  if (!countTokens) throw new Error('the tokenizer is not loaded yet: await tokenizerReady() first')
  // Past the request's allowance (see estimateWithin): the rate counted so far, about four characters a token before that.
  const overAllowance = text.length > exactLeft
  const scaled = () => Math.ceil(text.length * (seenChars > 0 ? seenTokens / seenChars : 0.25))
  if (text.length < CACHE_MIN_CHARS) return overAllowance ? scaled() : noteExact(text.length, countTokens(text))
  const known = counted.get(text)
  if (known !== undefined) {
    counted.delete(text)
    counted.set(text, known)
    if (known.scopes.includes(scope)) {
      stats.hits++
      return known.tokens
    }
  }
  stats.misses++
  if (overAllowance) return scaled()
  const tokens = noteExact(text.length, countBounded(text))
  if (known !== undefined) {
    if (known.scopes.length < MAX_SCOPES_PER_TEXT) known.scopes.push(scope)
  } else if (text.length <= CACHE_MAX_CHARS / 8) {
    counted.set(text, {tokens, scopes: [scope]})
    countedChars += text.length
    for (const oldest of counted.keys()) {
      if (countedChars <= CACHE_MAX_CHARS) break
      counted.delete(oldest)
      countedChars -= oldest.length
    }
  }
  return tokens
}

/** What the count cache holds and how it answered (for tests and diagnostics). */
export function tokenCountCache(): {entries: number; chars: number; hits: number; misses: number} {
  return {entries: counted.size, chars: countedChars, ...stats}
}

type Part = {type?: unknown; text?: unknown; content?: unknown; input?: unknown; source?: unknown; image_url?: unknown}

function countContent(content: unknown, scope: string): number {
  if (typeof content === 'string') return countText(content, scope)
  if (!Array.isArray(content)) return 0
  let total = 0
  for (const part of content as Part[]) {
    if (!part || typeof part !== 'object') continue
    if (typeof part.text === 'string') total += countText(part.text, scope)
    else if (part.type === 'image_url' || part.type === 'image' || part.type === 'input_image') total += TOKENS_PER_IMAGE
    else if (part.type === 'tool_result') total += countContent(part.content, scope)
    else if (part.type === 'tool_use') total += countText(JSON.stringify(part.input ?? {}), scope)
  }
  return total
}

interface MessageLike {
  content?: unknown
  tool_calls?: Array<{function?: {name?: string; arguments?: string}}>
}

/** OpenAI chat or Anthropic messages request body; `scope` as in countText. */
export function estimateChatTokens(body: {messages?: unknown; system?: unknown; tools?: unknown}, scope = ''): number {
  let total = 0
  if (body.system !== undefined) total += countContent(body.system, scope) + TOKENS_PER_MESSAGE
  if (Array.isArray(body.messages)) {
    for (const message of body.messages as MessageLike[]) {
      if (!message || typeof message !== 'object') continue
      total += TOKENS_PER_MESSAGE + countContent(message.content, scope)
      for (const call of message.tool_calls ?? []) total += countText(call.function?.name ?? '', scope) + countText(call.function?.arguments ?? '', scope)
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) total += countText(JSON.stringify(body.tools), scope)
  return total
}

const isToken = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0

/**
 * What is wrong with a legacy completions `prompt` or an embeddings `input`, naming the path, or
 * null when it is one of OpenAI's shapes: a string, a non-empty array of strings, of token ids
 * (non-negative integers), or of non-empty arrays of token ids. Any other shape would be estimated
 * at 0 tokens (no context check, TPM count or budget hold) and forwarded.
 */
export function batchInputProblem(input: unknown, field: string): {path: string; message: string} | null {
  if (typeof input === 'string') return null
  const shapes = 'a string, an array of strings, an array of token ids (non-negative integers) or an array of such arrays'
  if (!Array.isArray(input)) return {path: field, message: `must be ${shapes}`}
  if (input.length === 0) return {path: field, message: `must not be empty (${shapes})`}
  const first = input[0]
  const kind = typeof first === 'string' ? 'string' : isToken(first) ? 'token' : Array.isArray(first) ? 'tokens' : null
  if (kind === null) return {path: `${field}[0]`, message: 'must be a string, a token id (non-negative integer) or an array of token ids'}
  for (let index = 0; index < input.length; index++) {
    const item: unknown = input[index]
    const path = `${field}[${index}]`
    if (kind === 'string' && typeof item !== 'string') return {path, message: `must be a string, like ${field}[0]`}
    if (kind === 'token' && !isToken(item)) return {path, message: `must be a token id (non-negative integer), like ${field}[0]`}
    if (kind !== 'tokens') continue
    if (!Array.isArray(item) || item.length === 0) return {path, message: `must be a non-empty array of token ids, like ${field}[0]`}
    const bad = item.findIndex((token) => !isToken(token))
    if (bad >= 0) return {path: `${path}[${bad}]`, message: 'must be a token id (non-negative integer)'}
  }
  return null
}

/** Legacy completions `prompt` or embeddings `input`: a string, strings, or token arrays. */
export function estimateInputTokens(input: unknown, scope = ''): number {
  if (typeof input === 'string') return countText(input, scope)
  if (!Array.isArray(input)) return 0
  let total = 0
  for (const item of input) {
    if (typeof item === 'string') total += countText(item, scope)
    else if (typeof item === 'number') total += 1
    else if (Array.isArray(item)) total += item.length
  }
  return total
}

/**
 * Embeddings `input` / completions `prompt` as separate inputs: how many, and the largest one's
 * tokens. Each input of a batch is held to the model's context on its own (OpenAI: 8192 tokens per
 * input, up to 2048 inputs), so the context check reads the largest, not the sum.
 */
export function inputShape(input: unknown, scope = ''): {count: number; largest: number; total: number} {
  if (typeof input === 'string') {
    const tokens = countText(input, scope)
    return {count: 1, largest: tokens, total: tokens}
  }
  if (!Array.isArray(input) || input.length === 0) return {count: 1, largest: 0, total: 0}
  // One token array ([1, 2, 3]) is one input.
  if (input.every((item) => typeof item === 'number')) return {count: 1, largest: input.length, total: input.length}
  let largest = 0
  let total = 0
  for (const item of input) {
    const tokens = typeof item === 'string' ? countText(item, scope) : Array.isArray(item) ? item.length : typeof item === 'number' ? 1 : 0
    if (tokens > largest) largest = tokens
    total += tokens
  }
  return {count: input.length, largest, total}
}

type ResponsesItem = {type?: unknown; content?: unknown; arguments?: unknown; output?: unknown; name?: unknown}

/** OpenAI Responses API body: instructions, input (a string or items) and tools. */
export function estimateResponsesTokens(body: {instructions?: unknown; input?: unknown; tools?: unknown}, scope = ''): number {
  let total = typeof body.instructions === 'string' ? countText(body.instructions, scope) + TOKENS_PER_MESSAGE : 0
  if (typeof body.input === 'string') total += countText(body.input, scope) + TOKENS_PER_MESSAGE
  else if (Array.isArray(body.input)) {
    for (const item of body.input as ResponsesItem[]) {
      if (!item || typeof item !== 'object') continue
      total += TOKENS_PER_MESSAGE
      if (item.content !== undefined) total += countContent(item.content, scope)
      if (typeof item.arguments === 'string') total += countText(item.arguments, scope)
      if (typeof item.name === 'string') total += countText(item.name, scope)
      if (typeof item.output === 'string') total += countText(item.output, scope)
      else if (item.output !== undefined) total += countContent(item.output, scope)
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) total += countText(JSON.stringify(body.tools), scope)
  return total
}

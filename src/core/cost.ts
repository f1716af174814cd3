/** Prices are USD per 1,000 tokens. */
export interface Prices {
  inputPer1k: number
  outputPer1k: number
}

/** Prompt-cache prices, USD per 1,000 tokens; absent: the input price. */
export interface CachePrices {
  cacheReadPer1k?: number
  cacheWritePer1k?: number
}

/**
 * The usual prompt-cache prices of a provider type, as shares of the input price: Anthropic bills
 * cache reads at 0.1x and 5-minute cache writes at 1.25x; OpenAI bills cached input at 0.5x
 * (gpt-4o; newer models less: set the model's cache_read_per_1k) and no write premium; a
 * self-hosted server at the input price.
 */
export function cachePrices(providerType: string, inputPer1k: number, set: {cache_read_per_1k?: number | null; cache_write_per_1k?: number | null} = {}): Required<CachePrices> {
  const [read, write] = providerType === 'anthropic' ? [0.1, 1.25] : providerType === 'openai' ? [0.5, 1] : [1, 1]
  return {cacheReadPer1k: set.cache_read_per_1k ?? inputPer1k * read, cacheWritePer1k: set.cache_write_per_1k ?? inputPer1k * write}
}

/** Tokens as billed: `input` counts the cached ones too (`cacheRead`, `cacheWrite` are parts of it). */
export interface BilledTokens {
  input: number
  output: number
  cacheRead?: number
  cacheWrite?: number
}

/** The cost of an answer's usage, its prompt-cache reads and writes at their own prices. */
export function usageCostUsd(prices: Prices & CachePrices, usage: BilledTokens): number {
  const read = Math.min(usage.cacheRead ?? 0, usage.input)
  const write = Math.min(usage.cacheWrite ?? 0, usage.input - read)
  if (read === 0 && write === 0) return costUsd(prices, usage.input, usage.output)
  const cost =
    ((usage.input - read - write) * prices.inputPer1k +
      read * (prices.cacheReadPer1k ?? prices.inputPer1k) +
      write * (prices.cacheWritePer1k ?? prices.inputPer1k) +
      usage.output * prices.outputPer1k) /
    1000
  return Number.isFinite(cost) && cost > 0 ? roundUsd(cost) : 0
}

export function costUsd(prices: Prices, inputTokens: number, outputTokens: number): number {
  const cost = (inputTokens / 1000) * prices.inputPer1k + (outputTokens / 1000) * prices.outputPer1k
  return Number.isFinite(cost) && cost > 0 ? roundUsd(cost) : 0
}

/** Dollars to 12 significant digits: 0.000025, not 0.000024999999999999998 (binary floating-point noise). */
export function roundUsd(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value
  // Scaling to an integer is 4x cheaper than toPrecision (it runs several times per request);
  // what it cannot do exactly (huge or tiny values, a near-tie) goes the exact way.
  const scale = 11 - Math.floor(Math.log10(Math.abs(value)))
  if (scale < 0 || scale > 22) return Number(value.toPrecision(12))
  const scaled = Math.abs(value) * POWERS_OF_TEN[scale]
  const rounded = Math.round(scaled)
  if (Math.abs(scaled - rounded) > 0.4999) return Number(value.toPrecision(12))
  return (Math.sign(value) * rounded) / POWERS_OF_TEN[scale]
}

const POWERS_OF_TEN = Array.from({length: 23}, (_, i) => 10 ** i)

/** Output tokens assumed for an estimate when the client set no max_tokens. */
export const DEFAULT_OUTPUT_ESTIMATE = 512

export function expectedOutputTokens(requested: number | null, modelCap: number | null): number {
  const wanted = requested ?? DEFAULT_OUTPUT_ESTIMATE
  return modelCap ? Math.min(wanted, modelCap) : wanted
}

/** Output tokens assumed for a reservation when neither the client nor the model sets a cap. */
export const DEFAULT_MAX_OUTPUT = 4096

/** The output a request asks for: max_tokens (null when not given) and how many answers (`n`, `best_of`; 1 usually). */
export interface OutputRequest {
  requested: number | null
  choices: number
  /** Separate inputs (a batch of embeddings inputs or completion prompts), each within the context on its own; 1 when absent. */
  inputs?: number
}

/** The most output a request can produce: max_tokens (clamped to the model's output cap, as sent), else that cap; per answer asked for. */
export function maxOutputTokens(model: {maxOutputTokens: number | null}, output: OutputRequest): number {
  const cap = model.maxOutputTokens
  const perChoice = output.requested === null ? (cap ?? DEFAULT_MAX_OUTPUT) : cap ? Math.min(output.requested, cap) : output.requested
  return perChoice * output.choices
}

/** The most a request can cost: its input estimate plus maxOutputTokens. */
export function maxCostUsd(prices: Prices & {maxOutputTokens: number | null}, inputTokens: number, output: OutputRequest): number {
  return costUsd(prices, inputTokens, maxOutputTokens(prices, output))
}

/**
 * Headroom on the o200k input estimate where an upstream's count matters (the context check, the
 * budget hold): other tokenizers (Claude's) count some 10-30 % more.
 */
export const ESTIMATE_HEADROOM = 1.15

/** What a request in flight holds against its key's budget: maxCostUsd with the input estimate raised by ESTIMATE_HEADROOM. */
export function holdUsd(prices: Prices & {maxOutputTokens: number | null}, inputEstimate: number, output: OutputRequest): number {
  return maxCostUsd(prices, Math.ceil(inputEstimate * ESTIMATE_HEADROOM), output)
}

/** Usage figures beyond this are not believed (no request has ten million tokens). */
export const MAX_PLAUSIBLE_TOKENS = 10_000_000

/**
 * Upstream-reported usage, made safe to account: negative, non-numeric or absurd figures are
 * clamped (0 .. MAX_PLAUSIBLE_TOKENS, whole numbers) and `flagged` says it happened.
 */
export function sanitizeUsage(usage: {input: unknown; output: unknown}): {input: number; output: number; flagged: boolean} {
  let flagged = false
  const clamp = (value: unknown): number => {
    const n = typeof value === 'number' ? value : Number.NaN
    if (!Number.isFinite(n) || n < 0) {
      flagged = true
      return 0
    }
    if (n > MAX_PLAUSIBLE_TOKENS) {
      flagged = true
      return MAX_PLAUSIBLE_TOKENS
    }
    if (!Number.isInteger(n)) flagged = true
    return Math.round(n)
  }
  return {input: clamp(usage.input), output: clamp(usage.output), flagged}
}

/**
 * The most output an answer to this request can hold: per answer the least of max_tokens, the
 * model's output cap and its context window, times the answers asked for (`n`).
 */
export function outputCeiling(model: {maxOutputTokens: number | null; maxContextTokens: number}, output: OutputRequest): number {
  let ceiling = MAX_PLAUSIBLE_TOKENS
  for (const cap of [output.requested, model.maxOutputTokens, model.maxContextTokens]) if (cap !== null && cap > 0 && cap < ceiling) ceiling = cap
  return Math.min(MAX_PLAUSIBLE_TOKENS, ceiling * Math.max(1, output.choices))
}

/**
 * Reported usage as billed: sanitised (see sanitizeUsage), then held to what the request could
 * produce: input within the model's context window, output within max_tokens / the model's output
 * cap. A buggy or hostile upstream cannot bill past what the client asked for; `flagged` says it tried.
 */
export function billableUsage(
  usage: {input: unknown; output: unknown; cacheRead?: unknown; cacheWrite?: unknown},
  model: {maxOutputTokens: number | null; maxContextTokens: number},
  request: OutputRequest,
): BilledTokens & {flagged: boolean} {
  const clean = sanitizeUsage(usage)
  const maxInput = model.maxContextTokens > 0 ? Math.min(model.maxContextTokens * Math.max(1, request.inputs ?? 1), MAX_PLAUSIBLE_TOKENS) : MAX_PLAUSIBLE_TOKENS
  const maxOutput = outputCeiling(model, request)
  const input = Math.min(clean.input, maxInput)
  const output = Math.min(clean.output, maxOutput)
  const billed: BilledTokens & {flagged: boolean} = {input, output, flagged: clean.flagged || input !== clean.input || output !== clean.output}
  // Cache counts are parts of the input: whole numbers within it (a bad one is no discount).
  const part = (value: unknown, room: number) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(Math.round(value), room) : 0)
  const cacheRead = part(usage.cacheRead, input)
  const cacheWrite = part(usage.cacheWrite, input - cacheRead)
  if (cacheRead > 0) billed.cacheRead = cacheRead
  if (cacheWrite > 0) billed.cacheWrite = cacheWrite
  return billed
}

/**
 * What a stream is billed when the upstream's report does not cover what was relayed (the client
 * left, the upstream broke off, or it finished without a final usage report): Anthropic reports its output only at the end (message_start says 1
 * token), OpenAI its usage only after the last chunk. Each relayed event carries at least one
 * output token, so their count is a floor for the output; the input is the upstream's figure when
 * it gave one, else the estimate. Null when the report already covers the relayed events.
 */
export function interruptedStreamUsage(
  reported: {input: number; output: number} | null,
  relayedEvents: number,
  inputEstimate: number,
  maxOutput = MAX_PLAUSIBLE_TOKENS,
): {input: number; output: number} | null {
  const floor = Math.min(relayedEvents, maxOutput)
  // A report of 0 input tokens for a prompt that has some does not cover it either.
  if (reported && reported.output >= floor && (reported.input > 0 || inputEstimate === 0)) return null
  return {input: reported && reported.input > 0 ? reported.input : inputEstimate, output: Math.max(reported?.output ?? 0, floor, 1)}
}

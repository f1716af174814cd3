/** Prices are USD per 1,000 tokens. */
export interface Prices {
  inputPer1k: number
  outputPer1k: number
}

export function costUsd(prices: Prices, inputTokens: number, outputTokens: number): number {
  const cost = (inputTokens / 1000) * prices.inputPer1k + (outputTokens / 1000) * prices.outputPer1k
  return Number.isFinite(cost) && cost > 0 ? cost : 0
}

/** Output tokens assumed for an estimate when the client set no max_tokens. */
export const DEFAULT_OUTPUT_ESTIMATE = 512

export function expectedOutputTokens(requested: number | null, modelCap: number | null): number {
  const wanted = requested ?? DEFAULT_OUTPUT_ESTIMATE
  return modelCap ? Math.min(wanted, modelCap) : wanted
}

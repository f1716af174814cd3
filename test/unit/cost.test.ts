import {describe, expect, it} from 'vitest'
import {billableUsage, costUsd, holdUsd, interruptedStreamUsage, maxCostUsd, MAX_PLAUSIBLE_TOKENS, outputCeiling, roundUsd, sanitizeUsage} from '../../src/core/cost.js'

const out = (requested: number | null, choices = 1) => ({requested, choices})

describe('cost and usage', () => {
  const prices = {inputPer1k: 0.001, outputPer1k: 0.002, maxOutputTokens: 1000}

  it('prices usage and the most a request can cost', () => {
    expect(costUsd(prices, 1000, 500)).toBeCloseTo(0.002, 12)
    expect(maxCostUsd(prices, 1000, out(100))).toBeCloseTo(0.0012, 12)
    expect(maxCostUsd(prices, 1000, out(null))).toBeCloseTo(0.003, 12)
    expect(maxCostUsd({...prices, maxOutputTokens: null}, 0, out(null))).toBeCloseTo(0.008192, 12)
  })

  it('holds the most a request can cost with the input estimate raised by the context check\'s headroom (x1.15)', () => {
    expect(holdUsd(prices, 1000, out(100))).toBeCloseTo(0.00135, 12)
    expect(holdUsd(prices, 5, out(10))).toBeCloseTo(0.000026, 12) // ceil(5.75) = 6 input tokens
    expect(holdUsd(prices, 0, out(100))).toBe(maxCostUsd(prices, 0, out(100)))
  })

  it('clamps and flags nonsense usage', () => {
    expect(sanitizeUsage({input: 10, output: 5})).toEqual({input: 10, output: 5, flagged: false})
    expect(sanitizeUsage({input: -3, output: 'lots'})).toEqual({input: 0, output: 0, flagged: true})
    expect(sanitizeUsage({input: 1e12, output: Number.NaN})).toEqual({input: MAX_PLAUSIBLE_TOKENS, output: 0, flagged: true})
    expect(sanitizeUsage({input: 2.6, output: Infinity})).toEqual({input: 3, output: 0, flagged: true})
    expect(costUsd(prices, -5, Number.NaN)).toBe(0)
  })

  it('prices without binary floating-point noise', () => {
    expect(costUsd({inputPer1k: 0.001, outputPer1k: 0.002}, 5, 10)).toBe(0.000025)
    expect(roundUsd(0.00019899999999999996)).toBe(0.000199)
    expect(roundUsd(0)).toBe(0)
  })

  it('rounds exactly like toPrecision(12) across magnitudes, ties and signs', () => {
    const exact = (v: number) => Number(v.toPrecision(12))
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    const values = [1000, 1e-12, 999.9999999999999, 0.1 + 0.2, 2.5e-5, 123456789012.5, 1.0000000000005, -0.30000000000000004, 1e300, 5e-324, Number.MAX_VALUE]
    for (let i = 0; i < 20000; i++) values.push(random() * 10 ** (random() * 20 - 12), (Math.floor(random() * 1e5) / 1e3) * (Math.floor(random() * 1e4) / 1e6))
    for (const value of values) expect(roundUsd(value), String(value)).toBe(exact(value))
    expect(roundUsd(Infinity)).toBe(Infinity)
    expect(roundUsd(Number.NaN)).toBeNaN()
  })

  it('bills reported usage within what the request could produce', () => {
    const model = {maxOutputTokens: 1000, maxContextTokens: 8000}
    expect(outputCeiling(model, out(10))).toBe(10)
    expect(outputCeiling(model, out(null))).toBe(1000)
    expect(outputCeiling({maxOutputTokens: null, maxContextTokens: 8000}, out(null))).toBe(8000)
    expect(outputCeiling({maxOutputTokens: null, maxContextTokens: 0}, out(null))).toBe(MAX_PLAUSIBLE_TOKENS)
    expect(billableUsage({input: 100, output: 8}, model, out(10))).toEqual({input: 100, output: 8, flagged: false})
    expect(billableUsage({input: 50_000, output: 1e12}, model, out(10))).toEqual({input: 8000, output: 10, flagged: true})
    expect(billableUsage({input: -1, output: 2000}, model, out(null))).toEqual({input: 0, output: 1000, flagged: true})
    // n answers: n times the output, and n times the most it may cost.
    expect(billableUsage({input: 10, output: 800}, model, out(100, 8))).toEqual({input: 10, output: 800, flagged: false})
    expect(maxCostUsd(prices, 0, out(100, 8))).toBeCloseTo(0.0016, 12)
  })

  it('bills an interrupted stream at least one output token per relayed event', () => {
    // Anthropic: message_start said 12 in, 1 out; 40 events went out before the client left.
    expect(interruptedStreamUsage({input: 12, output: 1}, 40, 9)).toEqual({input: 12, output: 40})
    // OpenAI: no usage yet; the input is the estimate.
    expect(interruptedStreamUsage(null, 5, 9)).toEqual({input: 9, output: 5})
    // The report already covers what was relayed: it is the bill.
    expect(interruptedStreamUsage({input: 12, output: 80}, 40, 9)).toBeNull()
    // A report of 0 input tokens for a prompt that has some does not cover it.
    expect(interruptedStreamUsage({input: 0, output: 80}, 40, 9)).toEqual({input: 9, output: 80})
    // Never 0.
    expect(interruptedStreamUsage(null, 0, 0)).toEqual({input: 0, output: 1})
    // Never past what the request could produce.
    expect(interruptedStreamUsage(null, 306, 9, 50)).toEqual({input: 9, output: 50})
  })
})

describe('prompt-cache prices', () => {
  it('bills cache reads and writes at their own prices, the rest of the input at the input price', async () => {
    const {cachePrices, usageCostUsd} = await import('../../src/core/cost.js')
    const claude = {inputPer1k: 0.003, outputPer1k: 0.015, ...cachePrices('anthropic', 0.003)}
    expect(claude.cacheReadPer1k).toBeCloseTo(0.0003, 12)
    expect(claude.cacheWritePer1k).toBeCloseTo(0.00375, 12)
    // 10 plain + 1000 read + 50 written input tokens, 100 output tokens.
    expect(usageCostUsd(claude, {input: 1060, output: 100, cacheRead: 1000, cacheWrite: 50})).toBeCloseTo((10 * 0.003 + 1000 * 0.0003 + 50 * 0.00375 + 100 * 0.015) / 1000, 12)
    expect(usageCostUsd(claude, {input: 1060, output: 100})).toBeCloseTo((1060 * 0.003 + 100 * 0.015) / 1000, 12)
    expect(cachePrices('openai', 0.0025).cacheReadPer1k).toBeCloseTo(0.00125, 12)
    expect(cachePrices('vllm', 0.001)).toEqual({cacheReadPer1k: 0.001, cacheWritePer1k: 0.001})
    expect(cachePrices('anthropic', 0.003, {cache_read_per_1k: 0.0001, cache_write_per_1k: null})).toEqual({cacheReadPer1k: 0.0001, cacheWritePer1k: 0.00375})
    // Counts past the input are no discount beyond it.
    expect(usageCostUsd(claude, {input: 100, output: 0, cacheRead: 500})).toBeCloseTo((100 * 0.0003) / 1000, 12)
  })
})

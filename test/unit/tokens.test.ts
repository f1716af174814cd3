import {beforeAll, describe, expect, it} from 'vitest'
import {countText, estimateChatTokens, estimateWithin, loadTokenizer} from '../../src/core/tokens.js'

beforeAll(() => loadTokenizer())

describe('countText', () => {
  it('counts ordinary long text as it would whole (cut into pieces before spaces)', async () => {
    const {countTokens} = await import('gpt-tokenizer/encoding/o200k_base')
    const prose = 'The quick brown fox jumps over the lazy dog, twice.\n'.repeat(2000)
    const code = 'function f(x) {\n  return x.map((y) => y * 2).filter(Boolean)\n}\n'.repeat(1500)
    for (const text of [prose, code]) {
      const exact = countTokens(text)
      const counted = countText(text, 'exactness')
      expect(Math.abs(counted - exact) / exact).toBeLessThan(0.01)
    }
  })

  // Whole, these took minutes (BPE time grows with the square of a word's length): the test's
  // timeout is what fails if pieces or sampling stop working.
  it('counts text built to be slow (one 200 KB word) and a multi-megabyte prompt, as fair estimates', () => {
    const word = countText('a'.repeat(200_000), 'adversarial')
    expect(word).toBeGreaterThan(200_000 / 16)
    const letters = Array.from({length: 4_000_000}, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('')
    const big = countText(letters, 'adversarial')
    expect(big).toBeGreaterThan(4_000_000 / 16)
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(100_000) // 4.5 MB: sampled and scaled
    const estimate = countText(prose, 'sampled')
    expect(estimate).toBeGreaterThan(900_000)
    expect(estimate).toBeLessThan(1_100_000)
  })

  it('tokenizes at most a megabyte of one request: the rest of thousands of messages is estimated at the rate counted', () => {
    const messages = Array.from({length: 6000}, (_, i) => ({role: 'user', content: `message ${i}: ` + 'The quick brown fox jumps over the lazy dog. '.repeat(20)}))
    const body = {messages}
    const exact = estimateChatTokens(body, 'whole')
    const bounded = estimateWithin(estimateChatTokens, body, 'bounded')
    expect(Math.abs(bounded - exact) / exact).toBeLessThan(0.05)
    // Outside an estimate nothing is bounded.
    expect(countText('The quick brown fox. '.repeat(100), 'outside')).toBe(countText('The quick brown fox. '.repeat(100), 'outside'))
  })
})

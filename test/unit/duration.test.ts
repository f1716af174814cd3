import {describe, expect, it} from 'vitest'
import {parseDuration} from '../../src/core/duration.js'
import {TokenHubError} from '../../src/core/errors.js'

describe('parseDuration', () => {
  it.each([
    ['720h', 720 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['3600', 3_600_000],
    [60, 60_000],
  ])('%s', (input, ms) => {
    expect(parseDuration(input)).toBe(ms)
  })

  it.each(['', 'abc', '10x', '-5h', '0s', 'h', '5 h'])('rejects %j with a VALIDATION error', (input) => {
    expect(() => parseDuration(input)).toThrowError(TokenHubError)
  })
})

import {describe, expect, it} from 'vitest'
import {redactSecrets} from '../../src/core/redact.js'

describe('redactSecrets', () => {
  it('removes a known secret as written and as an upstream JSON encoder may have escaped it', () => {
    const key = 'abc/def+ghi"jkl\\mno'
    const escaped = JSON.stringify(key).slice(1, -1)
    const slashEscaped = escaped.replace(/\//g, '\\/')
    for (const form of [key, escaped, slashEscaped]) {
      const out = redactSecrets(`{"error":{"message":"bad key ${form} given"}}`, [key])
      expect(out, form).toContain('[REDACTED]')
      expect(out, form).not.toContain('def+ghi')
    }
  })
})

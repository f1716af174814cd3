import {describe, expect, it} from 'vitest'
import {AuthFailureSample, RECORDED_PER_SECOND, REPORT_EVERY_MS} from '../../daemon/gateway/auth-failure-sample.js'

describe('AuthFailureSample', () => {
  it('records 10 a second, counts the rest, and reports them at most once a minute', () => {
    const sample = new AuthFailureSample()
    const admitted = Array.from({length: 25}, () => sample.admit(1_000)).filter(Boolean).length
    expect(admitted).toBe(RECORDED_PER_SECOND)
    expect(sample.report(1_000)).toBe(15)
    expect(sample.admit(2_000)).toBe(true) // a new second
    for (let i = 0; i < 20; i++) sample.admit(2_000)
    expect(sample.report(2_000)).toBeNull() // reported a second ago
    expect(sample.report(1_000 + REPORT_EVERY_MS)).toBe(11)
    expect(sample.report(1_000 + 3 * REPORT_EVERY_MS)).toBeNull() // nothing left out since
  })
})

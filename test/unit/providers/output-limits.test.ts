import {describe, expect, it} from 'vitest'
import {clampOutputLimits} from '../../../src/providers/util.js'

describe('output limits of a pass-through body', () => {
  it('clamps max_tokens to the model and leaves a body within it as is', () => {
    const body = {model: 'm', max_tokens: 100}
    expect(clampOutputLimits(body, 8192)).toBe(body)
    expect(clampOutputLimits({model: 'm', max_tokens: 32000}, 8192)).toEqual({model: 'm', max_tokens: 8192})
    expect(clampOutputLimits({max_output_tokens: 99999}, 4096)).toEqual({max_output_tokens: 4096})
    expect(clampOutputLimits({max_tokens: 99999}, null)).toEqual({max_tokens: 99999})
  })

  it('keeps a thinking budget below the clamped max_tokens (Anthropic refuses it otherwise), or turns thinking off when it cannot', () => {
    // Claude Code's shape on a model with an 8192-token output cap.
    const claudeCode = {max_tokens: 32000, thinking: {type: 'enabled', budget_tokens: 31999}}
    // The answer keeps a quarter of the output (at least 1024 tokens): 8192 - 2048.
    expect(clampOutputLimits(claudeCode, 8192)).toEqual({max_tokens: 8192, thinking: {type: 'enabled', budget_tokens: 6144}})
    expect(claudeCode.thinking.budget_tokens).toBe(31999)
    // A budget that already fits stays; a small share never goes below Anthropic's minimum of 1024.
    expect(clampOutputLimits({max_tokens: 32000, thinking: {type: 'enabled', budget_tokens: 4000}}, 8192)).toEqual({max_tokens: 8192, thinking: {type: 'enabled', budget_tokens: 4000}})
    expect(clampOutputLimits({max_tokens: 64000, thinking: {type: 'enabled', budget_tokens: 10000}}, 2048)).toEqual({max_tokens: 2048, thinking: {type: 'enabled', budget_tokens: 1024}})
    // 1024 for thinking and 1024 for the answer do not fit in 1500.
    expect(clampOutputLimits({max_tokens: 64000, thinking: {type: 'enabled', budget_tokens: 10000}}, 1500)).toEqual({max_tokens: 1500})
    // No room for the minimum budget: thinking is off rather than refused.
    expect(clampOutputLimits({max_tokens: 32000, thinking: {type: 'enabled', budget_tokens: 16000}}, 1000)).toEqual({max_tokens: 1000})
    expect(clampOutputLimits({max_tokens: 32000, thinking: {type: 'disabled'}}, 1000)).toEqual({max_tokens: 1000, thinking: {type: 'disabled'}})
  })
})

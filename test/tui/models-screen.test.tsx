import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import type {SimulationDto} from '../../src/core/api-types.js'
import {frameLayout} from '../../src/tui/layout.js'
import {Models} from '../../src/tui/screens/Models.js'
import {ENGINE} from './fake-client.js'

const candidate = (i: number): SimulationDto['candidates'][number] => ({
  model_id: `model-${String(i).padStart(2, '0')}`,
  provider_id: 'oa',
  rank: i < 20 ? i + 1 : null,
  score: i < 20 ? i / 100 : null,
  components: i < 20 ? {cost: 0.1, latency: 0.1, failure: 0, weight: 0.5} : null,
  estimated_cost_usd: 0.001,
  p95_latency_ms: null,
  error_rate: 0,
  weight: 5,
  skip_reason: i < 20 ? null : 'unhealthy',
  skip_detail: i < 20 ? null : 'circuit open',
})

describe('models screen with more simulation candidates than fit', () => {
  it('says how many are not shown instead of hiding them silently', () => {
    const result = {mode: 'normal', token_count: 500, chosen: 'model-00', alias_from: null, vault_locked: false, candidates: Array.from({length: 30}, (_, i) => candidate(i))} as SimulationDto
    const {lastFrame, unmount} = render(
      <Models models={ENGINE.models} cursor={0} simulation={{mode: 'normal', tokens: 500, running: false, result, error: null}} frame={frameLayout({columns: 100, rows: 24})} theme={{color: false}} loading={false} />,
    )
    const frame = lastFrame() ?? ''
    // Candidate rows (the title names the chosen model too).
    const shown = frame.split('\n').filter((line) => !line.includes('chosen:') && /model-\d\d/.test(line)).length
    const more = /… (\d+) more candidates/.exec(frame)
    expect(more).not.toBeNull()
    expect(shown + Number(more![1])).toBe(30)
    // Ranked ones first: the chosen model is shown.
    expect(frame).toContain('model-00')
    expect(frame.split('\n').length).toBeLessThanOrEqual(frameLayout({columns: 100, rows: 24}).body)
    unmount()
  })
})

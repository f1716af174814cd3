import {describe, expect, it} from 'vitest'
import {formatEvent} from '../../src/cli/render/events.js'

describe('tokenhub events lines', () => {
  it('quotes values that would not read as one (spaces, quotes, =), and leaves the rest bare', () => {
    const event = {type: 'health_change', id: 7, ts: '2026-12-07T13:12:21.000Z', target: 'model', target_id: 'fake-1', from: 'closed', to: 'open', reason: '5 consecutive failures, last: upstream answered HTTP 500'}
    const line = formatEvent(event, false, '2026-12-07')
    expect(line).toBe('13:12:21  health_change     target=model target_id=fake-1 from=closed to=open reason="5 consecutive failures, last: upstream answered HTTP 500"')
    // Another day's event (a replayed backlog, a follower past midnight) carries its date.
    expect(formatEvent(event, false, '2026-12-08')).toMatch(/^2026-12-07 13:12:21  health_change /)
    expect(formatEvent({type: 'route_success', model_id: 'a="b"', latency_ms: 12, cost_usd: 0.0000123456789})).toContain('model_id="a=\\"b\\"" latency_ms=12 cost_usd=0.0000123457')
  })

  it('prints an update\'s changed fields as a plain list, other lists as JSON', () => {
    expect(formatEvent({type: 'model_changed', resource: 'model', action: 'update', resource_id: 'gpt-4o', changed: ['enabled', 'weight']})).toContain('resource_id=gpt-4o changed=enabled,weight')
    expect(formatEvent({type: 'x', items: ['a b', 'c']})).toContain('items=["a b","c"]')
  })
})

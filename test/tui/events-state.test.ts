import {describe, expect, it} from 'vitest'
import type {StreamEvent} from '../../src/client/event-stream.js'
import {
  appendEvents,
  eventWindow,
  initialEvents,
  matchesFilter,
  moveSelection,
  selectedEntry,
  setFilter,
  togglePause,
  visibleEvents,
  windowAround,
} from '../../src/tui/state/events.js'

const route = (n: number, model = 'cheap-gpt', type = 'route_success'): StreamEvent => ({type, id: n, ts: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`, model_id: model})

describe('event buffer', () => {
  it('appends in order, newest last, and hides the connected greeting', () => {
    const state = appendEvents(initialEvents(), [{type: 'connected', last_event_id: 0}, route(1), route(2)])
    expect(state.items.map((e) => e.event.id)).toEqual([1, 2])
    expect(state.items.map((e) => e.seq)).toEqual([1, 2])
    expect(state.received).toBe(2)
  })

  it('lists the daemon\'s notices at the time they came, without counting them as received events', () => {
    const state = appendEvents(initialEvents(), [route(1), {type: 'closing', reason: 'the daemon is shutting down'}], () => '2026-01-01T00:00:09.000Z')
    expect(state.items.map((e) => [e.event.type, e.event.ts])).toEqual([
      ['route_success', '2026-01-01T00:00:01.000Z'],
      ['closing', '2026-01-01T00:00:09.000Z'],
    ])
    expect(state.received).toBe(1)
  })

  it('stays bounded however many events arrive', () => {
    let state = initialEvents(100)
    for (let batch = 0; batch < 50; batch++) state = appendEvents(state, Array.from({length: 37}, (_, i) => route(batch * 37 + i)))
    expect(state.items).toHaveLength(100)
    expect(state.received).toBe(50 * 37)
    expect(state.items.at(-1)?.event.id).toBe(50 * 37 - 1)
    expect(state.items[0].event.id).toBe(50 * 37 - 100)
    // One huge batch is cut too.
    expect(appendEvents(initialEvents(10), Array.from({length: 1000}, (_, i) => route(i))).items.map((e) => e.event.id)).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999])
  })

  it('a held selection that falls out of the buffer goes back to following', () => {
    let state = appendEvents(initialEvents(10), Array.from({length: 10}, (_, i) => route(i)))
    state = moveSelection(state, -5)
    const held = state.selected
    state = appendEvents(state, [route(10), route(11)])
    expect(state.selected).toBe(held) // still in the buffer
    state = appendEvents(state, Array.from({length: 10}, (_, i) => route(20 + i)))
    expect(state.selected).toBeNull()
    expect(selectedEntry(state)?.event.id).toBe(29)
  })

  it('pause freezes the view while events keep arriving and counting', () => {
    let state = appendEvents(initialEvents(), [route(1), route(2)])
    state = togglePause(state)
    state = appendEvents(state, [route(3), route(4), route(5)])
    expect(visibleEvents(state).map((e) => e.event.id)).toEqual([1, 2])
    expect(state.unseen).toBe(3)
    expect(state.items).toHaveLength(5)
    state = togglePause(state)
    expect(visibleEvents(state).map((e) => e.event.id)).toEqual([1, 2, 3, 4, 5])
    expect(state.unseen).toBe(0)
  })

  it('counts events past the capacity while paused', () => {
    let state = togglePause(appendEvents(initialEvents(5), [route(1)]))
    state = appendEvents(state, Array.from({length: 20}, (_, i) => route(i + 2)))
    expect(state.unseen).toBe(20)
    expect(visibleEvents(state).map((e) => e.event.id)).toEqual([1])
    expect(state.items).toHaveLength(5)
  })

  it('filters by event type or a model or provider the event names, case-insensitively', () => {
    expect(matchesFilter(route(1, 'claude'), 'CLAU')).toBe(true)
    expect(matchesFilter(route(1, 'claude', 'route_error'), 'error')).toBe(true)
    expect(matchesFilter({type: 'heartbeat'}, 'claude')).toBe(false)
    // A failover names both models; a health change its target; an admin change its resource.
    const failover = {type: 'failover', from_model: 'claude', to_model: 'cheap-gpt', request_id: 'r1'}
    expect(matchesFilter(failover, 'claude')).toBe(true)
    expect(matchesFilter(failover, 'cheap')).toBe(true)
    expect(matchesFilter({type: 'health_change', target: 'provider', target_id: 'anthropic'}, 'anthro')).toBe(true)
    expect(matchesFilter({type: 'model_changed', resource: 'model', resource_id: 'claude'}, 'claude')).toBe(true)
    expect(matchesFilter({type: 'route_success', model_id: 'gpt', provider_id: 'oa'}, 'oa')).toBe(true)
    expect(matchesFilter({type: 'key_created', name: 'claude-key'}, 'claude')).toBe(false)
    let state = appendEvents(initialEvents(), [route(1, 'claude'), route(2, 'cheap-gpt', 'route_error'), {type: 'heartbeat', id: 3}])
    state = setFilter(state, ' claude ')
    expect(state.filter).toBe('claude')
    expect(visibleEvents(state).map((e) => e.event.id)).toEqual([1])
    expect(visibleEvents(setFilter(state, 'route')).map((e) => e.event.id)).toEqual([1, 2])
    expect(visibleEvents(setFilter(state, '')).map((e) => e.event.id)).toEqual([1, 2, 3])
  })

  it('selects with up/down within the visible events and keeps the selection in the window', () => {
    let state = appendEvents(initialEvents(), Array.from({length: 30}, (_, i) => route(i + 1)))
    expect(eventWindow(state, 5).rows.map((e) => e.event.id)).toEqual([26, 27, 28, 29, 30])
    expect(selectedEntry(state)?.event.id).toBe(30) // following: Enter shows the newest
    state = moveSelection(state, -1)
    expect(selectedEntry(state)?.event.id).toBe(30)
    state = moveSelection(state, -10)
    expect(selectedEntry(state)?.event.id).toBe(20)
    const window = eventWindow(state, 5)
    expect(window.selectedSeq).toBe(20)
    expect(window.rows.map((e) => e.event.id)).toEqual([18, 19, 20, 21, 22])
    // New events do not move the selection.
    state = appendEvents(state, [route(31)])
    expect(selectedEntry(state)?.event.id).toBe(20)
    expect(selectedEntry(moveSelection(state, -100))?.event.id).toBe(1)
    expect(selectedEntry(moveSelection(state, 100))?.event.id).toBe(31)
  })

  it('a window around an index is centred and clamped', () => {
    const items = Array.from({length: 10}, (_, i) => i)
    expect(windowAround(items, 0, 4)).toEqual([0, 1, 2, 3])
    expect(windowAround(items, 5, 4)).toEqual([3, 4, 5, 6])
    expect(windowAround(items, 9, 4)).toEqual([6, 7, 8, 9])
    expect(windowAround(items.slice(0, 3), 2, 4)).toEqual([0, 1, 2])
  })
})

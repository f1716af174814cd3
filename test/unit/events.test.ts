import {describe, expect, it} from 'vitest'
import {EventSubscription} from '../../daemon/events/subscription.js'
import {EventBus, type StoredEvent} from '../../src/events/bus.js'

describe('EventBus', () => {
  it('numbers events, keeps a bounded ring and replays after an id', () => {
    const bus = new EventBus({capacity: 3, firstId: 100})
    for (let i = 0; i < 5; i++) bus.publish({type: 'tick', n: i})
    expect(bus.latestId).toBe(104)
    expect(bus.recent(10).map((e) => e.id)).toEqual([102, 103, 104])
    expect(bus.since(102)).toEqual({events: [expect.objectContaining({id: 103}), expect.objectContaining({id: 104})], complete: true, restarted: false})
    expect(bus.since(100).complete).toBe(false)
    // An id from before this process: everything kept is replayed, and the client is told.
    expect(bus.since(42)).toMatchObject({complete: true, restarted: true})
  })

  it('isolates a throwing subscriber', () => {
    const errors: unknown[] = []
    const bus = new EventBus({onSubscriberError: (e) => errors.push(e)})
    const seen: number[] = []
    bus.subscribe(() => {
      throw new Error('boom')
    })
    bus.subscribe((e) => seen.push(e.id))
    bus.publish({type: 'x'})
    expect(seen).toEqual([1])
    expect(errors).toHaveLength(1)
  })
})

describe('EventSubscription', () => {
  it('never blocks the publisher: a stalled client drops events and learns how many', async () => {
    const bus = new EventBus()
    const sent: string[] = []
    let release: () => void = () => {}
    let stalled = true
    const subscription = new EventSubscription({
      types: [],
      maxQueue: 10,
      send: (payload) => {
        sent.push(payload)
        return stalled ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()
      },
    })
    subscription.start(bus, null)
    // publish() is synchronous: these 1000 calls return while the client has not taken one event.
    for (let i = 0; i < 1000; i++) bus.publish({type: 'route_success', n: i})
    expect(sent).toHaveLength(2) // connected, and the first event, still in flight
    expect(subscription.queued).toBeLessThanOrEqual(10)
    stalled = false
    release()
    await new Promise((resolve) => setTimeout(resolve, 20))
    const parsed = sent.map((s) => JSON.parse(s))
    const dropped = parsed.find((p) => p.type === 'dropped')
    expect(dropped.count).toBeGreaterThan(900)
    expect(parsed.filter((p) => p.type === 'route_success').length + dropped.count).toBe(1000)
    subscription.close()
  })

  it('replays everything missed, however many more than the live queue holds, then follows live', async () => {
    const bus = new EventBus({capacity: 10_000})
    for (let i = 0; i < 3000; i++) bus.publish({type: 'route_success', n: i})
    const sent: any[] = []
    const subscription = new EventSubscription({types: [], maxQueue: 100, send: async (payload) => void sent.push(JSON.parse(payload))})
    subscription.start(bus, 0)
    bus.publish({type: 'route_error', n: 3000})
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(sent[0]).toMatchObject({type: 'connected', replayed: 3000})
    expect(sent.slice(1).map((e) => e.n)).toEqual(Array.from({length: 3001}, (_, i) => i))
    expect(sent.some((e) => e.type === 'dropped')).toBe(false)
    subscription.close()
  })

  it('filters by type and says when a replay has a gap', () => {
    const bus = new EventBus({capacity: 2})
    bus.publish({type: 'a'})
    bus.publish({type: 'b'})
    bus.publish({type: 'a'})
    const sent: Array<{payload: any; event: StoredEvent | null}> = []
    const subscription = new EventSubscription({types: ['a'], send: async (payload, event) => void sent.push({payload: JSON.parse(payload), event})})
    subscription.start(bus, 0)
    expect(sent.map((s) => s.payload.type)).toEqual(['connected', 'dropped', 'a'])
    expect(sent[0].payload).toMatchObject({replayed: 1})
    expect(sent[2].event?.id).toBe(3)
    subscription.close()
  })
})

describe('endStream', () => {
  const sinkThat = (takesIt: boolean) => {
    const calls: string[] = []
    return {
      calls,
      write: (frame: string) => {
        calls.push(`write ${frame.trim()}`)
        return takesIt ? Promise.resolve() : new Promise<void>(() => {})
      },
      end: () => void calls.push('end'),
      destroy: () => void calls.push('destroy'),
    }
  }

  it('ends a stream after its last frame, and drops one whose client stopped reading', async () => {
    const {endStream} = await import('../../daemon/events/routes.js')
    const reading = sinkThat(true)
    const stalled = sinkThat(false)
    endStream(reading, 'data: {"type":"closing"}\n\n', 30)
    endStream(stalled, 'data: {"type":"closing"}\n\n', 30)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(reading.calls).toEqual(['write data: {"type":"closing"}', 'end'])
    expect(stalled.calls).toEqual(['write data: {"type":"closing"}', 'destroy'])
  })
})

import {setImmediate as nextTurn} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {RecordQueue} from '../../daemon/gateway/record-queue.js'
import {RequestLogRing} from '../../daemon/gateway/request-log.js'
import type {RequestLogRecord} from '../../src/core/request-log.js'
import {EventBus, type StoredEvent} from '../../src/events/bus.js'
import {requestRecord} from '../helpers/request-record.js'

const record = (id: string) => requestRecord({request_id: id})

function setup(recorders: Array<(r: RequestLogRecord) => void> = []) {
  const logs = new RequestLogRing(100)
  const bus = new EventBus()
  const events: StoredEvent[] = []
  bus.subscribe((e) => events.push(e))
  const errors: unknown[] = []
  const queue = new RecordQueue({logs, recorders, bus, onError: (e) => errors.push(e)})
  return {logs, bus, events, errors, queue}
}

describe('RecordQueue', () => {
  it('hands the records of one loop turn on together, in order, at the end of the turn', async () => {
    const calls: string[] = []
    const {logs, events, queue} = setup([(r) => calls.push(`journal ${r.request_id}`), (r) => calls.push(`rollups ${r.request_id}`)])
    queue.push(record('a'), {type: 'route_success', request_id: 'a'})
    queue.push(record('b'), {type: 'route_error', request_id: 'b'})
    // Nothing yet: the requests' own turn is not over.
    expect(queue.pending).toBe(2)
    expect(calls).toEqual([])
    expect(logs.query({limit: 10, offset: 0}).total).toBe(0)
    await nextTurn()
    // One consumer at a time, the whole batch each.
    expect(calls).toEqual(['journal a', 'journal b', 'rollups a', 'rollups b'])
    expect(logs.query({limit: 10, offset: 0}).logs.map((r) => r.request_id)).toEqual(['b', 'a'])
    expect(events.map((e) => [e.type, e.request_id])).toEqual([
      ['route_success', 'a'],
      ['route_error', 'b'],
    ])
    expect(queue.pending).toBe(0)
    // A later turn makes a batch of its own.
    queue.push(record('c'), {type: 'route_success', request_id: 'c'})
    await nextTurn()
    expect(calls.slice(4)).toEqual(['journal c', 'rollups c'])
  })

  it('drain() hands on what is waiting at once (shutdown), and the scheduled turn then finds nothing', async () => {
    const seen: string[] = []
    const {events, queue} = setup([(r) => seen.push(r.request_id)])
    queue.push(record('a'), {type: 'route_success', request_id: 'a'})
    queue.drain()
    expect(seen).toEqual(['a'])
    expect(events).toHaveLength(1)
    await nextTurn()
    expect(seen).toEqual(['a'])
    expect(events).toHaveLength(1)
  })

  it('an event published at once comes after the route events still waiting: the bus keeps the order things happened in', () => {
    const {events, queue} = setup()
    queue.push(record('a'), {type: 'route_success', request_id: 'a'})
    queue.publish({type: 'budget_exceeded', api_key_id: 'key_1'})
    expect(events.map((e) => e.type)).toEqual(['route_success', 'budget_exceeded'])
    expect(events[0].id).toBeLessThan(events[1].id)
    expect(queue.pending).toBe(0)
  })

  it('a throwing consumer loses nothing for the other records and consumers', async () => {
    const seen: string[] = []
    const {logs, events, errors, queue} = setup([
      (r) => {
        if (r.request_id === 'a') throw new Error('journal is closed')
      },
      (r) => seen.push(r.request_id),
    ])
    queue.push(record('a'), {type: 'route_success', request_id: 'a'})
    queue.push(record('b'), {type: 'route_success', request_id: 'b'})
    await nextTurn()
    expect(errors).toEqual([new Error('journal is closed')])
    expect(seen).toEqual(['a', 'b'])
    expect(logs.query({limit: 10, offset: 0}).total).toBe(2)
    expect(events).toHaveLength(2)
  })
})

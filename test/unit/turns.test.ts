import {describe, expect, it} from 'vitest'
import {Turns} from '../../daemon/http/turns.js'

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('Turns', () => {
  it('lets requests start straight away while the slice lasts', () => {
    let now = 0
    const turns = new Turns(5, () => now)
    expect(turns.take()).toBeNull()
    now = 4
    expect(turns.take()).toBeNull()
    expect(turns.queued).toBe(0)
  })

  it('queues a burst past the slice and starts it in order, one slice per later loop iteration', async () => {
    let now = 0
    const turns = new Turns(5, () => now)
    expect(turns.take()).toBeNull()
    now = 6 // the slice is used up
    // A loop-iteration counter: one setImmediate per iteration.
    let iteration = 0
    let ticking = true
    const ticker = () => {
      iteration++
      if (ticking) setImmediate(ticker)
    }
    setImmediate(ticker)
    const started: Array<[number, number]> = []
    // Each start "costs" 3 ms: two fit in a 5 ms slice, the third waits for the next iteration.
    const waits = [1, 2, 3, 4, 5].map((i) =>
      turns.take()!.then(() => {
        started.push([i, iteration])
        now += 3
      }),
    )
    expect(turns.queued).toBe(5)
    await Promise.all(waits)
    ticking = false
    expect(started.map(([i]) => i)).toEqual([1, 2, 3, 4, 5])
    const iterations = started.map(([, at]) => at)
    expect(iterations[0]).toBe(iterations[1])
    expect(iterations[2]).toBeGreaterThan(iterations[1])
    expect(iterations[2]).toBe(iterations[3])
    expect(iterations[4]).toBeGreaterThan(iterations[3])
    expect(turns.queued).toBe(0)
  })

  it('once the queue is empty, the next iteration starts a fresh slice', async () => {
    let now = 0
    const turns = new Turns(5, () => now)
    turns.take()
    now = 10
    await turns.take()
    await tick()
    await tick()
    expect(turns.take()).toBeNull()
  })

  it('never lets a later request overtake a waiting one', async () => {
    let now = 0
    const turns = new Turns(5, () => now)
    turns.take()
    now = 10
    const first = turns.take()
    now = 0 // even with time to spare, someone is waiting
    const second = turns.take()
    expect(first).not.toBeNull()
    expect(second).not.toBeNull()
    const order: string[] = []
    await Promise.all([first!.then(() => order.push('first')), second!.then(() => order.push('second'))])
    expect(order).toEqual(['first', 'second'])
  })
})

/**
 * In-process event bus (DESIGN §8). Every event gets an id and a timestamp and is kept in a
 * bounded ring for replay (SSE Last-Event-ID). Publishers never wait: subscribers are called
 * synchronously and must only enqueue; a throwing subscriber is isolated.
 */

export interface BusEvent {
  type: string
  [field: string]: unknown
}

export interface StoredEvent extends BusEvent {
  id: number
  ts: string
}

export type Subscriber = (event: StoredEvent) => void

export interface EventBusOptions {
  capacity?: number
  /** First id; the daemon seeds it from the clock so ids keep growing across restarts. */
  firstId?: number
  onSubscriberError?: (error: unknown) => void
}

export class EventBus {
  private readonly ring: Array<StoredEvent | undefined>
  private readonly capacity: number
  private next = 0
  private size = 0
  private lastId: number
  private readonly firstId: number
  private readonly subscribers = new Set<Subscriber>()

  constructor(private readonly options: EventBusOptions = {}) {
    this.capacity = options.capacity ?? 10_000
    this.ring = new Array(this.capacity)
    this.firstId = options.firstId ?? 1
    this.lastId = this.firstId - 1
  }

  /**
   * Stamps the event with its id and time and keeps it: the event object itself becomes the
   * stored one (publishers hand over a fresh literal; copying every event's fields, of a dozen
   * different shapes, cost more than the rest of publishing).
   */
  publish(event: BusEvent): StoredEvent {
    // id and ts are the bus's own; a payload field of the same name would be overwritten, so publishers use e.g. resource_id.
    const stored = event as StoredEvent
    stored.id = ++this.lastId
    stored.ts = new Date().toISOString()
    this.ring[this.next] = stored
    this.next = (this.next + 1) % this.capacity
    this.size = Math.min(this.size + 1, this.capacity)
    for (const subscriber of this.subscribers) {
      try {
        subscriber(stored)
      } catch (error) {
        this.options.onSubscriberError?.(error)
      }
    }
    return stored
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber)
    return () => this.subscribers.delete(subscriber)
  }

  get subscriberCount(): number {
    return this.subscribers.size
  }

  get latestId(): number {
    return this.lastId
  }

  /**
   * Events after `lastId`, oldest first. `complete` is false when some of them are no longer in
   * the ring (the caller says so to the client); `restarted` when `lastId` is from before this
   * process started, so nothing can be said about what happened in between.
   */
  since(lastId: number): {events: StoredEvent[]; complete: boolean; restarted: boolean} {
    const events: StoredEvent[] = []
    for (let i = this.size; i >= 1; i--) {
      const event = this.ring[(this.next - i + this.capacity) % this.capacity]!
      if (event.id > lastId) events.push(event)
    }
    const oldest = this.size === 0 ? this.lastId + 1 : this.ring[(this.next - this.size + this.capacity) % this.capacity]!.id
    const restarted = lastId < this.firstId - 1
    return {events, complete: restarted || lastId >= oldest - 1, restarted}
  }

  /** The newest `count` events that `wanted` accepts, oldest first. */
  recentMatching(count: number, wanted: (event: StoredEvent) => boolean): StoredEvent[] {
    const events: StoredEvent[] = []
    for (let i = 1; i <= this.size && events.length < count; i++) {
      const event = this.ring[(this.next - i + this.capacity) % this.capacity]!
      if (wanted(event)) events.push(event)
    }
    return events.reverse()
  }

  /** The newest `count` events, oldest first. */
  recent(count: number): StoredEvent[] {
    const n = Math.min(count, this.size)
    const events: StoredEvent[] = []
    for (let i = n; i >= 1; i--) events.push(this.ring[(this.next - i + this.capacity) % this.capacity]!)
    return events
  }
}

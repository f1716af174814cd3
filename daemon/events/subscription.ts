import type {EventBus, StoredEvent} from '../../src/events/bus.js'

export interface SubscriptionOptions {
  /** Only these event types (empty = all). Control events (connected, dropped) always pass. */
  types: string[]
  /** Events queued for a slow client before newer ones are dropped. */
  maxQueue?: number
  /** Writes one serialised event; resolves when the transport accepted it. */
  send: (payload: string, event: StoredEvent | null) => Promise<void>
}

/** Each event's JSON, made once for all its subscribers (held while the bus keeps the event). */
const serialised = new WeakMap<StoredEvent, string>()

function eventJson(event: StoredEvent): string {
  let json = serialised.get(event)
  if (json === undefined) {
    json = JSON.stringify(event)
    serialised.set(event, json)
  }
  return json
}

/**
 * One client of the event stream. The bus calls `offer` synchronously and it only enqueues, so
 * a slow client never slows the request path; past `maxQueue` it loses events and is told how
 * many with a `dropped` notice once it catches up.
 */
export class EventSubscription {
  private readonly queue: StoredEvent[] = []
  private dropped = 0
  private pumping = false
  /** Replayed events still at the head of the queue: already kept by the bus, so they do not count against maxQueue. */
  private replaying = 0
  private closed = false
  private unsubscribe: (() => void) | null = null
  private readonly maxQueue: number
  private readonly types: Set<string>

  constructor(private readonly options: SubscriptionOptions) {
    this.maxQueue = options.maxQueue ?? 1000
    this.types = new Set(options.types)
  }

  /**
   * Sends `connected`, replays what came after `lastEventId` (or, without one, the newest
   * `backlog` kept events of the wanted types), then follows the bus live.
   */
  start(bus: EventBus, lastEventId: number | null, backlog = 0): void {
    const replay =
      lastEventId !== null
        ? bus.since(lastEventId)
        : {events: backlog > 0 ? bus.recentMatching(backlog, (e) => this.wants(e)) : [], complete: true, restarted: false}
    void this.options.send(
      JSON.stringify({type: 'connected', last_event_id: bus.latestId, replayed: replay.events.filter((e) => this.wants(e)).length, daemon_restarted: replay.restarted}),
      null,
    )
    if (!replay.complete) void this.options.send(JSON.stringify({type: 'dropped', count: null, reason: 'some events after the given Last-Event-ID are no longer kept'}), null)
    for (const event of replay.events) {
      if (!this.wants(event)) continue
      this.queue.push(event)
      this.replaying++
    }
    if (this.queue.length > 0) void this.pump()
    this.unsubscribe = bus.subscribe((event) => this.offer(event))
  }

  offer(event: StoredEvent): void {
    if (this.closed || !this.wants(event)) return
    if (this.queue.length - this.replaying >= this.maxQueue) {
      this.dropped++
      return
    }
    this.queue.push(event)
    void this.pump()
  }

  close(): void {
    this.closed = true
    this.queue.length = 0
    this.replaying = 0
    this.unsubscribe?.()
  }

  get queued(): number {
    return this.queue.length
  }

  private wants(event: StoredEvent): boolean {
    return this.types.size === 0 || this.types.has(event.type)
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (!this.closed && (this.queue.length > 0 || this.dropped > 0)) {
        if (this.dropped > 0 && this.replaying === 0 && this.queue.length < this.maxQueue / 2) {
          const count = this.dropped
          this.dropped = 0
          await this.options.send(JSON.stringify({type: 'dropped', count, reason: 'the client fell behind'}), null)
          continue
        }
        const event = this.queue.shift()
        if (this.replaying > 0) this.replaying--
        if (event) await this.options.send(eventJson(event), event)
      }
    } finally {
      this.pumping = false
    }
  }
}

import type {RequestLogRecord} from '../../src/core/request-log.js'
import type {BusEvent, EventBus} from '../../src/events/bus.js'
import type {RequestLogRing} from './request-log.js'

export interface RecordConsumers {
  logs: RequestLogRing
  /** Everything else that consumes request records: journal, stats rollups, Prometheus. */
  recorders: Array<(record: RequestLogRecord) => void>
  /** Consumers that count every request, including those only counted (see count): Prometheus. */
  counters?: Array<(record: RequestLogRecord) => void>
  bus: EventBus
  /** A consumer that threw (a programming error); the other records and consumers still get theirs. */
  onError: (error: unknown) => void
}

/**
 * Finished requests' records and route events, handed on once per event-loop turn: each consumer
 * (log ring, journal, rollups, Prometheus, bus) takes the whole batch before the next one starts.
 * The work per record is the same as handing each record to every consumer as its request ends,
 * but back to back it stays in the CPU caches; between requests, every consumer's code and data
 * had been pushed out by the HTTP machinery (same-window A/B at concurrency 50: see README,
 * Benchmark). The batch goes out in the loop's check phase (setImmediate). A request can end
 * outside the poll phase (a stream cut by an idle timer ends in the timers phase), and its
 * client's next question can then arrive in the poll before that check phase: so every admin
 * read, /metrics and an event subscription first call `drain()`, which hands on what is waiting
 * now (and at shutdown, before the journals close). Whoever saw a response finds its record.
 */
export class RecordQueue {
  private records: RequestLogRecord[] = []
  private events: BusEvent[] = []
  private scheduled = false

  constructor(private readonly consumers: RecordConsumers) {}

  get pending(): number {
    return this.records.length
  }

  push(record: RequestLogRecord, event: BusEvent): void {
    this.records.push(record)
    this.events.push(event)
    this.schedule()
  }

  /** A request only counted (the counters), not recorded: past the sample of unauthenticated requests. */
  count(record: RequestLogRecord): void {
    this.countedOnly.push(record)
    this.schedule()
  }

  private countedOnly: RequestLogRecord[] = []

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.drain)
    }
  }

  /**
   * Publishes an event that does not wait for the loop turn (a refusal, a failover, a circuit
   * change) after the route events waiting before it, so the bus keeps the order things happened in.
   */
  publish(event: BusEvent): void {
    this.drain()
    this.consumers.bus.publish(event)
  }

  readonly drain = (): void => {
    this.scheduled = false
    const {records, events, countedOnly} = this
    if (countedOnly.length > 0) {
      this.countedOnly = []
      for (const counter of this.consumers.counters ?? []) this.each(countedOnly, counter)
    }
    if (records.length === 0) return
    this.records = []
    this.events = []
    const {logs, recorders, counters, bus} = this.consumers
    this.each(records, (record) => logs.add(record))
    for (const recorder of recorders) this.each(records, recorder)
    for (const counter of counters ?? []) this.each(records, counter)
    this.each(events, (event) => bus.publish(event))
  }

  private each<T>(items: T[], consume: (item: T) => void): void {
    for (const item of items) {
      try {
        consume(item)
      } catch (error) {
        this.consumers.onError(error)
      }
    }
  }
}

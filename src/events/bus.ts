/** In-process event bus: publishers never wait for subscribers; a throwing subscriber is isolated. */

export interface BusEvent {
  type: string
  [field: string]: unknown
}

export type Subscriber = (event: BusEvent & {ts: string}) => void

export class EventBus {
  private readonly subscribers = new Set<Subscriber>()

  constructor(private readonly onSubscriberError: (error: unknown) => void = () => {}) {}

  publish(event: BusEvent): void {
    if (this.subscribers.size === 0) return
    const stamped = {...event, ts: new Date().toISOString()}
    for (const subscriber of this.subscribers) {
      try {
        subscriber(stamped)
      } catch (error) {
        this.onSubscriberError(error)
      }
    }
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber)
    return () => this.subscribers.delete(subscriber)
  }
}

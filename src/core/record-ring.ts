/** A bounded ring of records (newest overwrite oldest) queried newest first. */
export class RecordRing<T> {
  private readonly records: Array<T | undefined>
  private next = 0
  private count = 0

  constructor(private readonly capacity: number) {
    this.records = new Array(capacity)
  }

  add(record: T): void {
    this.records[this.next] = record
    this.next = (this.next + 1) % this.capacity
    this.count = Math.min(this.count + 1, this.capacity)
  }

  get size(): number {
    return this.count
  }

  /** Matching records, newest first, paged; `total` counts every match. */
  query(matches: (record: T) => boolean, offset: number, limit: number): {items: T[]; total: number} {
    const items: T[] = []
    let total = 0
    for (let i = 0; i < this.count; i++) {
      const record = this.records[(this.next - 1 - i + this.capacity) % this.capacity]!
      if (!matches(record)) continue
      if (total >= offset && items.length < limit) items.push(record)
      total++
    }
    return {items, total}
  }

  /** The oldest record kept, if any. */
  oldest(): T | undefined {
    return this.count === 0 ? undefined : this.records[(this.next - this.count + this.capacity) % this.capacity]
  }
}

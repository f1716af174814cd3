/** What a translation could not carry over, in first-seen order, each note once. */
export class DroppedNotes {
  private readonly seen = new Set<string>()

  add(note: string): void {
    this.seen.add(note)
  }

  list(): string[] {
    return [...this.seen]
  }
}

/** Fields owned by the gateway itself (DESIGN §4): removed before forwarding, never reported. */
export const GATEWAY_FIELDS: ReadonlySet<string> = new Set(['tokenhub'])

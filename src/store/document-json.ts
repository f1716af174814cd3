/**
 * JSON.stringify of the store document, in slices. With 100,000 API keys the document is ~50 MB
 * of JSON: stringifying it in one go holds the event loop for a quarter of a second on every
 * admin write, and every /v1 request waits. Here the small fields are serialized at once and the
 * large maps (more than SLICE_ENTRIES entries) a slice at a time, with `pause()` awaited between
 * slices so requests run in between.
 *
 * The snapshot is taken before the first pause: the small fields' text and the large maps' entry
 * lists. Records are replaced, not edited in place, by every writer of the document, so a change
 * made during the pauses is not in this output (the same as a change made just after a one-go
 * stringify) and the store's next write picks it up.
 *
 * Records inside large maps must therefore be replaced, never edited in place (ConfigStore.update
 * says so): an in-place edit during a pause would reach this output while the small fields edited
 * in the same change would not.
 *
 * For JSON data (what the store holds), the concatenated pieces are byte for byte
 * JSON.stringify(doc) (tests check it): same key order (own enumerable string keys, integer-like
 * keys first), entries whose value has no JSON form left out, compact. (A toJSON method would be
 * called with "" rather than its key; documents read from JSON have none.)
 */

const SLICE_ENTRIES = 1000

const isPlainMap = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return (proto === Object.prototype || proto === null) && typeof (value as {toJSON?: unknown}).toJSON !== 'function'
}

type Part = {text: string} | {key: string; keys: string[]; values: unknown[]}

export async function* documentJsonPieces(doc: Record<string, unknown>, pause: () => Promise<void>, sliceEntries = SLICE_ENTRIES): AsyncGenerator<string> {
  // The snapshot: everything decided before the first pause.
  const parts: Part[] = []
  for (const [key, value] of Object.entries(doc)) {
    // Object.keys and a lookup per key: for a 100,000-entry map about a third of the time of
    // Object.entries or Object.values.
    const keys = isPlainMap(value) ? Object.keys(value) : null
    if (keys && keys.length > sliceEntries) {
      const map = value as Record<string, unknown>
      const values = new Array<unknown>(keys.length)
      for (let i = 0; i < keys.length; i++) values[i] = map[keys[i]]
      parts.push({key, keys, values})
      continue
    }
    const json = JSON.stringify(value) as string | undefined
    if (json !== undefined) parts.push({text: `${JSON.stringify(key)}:${json}`})
  }

  let piece = '{'
  let firstField = true
  let slicedBefore = false
  for (const part of parts) {
    if (!firstField) piece += ','
    firstField = false
    if ('text' in part) {
      piece += part.text
      continue
    }
    // A second large map starts on a turn of its own, not after the last slice of the first.
    if (slicedBefore) {
      yield piece
      piece = ''
      await pause()
    }
    slicedBefore = true
    piece += `${JSON.stringify(part.key)}:{`
    let firstEntry = true
    const {keys, values} = part
    for (let start = 0; start < keys.length; start += sliceEntries) {
      const end = Math.min(keys.length, start + sliceEntries)
      for (let i = start; i < end; i++) {
        const json = JSON.stringify(values[i]) as string | undefined
        if (json === undefined) continue
        piece += `${firstEntry ? '' : ','}${JSON.stringify(keys[i])}:${json}`
        firstEntry = false
      }
      if (end < keys.length) {
        yield piece
        piece = ''
        await pause()
      }
    }
    piece += '}'
  }
  yield `${piece}}`
}

/** One turn of the event loop: timers and I/O run before the next slice. */
export const nextLoopTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

import {describe, expect, it} from 'vitest'
import {documentJsonPieces} from '../../src/store/document-json.js'

async function serialize(doc: Record<string, unknown>, slice: number, duringPause?: (n: number) => void): Promise<{json: string; pauses: number}> {
  let pauses = 0
  let json = ''
  const pause = async () => {
    pauses++
    duringPause?.(pauses)
  }
  for await (const piece of documentJsonPieces(doc, pause, slice)) json += piece
  return {json, pauses}
}

const keys = (n: number) => Object.fromEntries(Array.from({length: n}, (_, i) => [`k${i}`, {id: `k${i}`, name: `key "${i}" \u00e9\u2028`, scopes: ['chat'], n: i, gone: undefined}]))

describe('documentJsonPieces', () => {
  it('is byte for byte JSON.stringify, sliced or not', async () => {
    const docs: Array<Record<string, unknown>> = [
      {},
      {schema_version: 1, providers: {}, api_keys: {}},
      {schema_version: 1, providers: {p: {a: 1}}, api_keys: keys(10), settings: {x: null}},
      {api_keys: keys(7), models: keys(3), tail: [1, 2, {b: undefined}], skip: undefined, fn: () => 1},
      // integer-like keys come first in both; an entry without a JSON form is left out in both
      {big: {b: 1, 2: 'two', a: undefined, 1: 'one', z: () => 0, '\"q': 'quote'}, first: 0},
      {only_big: keys(9)},
      {big: Object.fromEntries(Array.from({length: 8}, (_, i) => [`u${i}`, undefined])), after: 1},
      {a: keys(5), mid: 'x', b: keys(4), c: keys(6)},
      // not plain maps: serialized whole, as JSON.stringify does
      {boxed: Object.assign(new String('abcdef'), {}), date: new Date(0), list: [keys(3)]},
    ]
    for (const doc of docs) {
      for (const slice of [1, 2, 3, 1000]) expect((await serialize(doc, slice)).json).toBe(JSON.stringify(doc))
    }
  })

  it('pauses between slices of large maps only', async () => {
    expect((await serialize({api_keys: keys(10), small: keys(2)}, 3)).pauses).toBe(3)
    expect((await serialize({api_keys: keys(3)}, 3)).pauses).toBe(0)
    // and between two large maps
    expect((await serialize({a: keys(4), mid: 1, b: keys(4)}, 2)).pauses).toBe(3)
  })

  it('writes the snapshot taken at the call: changes during pauses wait for the next write', async () => {
    const doc: Record<string, any> = {settings: {mode: 'before'}, api_keys: keys(6)}
    const expected = JSON.stringify(doc)
    const {json} = await serialize(doc, 2, (n) => {
      if (n === 1) {
        doc.api_keys.k5 = {id: 'k5', name: 'replaced'}
        doc.api_keys.k99 = {id: 'k99'}
        delete doc.api_keys.k4
        doc.settings = {mode: 'after'}
      }
    })
    expect(json).toBe(expected)
    expect(JSON.parse(json).api_keys.k5.name).toBe('key "5" \u00e9\u2028')
  })
})

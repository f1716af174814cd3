import {describe, expect, it} from 'vitest'
import {columnWidths} from '../../src/tui/components/table-layout.js'
import {displayWidth, fit, fitFooter, pad, price, tokenSize, wrapColumns} from '../../src/tui/format.js'

describe('dashboard formatting', () => {
  it('prices read alike down a column', () => {
    expect([0.5, 1.5, 0.00015, 0.0006, 3, 0.015, 150, 0].map(price)).toEqual(['$0.50', '$1.50', '$0.00015', '$0.0006', '$3.00', '$0.015', '$150', '$0'])
    expect(price(null)).toBe('-')
  })

  it('token sizes in one unit style', () => {
    expect([512, 8000, 32_768, 128_000, 1_000_000, 1_048_576].map(tokenSize)).toEqual(['512', '8k', '32.8k', '128k', '1M', '1.05M'])
  })

  it('measures and cuts by terminal columns, never splitting a character', () => {
    expect(displayWidth('日本語')).toBe(6)
    expect(displayWidth('🔑 key')).toBe(6)
    expect(fit('日本語のキー', 7)).toBe('日本語…')
    expect(displayWidth(pad('名前', 6))).toBe(6)
    expect(pad('ab', 4, 'right')).toBe('  ab')
  })

  it('fits the footer by whole hints, keeping "? keys", and cuts plain text with an ellipsis', () => {
    const hints = 'Space pause  / filter  Enter detail  ↑↓ select  q quit  ? keys'
    expect(fitFooter(hints, 80)).toBe(hints)
    expect(fitFooter(hints, 43)).toBe('Space pause  / filter  Enter detail  ? keys')
    expect(fitFooter(hints, 42)).toBe('Space pause  / filter  ? keys')
    expect(fitFooter(hints, 20)).toBe('Space pause  ? keys')
    expect(fitFooter(hints, 8)).toBe('Space p…')
    expect(fitFooter('filter (type, model or provider): gpt▏  Enter apply · Esc cancel', 50)).toBe('filter (type, model or provider): gpt▏')
    expect(fitFooter('the daemon is unreachable at http://127.0.0.1:8080', 20)).toBe('the daemon is unrea…')
  })
  it('wraps text into lines of a width, never splitting a wide character, and cuts after maxLines with an ellipsis', () => {
    expect(wrapColumns('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij'])
    expect(wrapColumns('', 4)).toEqual([''])
    const wide = wrapColumns('名前名前名', 5)
    expect(wide).toEqual(['名前', '名前', '名'])
    for (const line of wide) expect(displayWidth(line)).toBeLessThanOrEqual(5)
    expect(wrapColumns('abcdefghij', 4, 2)).toEqual(['abcd', 'efg…'])
    expect(wrapColumns('abcdefgh', 4, 2)).toEqual(['abcd', 'efgh'])
  })
})

describe('table columns', () => {
  const columns = [{header: 'model', max: 12, min: 8}, {header: 'health', max: 9, min: 9}, {header: 'reqs', align: 'right' as const, max: 7}]
  const rows = [[{text: 'extremely-long-model-identifier-v2'}, {text: 'half_open'}, {text: '1234'}]]

  it('grow a capped text column into spare room (a wide terminal shows whole names), never past the widest cell', () => {
    expect(columnWidths(columns, rows, 30)).toEqual([13, 9, 4])
    expect(columnWidths(columns, rows, 200)).toEqual([34, 9, 4])
  })

  it('cut text to its minimum before hiding columns, and never cut a state word given a minimum (half_open)', () => {
    expect(columnWidths(columns, rows, 25)).toEqual([8, 9, 4])
    expect(columnWidths(columns, rows, 19)).toEqual([8, 9, 0])
  })
})

import {describe, expect, it} from 'vitest'
import {frameLayout, modelsLayout, overviewLayout} from '../../src/tui/layout.js'

const frame = (columns: number, rows: number) => frameLayout({columns, rows})
/** Rows the overview uses: table header + providers, charts (title + plot), totals, blank lines. */
const used = (l: ReturnType<typeof overviewLayout>) => 1 + l.providerRows + (l.chartRows > 0 ? 1 + l.chartRows : 0) + (l.totals ? 2 : 0) + (l.gaps ? (l.chartRows > 0 ? 1 : 0) + (l.totals ? 1 : 0) : 0)

describe('overview layout', () => {
  it('fills the body exactly at every height, and never overflows it', () => {
    for (let rows = 5; rows <= 60; rows++) {
      for (const providers of [0, 1, 2, 5, 40]) {
        const f = frame(100, rows)
        const l = overviewLayout(f, providers)
        expect(used(l)).toBeLessThanOrEqual(f.body)
        if (l.chartRows > 0) expect(used(l)).toBe(f.body)
      }
    }
  })

  it('keeps charts at four rows or more before listing a long provider list, and cuts the list', () => {
    const l = overviewLayout(frame(80, 24), 40)
    expect(l.chartRows).toBe(4)
    expect(l.providerRows).toBeLessThan(40)
    expect(l).toMatchObject({totals: true, gaps: true})
  })

  it('on a short terminal, blank lines and then charts give way before up to five provider rows', () => {
    expect(overviewLayout(frame(80, 14), 3)).toMatchObject({providerRows: 3, chartRows: 3, totals: true, gaps: false})
    expect(overviewLayout(frame(80, 10), 3)).toMatchObject({providerRows: 3, chartRows: 0, totals: true})
    expect(overviewLayout(frame(80, 8), 5)).toMatchObject({providerRows: 3, chartRows: 0, totals: false})
  })

  it('gives a few providers all their rows and the charts the rest', () => {
    expect(overviewLayout(frame(80, 24), 2)).toMatchObject({providerRows: 2, chartRows: 12})
  })

  it('drops charts from the right on a narrow terminal', () => {
    expect(overviewLayout(frame(100, 24), 2)).toMatchObject({chartCount: 3, chartWidth: 32})
    expect(overviewLayout(frame(60, 24), 2)).toMatchObject({chartCount: 2, chartWidth: 29})
    expect(overviewLayout(frame(30, 24), 2)).toMatchObject({chartCount: 1, chartWidth: 30})
  })
})

describe('models layout', () => {
  it('gives each table its header and a row before anything else, then shares the rest', () => {
    expect(modelsLayout(frame(80, 8), 3, 3)).toEqual({modelRows: 1, gap: true, candidateRows: 0})
    expect(modelsLayout(frame(80, 9), 3, 3)).toEqual({modelRows: 1, gap: false, candidateRows: 1})
    expect(modelsLayout(frame(80, 24), 3, 3)).toEqual({modelRows: 3, gap: true, candidateRows: 3})
    expect(modelsLayout(frame(80, 24), 50, 3)).toEqual({modelRows: 13, gap: true, candidateRows: 3})
    expect(modelsLayout(frame(80, 24), 50, 50)).toEqual({modelRows: 8, gap: true, candidateRows: 8})
    expect(modelsLayout(frame(80, 24), 50, null)).toEqual({modelRows: 17, gap: true, candidateRows: 0})
  })
})

import {describe, expect, it} from 'vitest'
import {fitSeries, lineChart} from '../../src/cli/render/chart.js'

describe('lineChart', () => {
  it('draws series with empty steps instead of throwing', () => {
    const chart = lineChart([null, 5, 7, null, 6], {width: 40, height: 4})
    expect(chart).toMatch(/[┼┤╭╮╰╯│─]/)
    expect(chart).toContain('steps without data are drawn at 0')
    expect(lineChart([null, null], {width: 40, height: 4})).toBe('(no data in this range)')
    expect(lineChart([1, 2, 3], {width: 40, height: 4})).not.toContain('without data')
  })

  it('averages neighbouring steps to fit the width', () => {
    expect(fitSeries([1, 3, null, null, 5, 7], 3)).toEqual([2, Number.NaN, 6])
  })
})

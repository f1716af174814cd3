import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {frameLayout} from '../../src/tui/layout.js'
import {Overview} from '../../src/tui/screens/Overview.js'
import type {ProviderRow} from '../../src/tui/state/selectors.js'
import {chartSeries, initialSeries} from '../../src/tui/state/series.js'

const row = (id: string, state = 'ok'): ProviderRow => ({id, type: 'openai', state, requests: 10, errorRate: state === 'down' ? 1 : 0, p95: 120, circuit: state === 'down' ? 'open' : 'closed', credential: 'ready'})

describe('overview with more providers than fit', () => {
  it('lists the providers in trouble first, so one that is down never hides in "… N more"', () => {
    const providers = Array.from({length: 35}, (_, i) => row(`p${String(i).padStart(2, '0')}`, i === 30 ? 'down' : 'ok'))
    const {lastFrame, unmount} = render(<Overview providers={providers} series={chartSeries(initialSeries(60), Date.now())} totals={{}} frame={frameLayout({columns: 80, rows: 24})} theme={{color: false}} loading={false} />)
    const frame = lastFrame() ?? ''
    const lines = frame.split('\n')
    expect(lines.findIndex((line) => line.startsWith('p30 '))).toBe(1) // right under the header
    expect(frame).toMatch(/… \d+ more providers\n/)
    unmount()
  })

  it('says how many of the hidden ones are not ok when even those do not fit', () => {
    const providers = Array.from({length: 35}, (_, i) => row(`p${String(i).padStart(2, '0')}`, i >= 10 ? 'degraded' : 'ok'))
    const {lastFrame, unmount} = render(<Overview providers={providers} series={chartSeries(initialSeries(60), Date.now())} totals={{}} frame={frameLayout({columns: 80, rows: 24})} theme={{color: false}} loading={false} />)
    expect(lastFrame()).toMatch(/… \d+ more providers \(\d+ not ok\)/)
    unmount()
  })
})

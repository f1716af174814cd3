import {Box, Text} from 'ink'
import type {StatsRowDto} from '../../core/api-types.js'
import {Chart} from '../components/Chart.js'
import {spanMinutes} from '../components/chart-text.js'
import {Table} from '../components/Table.js'
import type {Cell, ColumnSpec} from '../components/table-layout.js'
import {healthTone, toneProps, type Theme} from '../components/theme.js'
import {compact, count, fieldValue, ms, percent, usd} from '../format.js'
import {overviewLayout, type Frame} from '../layout.js'
import type {ProviderRow} from '../state/selectors.js'
import type {ChartSeries} from '../state/series.js'

export interface OverviewProps {
  providers: ProviderRow[]
  series: ChartSeries
  totals: {'1h'?: StatsRowDto; '24h'?: StatsRowDto}
  frame: Frame
  theme: Theme
  loading: boolean
}

const PROVIDER_COLUMNS: ColumnSpec[] = [
  {header: 'provider', max: 24},
  {header: 'type', max: 10},
  {header: 'state', max: 9},
  {header: 'reqs', align: 'right', max: 8},
  {header: 'err%', align: 'right', max: 6},
  {header: 'p95', align: 'right', max: 8},
  {header: 'circuit', max: 9},
  {header: 'credential', max: 12},
]

function providerCells(row: ProviderRow): Cell[] {
  return [
    {text: fieldValue(row.id)},
    {text: fieldValue(row.type)},
    {text: row.state, tone: healthTone(row.state)},
    {text: count(row.requests)},
    {text: percent(row.errorRate), tone: row.errorRate !== null && row.errorRate >= 0.2 ? 'bad' : undefined},
    {text: ms(row.p95)},
    {text: row.circuit, tone: healthTone(row.circuit)},
    {text: row.credential, tone: healthTone(row.credential)},
  ]
}

function totalsLine(window: string, row: StatsRowDto | undefined): string {
  if (!row) return `${window.padEnd(4)}-`
  return `${window.padEnd(4)}${count(row.requests)} req  ${percent(row.error_rate)} err  p95 ${ms(row.p95_ms)}  ${count(row.tokens_in + row.tokens_out)} tok  ${usd(row.cost_usd)}`
}

const last = <T,>(values: readonly T[]) => values[values.length - 1]

const inTrouble = (row: ProviderRow) => row.state === 'down' || row.state === 'degraded' || row.state === 'locked'

/** Provider health, live charts over the last hour, and the 1h/24h totals. */
export function Overview({providers, series, totals, frame, theme, loading}: OverviewProps) {
  const layout = overviewLayout(frame, providers.length)
  // When not every provider fits, the last row says how many are left out.
  const cut = providers.length > layout.providerRows && layout.providerRows >= 2
  const tableRows = cut ? layout.providerRows - 1 : layout.providerRows
  // When not all fit, providers in trouble come first: one that is down must not hide in "… N more".
  const shown = cut ? [...providers.filter(inTrouble), ...providers.filter((p) => !inTrouble(p))] : providers
  const hiddenTrouble = cut ? shown.slice(tableRows).filter(inTrouble).length : 0
  const span = spanMinutes(layout.chartWidth, series.t.length)
  const recent = <T,>(values: readonly T[]) => values.slice(-span)
  const charts = [
    {title: `requests/s ${span}m  now ${compact(last(series.requestsPerSecond) ?? 0)}`, values: recent(series.requestsPerSecond), tone: 'ok' as const},
    {title: `p95 ms ${span}m  now ${ms(last(series.p95Ms))}`, values: recent(series.p95Ms), tone: 'warn' as const},
    // "now", like the other two: an hour's total is on the 1h line below (from the stats, which a chart sum would not match).
    {title: `cost/min ${span}m  now ${usd(last(series.costPerMinute) ?? 0)}`, values: recent(series.costPerMinute), tone: 'accent' as const},
  ].slice(0, layout.chartCount)
  return (
    <Box flexDirection="column" width={frame.width} height={frame.body} overflow="hidden">
      <Table
        columns={PROVIDER_COLUMNS}
        rows={shown.slice(0, tableRows).map(providerCells)}
        width={frame.width}
        height={tableRows}
        theme={theme}
        empty={loading ? 'loading…' : '(no providers registered)'}
      />
      {cut ? (
        <Text {...toneProps(theme, hiddenTrouble > 0 ? 'warn' : 'muted')}>{`  … ${providers.length - tableRows} more providers${hiddenTrouble > 0 ? ` (${hiddenTrouble} not ok)` : ''}`}</Text>
      ) : null}
      {layout.chartRows > 0 ? (
        <>
          {layout.gaps ? <Text> </Text> : null}
          <Box flexDirection="row" gap={2}>
            {charts.map((chart) => (
              <Chart key={chart.tone} title={chart.title} values={chart.values} width={layout.chartWidth} height={layout.chartRows} theme={theme} tone={chart.tone} />
            ))}
          </Box>
        </>
      ) : null}
      {layout.totals ? (
        <>
          {layout.gaps ? <Text> </Text> : null}
          <Text wrap="truncate">{totalsLine('1h', totals['1h'])}</Text>
          <Text wrap="truncate">{totalsLine('24h', totals['24h'])}</Text>
        </>
      ) : null}
    </Box>
  )
}

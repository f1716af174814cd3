import {Box, Text} from 'ink'
import type {RequestLogDto} from '../../core/api-types.js'
import {Table} from '../components/Table.js'
import type {Cell, ColumnSpec} from '../components/table-layout.js'
import {statusTone, toneProps, type Theme} from '../components/theme.js'
import {clock, count, fieldValue, ms, usd} from '../format.js'
import type {Frame} from '../layout.js'

export interface LogsProps {
  logs: RequestLogDto[]
  /** How many newest requests are read; a full page means older ones exist. */
  limit: number
  cursor: number
  frame: Frame
  theme: Theme
  loading: boolean
}

const COLUMNS: ColumnSpec[] = [
  {header: 'time utc', max: 8, min: 8},
  {header: 'status', align: 'right', max: 6},
  {header: 'model', max: 24, min: 12},
  {header: 'provider', max: 10, min: 8},
  {header: 'latency', align: 'right', max: 7},
  {header: 'tokens', align: 'right', max: 7},
  {header: 'cost', align: 'right', max: 11},
  {header: 'error', max: 30, min: 10},
  {header: 'key', max: 14, min: 8},
  {header: 'endpoint', max: 22, min: 8},
]

function logCells(log: RequestLogDto): Cell[] {
  return [
    {text: clock(log.timestamp)},
    {text: String(log.status_code), tone: statusTone(log.status_code)},
    {text: fieldValue(log.model_id ?? log.requested_model)},
    {text: fieldValue(log.provider_id)},
    {text: ms(log.latency_ms)},
    {text: count(log.total_tokens)},
    {text: usd(log.cost_usd)},
    {text: log.error_class ? fieldValue(log.error_class) : '', tone: 'bad'},
    {text: fieldValue(log.api_key_name ?? log.api_key_id)},
    {text: fieldValue(log.endpoint)},
  ]
}

/** Recent requests, newest first, scrollable; status coloured by class. */
export function Logs({logs, limit, cursor, frame, theme, loading}: LogsProps) {
  const full = logs.length >= limit
  // Moved off the newest row, the view stays on that request (by id) instead of following: say so, as Events does.
  const status = [cursor > 0 ? 'selection held (Esc follows)' : '', full ? `the newest ${limit} requests; \`tokenhub logs --offset ${limit}\` reads older ones` : ''].filter(Boolean).join(' · ')
  return (
    <Box flexDirection="column" width={frame.width} height={frame.body} overflow="hidden">
      <Table columns={COLUMNS} rows={logs.map(logCells)} width={frame.width} height={frame.body - (status ? 2 : 1)} selected={cursor} theme={theme} empty={loading ? 'loading…' : '(no requests yet)'} />
      {status ? (
        <Text {...toneProps(theme, 'muted')} wrap="truncate-end">
          {status}
        </Text>
      ) : null}
    </Box>
  )
}

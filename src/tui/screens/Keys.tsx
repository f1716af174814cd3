import {Box, Text} from 'ink'
import type {ApiKeyDto} from '../../core/api-types.js'
import {Table} from '../components/Table.js'
import type {Cell, ColumnSpec} from '../components/table-layout.js'
import {healthTone, toneProps, type Theme, type Tone} from '../components/theme.js'
import {ago, budgetBar, fieldValue, usd} from '../format.js'
import type {Frame} from '../layout.js'

export interface KeysProps {
  keys: ApiKeyDto[]
  /** How many keys the store holds (from /admin/v1/info), when known; more than `keys` when only the first page is shown. */
  total?: number
  cursor: number
  now: number
  frame: Frame
  theme: Theme
  loading: boolean
}

const COLUMNS: ColumnSpec[] = [
  {header: 'name', max: 24, min: 12},
  {header: 'prefix', max: 14, min: 11},
  {header: 'status', max: 8, min: 7},
  {header: 'budget', max: 17, min: 17},
  {header: 'spend', align: 'right', max: 22},
  {header: 'last used', max: 10, min: 9},
  {header: 'project', max: 16, min: 7},
]

function budgetTone(key: ApiKeyDto): Tone | undefined {
  if (!(key.monthly_budget_usd > 0)) return 'muted'
  const share = key.current_spend_usd / key.monthly_budget_usd
  return share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok'
}

function keyCells(key: ApiKeyDto, now: number): Cell[] {
  return [
    {text: fieldValue(key.name)},
    {text: fieldValue(key.key_prefix)},
    {text: fieldValue(key.status), tone: healthTone(key.status)},
    {text: budgetBar(key.current_spend_usd, key.monthly_budget_usd), tone: budgetTone(key)},
    {text: key.monthly_budget_usd > 0 ? `${usd(key.current_spend_usd)} / ${usd(key.monthly_budget_usd)}` : usd(key.current_spend_usd)},
    {text: ago(key.last_used_at, now)},
    {text: key.project === null ? '-' : fieldValue(key.project)},
  ]
}

/** API keys with their month's spend against the budget; r revokes the selected one. */
export function Keys({keys, total, cursor, now, frame, theme, loading}: KeysProps) {
  const partial = total !== undefined && total > keys.length
  return (
    <Box flexDirection="column" width={frame.width} height={frame.body} overflow="hidden">
      <Table
        columns={COLUMNS}
        rows={keys.map((key) => keyCells(key, now))}
        width={frame.width}
        height={frame.body - (partial ? 2 : 1)}
        selected={cursor}
        theme={theme}
        empty={loading ? 'loading…' : '(no API keys; create one with `tokenhub apikey create`)'}
      />
      {partial ? (
        <Text {...toneProps(theme, 'muted')} wrap="truncate-end">
          first {keys.length.toLocaleString('en-US')} of {total.toLocaleString('en-US')} keys; `tokenhub apikey list` shows them all
        </Text>
      ) : null}
    </Box>
  )
}

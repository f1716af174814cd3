import {Box, Text} from 'ink'
import {fit, wrapColumns} from '../format.js'
import {toneProps, type Theme} from './theme.js'

export interface FieldListProps {
  title: string
  fields: ReadonlyArray<readonly [string, string]>
  width: number
  height: number
  theme: Theme
  /** Fields scrolled past (clamped so the last page stays full). */
  scroll?: number
}

/** A value longer than this many lines is cut (the CLI's `--json` has it whole). */
const MAX_LINES_PER_FIELD = 40

const keyColumn = (fields: ReadonlyArray<readonly [string, string]>) => Math.min(24, Math.max(0, ...fields.map(([key]) => key.length)))

/** The record as screen lines: a long value wraps under the value column. [key or '', text] each. */
export function fieldLines(fields: ReadonlyArray<readonly [string, string]>, width: number): Array<readonly [string, string]> {
  const valueWidth = Math.max(8, width - keyColumn(fields) - 2)
  return fields.flatMap(([key, value]) => wrapColumns(value, valueWidth, MAX_LINES_PER_FIELD).map((text, i) => [i === 0 ? key : '', text] as const))
}

/** How far a record of `count` lines scrolls in `height` rows (title, blank line and the "more" line take three). */
export function fieldListMaxScroll(count: number, height: number): number {
  const room = Math.max(0, height - 2)
  return count <= room ? 0 : Math.max(0, count - Math.max(0, room - 1))
}

/** A record as "key  value" lines (values already made inert), long values wrapped; ↑ ↓ PgUp PgDn scroll it. */
export function FieldList({title, fields, width, height, theme, scroll = 0}: FieldListProps) {
  const keyWidth = keyColumn(fields)
  const lines = fieldLines(fields, width)
  const room = Math.max(0, height - 2)
  const fits = lines.length <= room
  // One row is kept for the "more" line when the record does not fit.
  const rows = fits ? lines.length : Math.max(0, room - 1)
  const offset = fits ? 0 : Math.max(0, Math.min(scroll, lines.length - rows))
  const shown = lines.slice(offset, offset + rows)
  const below = lines.length - offset - shown.length
  const more = fits ? '' : `… ${offset > 0 ? `${offset} above, ` : ''}${below} more lines (↑ ↓ PgUp PgDn scroll)`
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...toneProps(theme, 'title')}>
        {fit(`${title}  (Esc closes)`, width)}
      </Text>
      <Text> </Text>
      {shown.map(([key, value], i) => (
        <Text key={offset + i} wrap="truncate">
          <Text {...toneProps(theme, 'muted')}>{fit(key, keyWidth).padEnd(keyWidth)}</Text>
          {`  ${value}`}
        </Text>
      ))}
      {more ? <Text wrap="truncate" {...toneProps(theme, 'muted')}>{more}</Text> : null}
    </Box>
  )
}

import {Box, Text} from 'ink'
import {fit} from '../format.js'
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

/** How far a record of `count` fields scrolls in `height` rows (title, blank line and the "more" line take three). */
export function fieldListMaxScroll(count: number, height: number): number {
  const room = Math.max(0, height - 2)
  return count <= room ? 0 : Math.max(0, count - Math.max(0, room - 1))
}

/** A record as "key  value" lines (values already made inert), cut to the space given; ↑ ↓ PgUp PgDn scroll it. */
export function FieldList({title, fields, width, height, theme, scroll = 0}: FieldListProps) {
  const keyWidth = Math.min(24, Math.max(0, ...fields.map(([key]) => key.length)))
  const room = Math.max(0, height - 2)
  const fits = fields.length <= room
  // One row is kept for the "more" line when the record does not fit.
  const rows = fits ? fields.length : Math.max(0, room - 1)
  const offset = fits ? 0 : Math.max(0, Math.min(scroll, fields.length - rows))
  const shown = fields.slice(offset, offset + rows)
  const below = fields.length - offset - shown.length
  const more = fits ? '' : `… ${offset > 0 ? `${offset} above, ` : ''}${below} more fields (↑ ↓ PgUp PgDn scroll)`
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...toneProps(theme, 'title')}>
        {fit(`${title}  (Esc closes)`, width)}
      </Text>
      <Text> </Text>
      {shown.map(([key, value]) => (
        <Text key={key} wrap="truncate">
          <Text {...toneProps(theme, 'muted')}>{fit(key, keyWidth).padEnd(keyWidth)}</Text>
          {`  ${value}`}
        </Text>
      ))}
      {more ? <Text wrap="truncate" {...toneProps(theme, 'muted')}>{more}</Text> : null}
    </Box>
  )
}

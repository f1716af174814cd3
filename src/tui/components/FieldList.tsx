import {Box, Text} from 'ink'
import {fit} from '../format.js'
import {toneProps, type Theme} from './theme.js'

export interface FieldListProps {
  title: string
  fields: ReadonlyArray<readonly [string, string]>
  width: number
  height: number
  theme: Theme
}

/** A record as "key  value" lines (values already made inert), cut to the space given. */
export function FieldList({title, fields, width, height, theme}: FieldListProps) {
  const keyWidth = Math.min(24, Math.max(0, ...fields.map(([key]) => key.length)))
  const room = Math.max(0, height - 2)
  const shown = fields.length > room ? fields.slice(0, Math.max(0, room - 1)) : fields
  const hidden = fields.length - shown.length
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
      {hidden > 0 ? <Text {...toneProps(theme, 'muted')}>{`… ${hidden} more fields`}</Text> : null}
    </Box>
  )
}

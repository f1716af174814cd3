import {Box, Text} from 'ink'
import {toneProps, type Theme} from './theme.js'

export interface HelpOverlayProps {
  sections: ReadonlyArray<{title: string; rows: ReadonlyArray<{label: string; help: string}>}>
  width: number
  height: number
  theme: Theme
}

interface Line {
  text: string
  title: boolean
}

/**
 * The key map, generated from the same table that dispatches the keys. Flows into as many
 * columns as it needs (and the width allows) so it fits 80x24.
 */
export function HelpOverlay({sections, width, height, theme}: HelpOverlayProps) {
  const labelWidth = Math.max(4, ...sections.flatMap((section) => section.rows.map((row) => row.label.length)))
  const lines: Line[] = []
  for (const section of sections) {
    if (lines.length > 0) lines.push({text: '', title: false})
    lines.push({text: section.title, title: true})
    for (const row of section.rows) lines.push({text: `  ${row.label.padEnd(labelWidth)}  ${row.help}`, title: false})
  }
  const rows = Math.max(1, height - 1)
  const columns: Line[][] = []
  for (let i = 0; i < lines.length; i += rows) columns.push(lines.slice(i, i + rows))
  const maxColumns = Math.max(1, Math.floor(width / 36))
  const shown = columns.slice(0, maxColumns)
  const columnWidth = Math.floor(width / shown.length)
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...toneProps(theme, 'title')}>
        {'Key map  (? or Esc closes)'}
      </Text>
      <Box flexDirection="row">
        {shown.map((column, c) => (
          <Box key={c} flexDirection="column" width={columnWidth}>
            {column.map((line, i) => (
              <Text key={i} wrap="truncate" {...toneProps(theme, line.title ? 'title' : undefined)}>
                {line.text === '' ? ' ' : line.text}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  )
}

import {Box, Text} from 'ink'
import {toneProps, type Theme} from './theme.js'

export interface HelpOverlayProps {
  sections: ReadonlyArray<{title: string; rows: ReadonlyArray<{label: string; help: string}>}>
  width: number
  height: number
  theme: Theme
  /** Lines scrolled past (clamped to what there is). */
  scroll?: number
}

interface Line {
  text: string
  title: boolean
}

type Sections = HelpOverlayProps['sections']

/** The key map as lines, and how many of them fit: columns of `height - 1` rows, as many as the width allows. */
export function helpLayout(sections: Sections, width: number, height: number): {lines: Line[]; rows: number; columns: number; maxScroll: number} {
  const labelWidth = Math.max(4, ...sections.flatMap((section) => section.rows.map((row) => row.label.length)))
  const lines: Line[] = []
  for (const section of sections) {
    if (lines.length > 0) lines.push({text: '', title: false})
    lines.push({text: section.title, title: true})
    for (const row of section.rows) lines.push({text: `  ${row.label.padEnd(labelWidth)}  ${row.help}`, title: false})
  }
  const rows = Math.max(1, height - 1)
  const columns = Math.max(1, Math.min(Math.ceil(lines.length / rows), Math.floor(width / 36)))
  return {lines, rows, columns, maxScroll: Math.max(0, lines.length - rows * columns)}
}

/**
 * The key map, generated from the same table that dispatches the keys. Flows into as many
 * columns as it needs (and the width allows) so it fits 80x24; on a shorter terminal the rest is
 * scrolled to with the arrow keys.
 */
export function HelpOverlay({sections, width, height, theme, scroll = 0}: HelpOverlayProps) {
  const {lines, rows, columns: maxColumns, maxScroll} = helpLayout(sections, width, height)
  const offset = Math.min(scroll, maxScroll)
  const visible = lines.slice(offset, offset + rows * maxColumns)
  const columns: Line[][] = []
  for (let i = 0; i < visible.length; i += rows) columns.push(visible.slice(i, i + rows))
  const columnWidth = Math.floor(width / Math.max(1, columns.length))
  const more = maxScroll === 0 ? '' : offset >= maxScroll ? '; ↑ PgUp: back to the top' : `; ↓ PgDn: ${lines.length - offset - visible.length} more`
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...toneProps(theme, 'title')}>
        {`Key map  (? or Esc closes${more})`}
      </Text>
      <Box flexDirection="row">
        {columns.map((column, c) => (
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

import {Box, Text} from 'ink'
import {windowAround} from '../state/events.js'
import {columnWidths, GAP, layoutRow, type Cell, type ColumnSpec} from './table-layout.js'
import {MARKER, selectedProps, toneProps, type Theme} from './theme.js'

export interface TableProps {
  columns: readonly ColumnSpec[]
  rows: readonly (readonly Cell[])[]
  width: number
  /** Rows available for the body (the header takes one more). */
  height: number
  theme: Theme
  /** Index of the selected row; the visible window follows it. Omit for a table without selection. */
  selected?: number
  empty?: string
}

/** A fixed-width table that never wraps and never grows past `height` + 1 rows. */
export function Table({columns, rows, width, height, theme, selected, empty = '(none)'}: TableProps) {
  const selectable = selected !== undefined
  const inner = width - (selectable ? MARKER.on.length : 0)
  const widths = columnWidths(columns, rows, inner)
  const bodyRows = Math.max(0, height)
  const index = selectable ? Math.max(0, Math.min(rows.length - 1, selected)) : 0
  const visible = windowAround(rows.map((row, i) => ({row, i})), index, bodyRows)
  const header = layoutRow(columns, widths, columns.map((column) => ({text: column.header.toUpperCase()})))
  const gap = ' '.repeat(GAP)
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...toneProps(theme, 'muted')}>
        {(selectable ? MARKER.off : '') + header.map((cell) => cell.text).join(gap).trimEnd()}
      </Text>
      {rows.length === 0 ? (
        <Text wrap="truncate" {...toneProps(theme, 'muted')}>
          {(selectable ? MARKER.off : '') + empty}
        </Text>
      ) : (
        visible.map(({row, i}) => {
          const isSelected = selectable && i === index
          const cells = layoutRow(columns, widths, row)
          return (
            <Text key={i} wrap="truncate" {...selectedProps(theme, isSelected)}>
              {selectable ? (isSelected ? MARKER.on : MARKER.off) : ''}
              {cells.map((cell, c) => (
                <Text key={c} {...toneProps(theme, cell.tone)}>
                  {c === 0 ? cell.text : gap + cell.text}
                </Text>
              ))}
            </Text>
          )
        })
      )}
    </Box>
  )
}

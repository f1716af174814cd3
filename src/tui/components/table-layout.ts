import {displayWidth, pad} from '../format.js'
import type {Tone} from './theme.js'

/** Columns are listed most important first: the rightmost give way first when room is short. */
export interface ColumnSpec {
  header: string
  align?: 'left' | 'right'
  /**
   * Narrowest it may be cut to before columns are hidden. Default: left-aligned text may go
   * down to its header's width; right-aligned numbers are never cut.
   */
  min?: number
  /** Never wider than this (default 40). */
  max?: number
}

export interface Cell {
  text: string
  tone?: Tone
}

export const GAP = 2
/** A text column grown into spare room stops here (a 500-character error is for the detail view). */
const MAX_GROWN = 80

const minOf = (column: ColumnSpec, natural: number) => Math.min(natural, column.min ?? (column.align === 'right' ? natural : column.header.length))

/**
 * Column widths for a table `total` columns wide; 0 means the column is hidden. Each column is
 * as wide as its widest cell (capped); when the row is too wide, columns are cut to their
 * minimum from the right, and if that is not enough the rightmost columns are hidden.
 */
export function columnWidths(columns: readonly ColumnSpec[], rows: readonly (readonly Cell[])[], total: number): number[] {
  const natural = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => displayWidth(row[i]?.text ?? ''))))
  const widths = columns.map((column, i) => Math.min(column.max ?? 40, natural[i]))
  const used = () => widths.reduce((sum, w) => sum + (w > 0 ? w + GAP : 0), 0) - GAP
  // Room to spare (a wide terminal): capped text columns grow towards their widest cell, most important first.
  for (let i = 0; i < columns.length && used() < total; i++) {
    if (columns[i].align !== 'right' && natural[i] > widths[i]) widths[i] = Math.min(natural[i], MAX_GROWN, widths[i] + (total - used()))
  }
  for (let i = columns.length - 1; i >= 0 && used() > total; i--) {
    widths[i] = Math.max(minOf(columns[i], widths[i]), widths[i] - (used() - total))
  }
  for (let i = columns.length - 1; i >= 1 && used() > total; i--) widths[i] = 0
  return widths
}

/** Pads every shown cell to its column (the last one is not padded on the right). */
export function layoutRow(columns: readonly ColumnSpec[], widths: readonly number[], cells: readonly Cell[]): Cell[] {
  const shown = columns.map((column, i) => ({column, i})).filter(({i}) => widths[i] > 0)
  return shown.map(({column, i}, n) => {
    const text = pad(cells[i]?.text ?? '', widths[i], column.align)
    return {text: n === shown.length - 1 && column.align !== 'right' ? text.trimEnd() : text, tone: cells[i]?.tone}
  })
}

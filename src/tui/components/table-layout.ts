import {pad} from '../format.js'
import type {Tone} from './theme.js'

export interface ColumnSpec {
  header: string
  align?: 'left' | 'right'
  /** Never narrower than this when shrinking (default 4). */
  min?: number
  /** Never wider than this (default 40). */
  max?: number
}

export interface Cell {
  text: string
  tone?: Tone
}

export const GAP = 2

/**
 * Column widths for a table `total` columns wide: each column as wide as its widest cell
 * (capped), then the widest columns give way first until the row fits.
 */
export function columnWidths(columns: readonly ColumnSpec[], rows: readonly (readonly Cell[])[], total: number): number[] {
  const widths = columns.map((column, i) => Math.min(column.max ?? 40, Math.max(column.header.length, ...rows.map((row) => row[i]?.text.length ?? 0))))
  const available = total - GAP * Math.max(0, columns.length - 1)
  let excess = widths.reduce((a, b) => a + b, 0) - available
  while (excess > 0) {
    let widest = -1
    for (let i = 0; i < widths.length; i++) {
      if (widths[i] > (columns[i].min ?? 4) && (widest === -1 || widths[i] > widths[widest])) widest = i
    }
    if (widest === -1) break
    widths[widest]--
    excess--
  }
  return widths
}

/** Pads every cell to its column (the last column is not padded on the right). */
export function layoutRow(columns: readonly ColumnSpec[], widths: readonly number[], cells: readonly Cell[]): Cell[] {
  return columns.map((column, i) => {
    const text = pad(cells[i]?.text ?? '', widths[i], column.align)
    return {text: i === columns.length - 1 && column.align !== 'right' ? text.trimEnd() : text, tone: cells[i]?.tone}
  })
}

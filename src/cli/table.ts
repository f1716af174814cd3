import stringWidth from 'string-width'
import {inert} from './style.js'

const PLAIN_ASCII = /^[\x20-\x7e]*$/
/** Terminal columns a cell takes: a CJK character or an emoji takes two. */
const columnsOf = (text: string): number => (PLAIN_ASCII.test(text) ? text.length : stringWidth(text))
const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - columnsOf(text)))

export interface Column<T> {
  header: string
  get: (row: T) => string | number | boolean | null | undefined
  /** Optional colouring applied after padding (so widths stay right). */
  color?: (value: string, row: T) => string
  /**
   * On a terminal too narrow for the whole table: `drop` columns go first (the right-most first),
   * then `shrink` columns (free text) are cut with an ellipsis. Ids and figures are never cut.
   */
  narrow?: 'drop' | 'shrink'
}

/**
 * The width a table may take: the terminal's when stdout is one (or COLUMNS, when set, to ask for
 * a narrower or wider table), else unlimited (a pipe or file gets whole rows).
 */
export function outputWidth(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (!stream.isTTY) return Number.POSITIVE_INFINITY
  const asked = /^\d+$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : 0
  return asked >= 20 ? asked : stream.columns > 0 ? stream.columns : Number.POSITIVE_INFINITY
}

const MIN_SHRUNK = 12
const GAP = 2

/** Cuts to `width` columns, ending in an ellipsis. */
function cut(text: string, width: number): string {
  if (columnsOf(text) <= width) return text
  let out = ''
  for (const ch of text) {
    if (columnsOf(out + ch) > width - 1) break
    out += ch
  }
  return `${out}…`
}

/** Which columns to show and how wide, so a row fits `maxWidth` when marked columns allow it. */
function fit<T>(columns: Column<T>[], widths: number[], maxWidth: number): {keep: number[]; widths: number[]} {
  let keep = columns.map((_, i) => i)
  const next = [...widths]
  const width = () => keep.reduce((sum, i) => sum + next[i], 0) + GAP * (keep.length - 1)
  for (let i = columns.length - 1; i >= 0 && width() > maxWidth; i--) if (columns[i].narrow === 'drop') keep = keep.filter((k) => k !== i)
  while (width() > maxWidth) {
    const shrinkable = keep.filter((i) => columns[i].narrow === 'shrink' && next[i] > Math.max(MIN_SHRUNK, columns[i].header.length))
    if (shrinkable.length === 0) break
    const widest = shrinkable.reduce((a, b) => (next[b] > next[a] ? b : a))
    next[widest] = Math.max(MIN_SHRUNK, columns[widest].header.length, next[widest] - (width() - maxWidth))
  }
  return {keep, widths: next}
}

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-'
  return inert(String(value))
}

/**
 * A plain aligned table; `empty` is printed instead when there are no rows. On a terminal narrower
 * than the table, columns marked `narrow` make room (see Column); elsewhere rows are whole.
 */
export function renderTable<T>(rows: T[], columns: Column<T>[], empty = '(none)', maxWidth = outputWidth()): string {
  if (rows.length === 0) return empty
  const allCells = rows.map((row) => columns.map((column) => cell(column.get(row))))
  const allWidths = columns.map((column, i) => Math.max(column.header.length, ...allCells.map((r) => columnsOf(r[i]))))
  const {keep, widths: fitted} = fit(columns, allWidths, maxWidth)
  const shown = keep.map((i) => columns[i])
  const widths = keep.map((i) => fitted[i])
  const cells = allCells.map((r) => keep.map((i, k) => cut(r[i], widths[k])))
  const line = (values: string[], row?: T) =>
    values
      .map((value, i) => {
        const padded = i === values.length - 1 ? value : pad(value, widths[i])
        const color = row === undefined ? undefined : shown[i].color
        return color ? color(padded, row as T) : padded
      })
      .join(' '.repeat(GAP))
      .trimEnd()
  return [line(shown.map((c) => c.header.toUpperCase())), ...cells.map((values, r) => line(values, rows[r]))].join('\n')
}

/** Key/value lines for one record. */
export function renderFields(fields: Array<[string, string | number | boolean | null | undefined]>): string {
  const width = Math.max(...fields.map(([key]) => columnsOf(key)))
  return fields.map(([key, value]) => `${pad(key, width)}  ${cell(value)}`).join('\n')
}

/**
 * What an empty page of a filtered list says: the list may be empty, the filters may exclude
 * everything, or --offset may be past the end; "No requests yet." is only true of the first.
 */
export function emptyPageMessage(page: {total: number; offset?: number}, filtered: boolean, noun: string, never: string): string {
  if (page.total > 0) return `No ${noun} at offset ${page.offset ?? 0} (${page.total} match).`
  return filtered ? `No ${noun} match these filters.` : never
}

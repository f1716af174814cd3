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
}

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-'
  return inert(String(value))
}

/** A plain aligned table; `empty` is printed instead when there are no rows. */
export function renderTable<T>(rows: T[], columns: Column<T>[], empty = '(none)'): string {
  if (rows.length === 0) return empty
  const cells = rows.map((row) => columns.map((column) => cell(column.get(row))))
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => columnsOf(r[i]))))
  const line = (values: string[], row?: T) =>
    values
      .map((value, i) => {
        const padded = i === values.length - 1 ? value : pad(value, widths[i])
        const color = row === undefined ? undefined : columns[i].color
        return color ? color(padded, row as T) : padded
      })
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map((values, r) => line(values, rows[r]))].join('\n')
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

/**
 * RFC 4180 CSV. Client-supplied strings (model names, key names) are data: control characters are
 * written as \uXXXX (so a record stays on one line and a terminal runs nothing), and a cell that
 * a spreadsheet would run as a formula (= + - @ first) is prefixed with '.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : typeof value === 'number' ? numberCell(value) : String(value)
  text = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** 12 significant digits: a cost of 0.1 + 0.2 is 0.3 in the sheet, not 0.30000000000000004. */
function numberCell(value: number): string {
  return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(Number(value.toPrecision(12)))
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`
}

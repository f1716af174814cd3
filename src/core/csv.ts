/**
 * RFC 4180 CSV. Client-supplied strings (model names, key names) are data: control characters are
 * written as \uXXXX (so a record stays on one line and a terminal runs nothing), and a cell that
 * a spreadsheet would run as a formula (= + - @ first) is prefixed with '.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  text = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`
}

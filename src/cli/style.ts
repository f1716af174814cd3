/** Colour only for a terminal, never when NO_COLOR is set or output is piped; FORCE_COLOR=1 forces it, FORCE_COLOR=0 turns it off. */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  if (process.env.FORCE_COLOR === '0') return false
  if (process.env.FORCE_COLOR) return true
  return Boolean(stream.isTTY)
}

const CODES = {red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1} as const
export type Color = keyof typeof CODES

export function paint(text: string, color: Color, enabled = colorEnabled()): string {
  return enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text
}

/** A message made of lines (an error): control characters inert, its line breaks kept. */
export function inertLines(text: string): string {
  return text.split('\n').map(inert).join('\n')
}

/** C1 controls (U+009B is a CSI on many terminals) and the bidirectional marks and overrides, as a character-class body. */
const INVISIBLE = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069'
const UNSAFE_TEXT = new RegExp(`[\\u0000-\\u001f${INVISIBLE}]`, 'g')
const UNSAFE_IN_JSON = new RegExp(`[${INVISIBLE}\\u2028\\u2029]`, 'g')
const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/**
 * Client-supplied strings are data: render control characters inert in terminal output, and the
 * bidirectional overrides too (U+202A-202E, U+2066-2069, marks): they would reorder what follows
 * them on the line, so a model name could make a log line read as something else.
 */
export function inert(text: string): string {
  return text.replace(UNSAFE_TEXT, escaped)
}

/**
 * JSON whose strings cannot drive a terminal: JSON.stringify escapes C0 controls but leaves C1
 * and the bidirectional overrides, which this does too (they only ever occur inside strings).
 * Still valid JSON, the same value when parsed.
 */
export function inertJson(value: unknown, pretty = false): string {
  return JSON.stringify(value, null, pretty ? 2 : undefined).replace(UNSAFE_IN_JSON, escaped)
}

/** An error as oclif prints it, without its wrapping at the terminal's width: a log or grep gets whole lines. */
export function writeUnwrapped(message: string, suggestion?: string): void {
  const lines = inertLines(message).split('\n').join('\n ›   ')
  process.stderr.write(` ›   Error: ${lines}\n${suggestion ? ` ›   Try this: ${inertLines(suggestion)}\n` : ''}`)
}

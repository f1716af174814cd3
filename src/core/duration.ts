import {validation} from './errors.js'

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

/**
 * Parses durations such as "720h", "1h30m", "30d", "2w" or "90s" (Go's time.ParseDuration units
 * plus days and weeks). A bare number is seconds. Returns milliseconds.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) throw validation(`duration must be a positive number of seconds, got ${input}`)
    return input * 1000
  }
  const text = input.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text))
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y
  let total = 0
  let index = 0
  while (index < text.length) {
    part.lastIndex = index
    const match = part.exec(text)
    if (!match) throw validation(`invalid duration "${input}": use forms like 90s, 45m, 720h, 30d or 2w`)
    total += Number(match[1]) * UNIT_MS[match[2]]
    index = part.lastIndex
  }
  if (text.length === 0 || total <= 0) throw validation(`invalid duration "${input}": it must be greater than zero`)
  return total
}

import asciichart from 'asciichart'
import {compact} from '../format.js'

/** Axis labels are this wide; one more column is the axis itself. */
export const LABEL_WIDTH = 7

/** Chart columns left for points in a chart `width` wide. */
export const pointsFor = (width: number) => Math.max(1, width - LABEL_WIDTH - 1)

/**
 * How many minutes a chart `width` wide shows: at most two minutes per column so recent
 * changes stay visible, but never less than the last 30 minutes nor more than 60.
 */
export function spanMinutes(width: number, available = 60): number {
  return Math.min(available, 60, Math.max(30, 2 * pointsFor(width)))
}

/** Averages neighbouring points so at most `points` remain (empty minutes count as 0). */
export function downsample(values: ReadonlyArray<number | null>, points: number): number[] {
  const filled = values.map((v) => (v === null || !Number.isFinite(v) ? 0 : v))
  const target = Math.max(1, points)
  if (filled.length <= target) return filled
  const out: number[] = []
  for (let i = 0; i < target; i++) {
    const from = Math.floor((i * filled.length) / target)
    const to = Math.floor(((i + 1) * filled.length) / target)
    const group = filled.slice(from, Math.max(to, from + 1))
    out.push(group.reduce((a, b) => a + b, 0) / group.length)
  }
  return out
}

/**
 * An asciichart line chart exactly `height` rows tall and at most `width` columns wide. The axis
 * starts at 0; a flat zero series still draws its baseline instead of collapsing to one row.
 */
export function plotLines(values: ReadonlyArray<number | null>, width: number, height: number): string[] {
  const rows = Math.max(2, height)
  const series = downsample(values, pointsFor(width))
  const max = Math.max(...series)
  const text = asciichart.plot(series, {
    height: rows - 1,
    min: 0,
    max: max > 0 ? max : 1,
    offset: 2,
    format: (x: number) => compact(Math.max(0, x)).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH),
  })
  return text.split('\n').slice(0, rows)
}

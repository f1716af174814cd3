import asciichart from 'asciichart'
import {compact} from '../format.js'

/** Axis labels are this wide; one more column is the axis itself. */
export const LABEL_WIDTH = 7

/** Chart columns left for points in a chart `width` wide. */
export const pointsFor = (width: number) => Math.max(1, width - LABEL_WIDTH - 1)

/**
 * How many minutes a chart `width` wide shows: one minute per column (at most the last 60), so a
 * peak is drawn at its height instead of averaged with its neighbours; a narrow chart shows
 * fewer minutes, and its title says how many.
 */
export function spanMinutes(width: number, available = 60): number {
  return Math.max(1, Math.min(available, 60, pointsFor(width)))
}

/**
 * An axis label of two significant figures at least: small values (a cost per minute of $0.00005)
 * in milli or micro units, so neighbouring rows do not all read 0.00005 or 0.00000.
 */
export function axisLabel(value: number): string {
  if (value <= 0 || value >= 0.01) return compact(value)
  if (value >= 0.001) return `${(value * 1e3).toFixed(2)}m`
  const micro = value * 1e6
  return `${micro >= 100 ? micro.toFixed(0) : micro >= 10 ? micro.toFixed(1) : micro.toFixed(2)}µ`
}

const known = (v: number | null): v is number => v !== null && Number.isFinite(v)

/**
 * Averages neighbouring points so at most `points` remain. A minute without a value (no traffic:
 * no p95) does not pull its group down; a group with no value at all is drawn at 0.
 */
export function downsample(values: ReadonlyArray<number | null>, points: number): number[] {
  const target = Math.max(1, points)
  if (values.length <= target) return values.map((v) => (known(v) ? v : 0))
  const out: number[] = []
  for (let i = 0; i < target; i++) {
    const from = Math.floor((i * values.length) / target)
    const to = Math.floor(((i + 1) * values.length) / target)
    const group = values.slice(from, Math.max(to, from + 1)).filter(known)
    out.push(group.length === 0 ? 0 : group.reduce((a, b) => a + b, 0) / group.length)
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
    format: (x: number) => axisLabel(Math.max(0, x)).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH),
  })
  return text.split('\n').slice(0, rows)
}

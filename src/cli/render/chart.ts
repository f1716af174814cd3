import asciichart from 'asciichart'

/** Averages neighbouring points so the series fits `width` columns (gaps stay gaps). */
export function fitSeries(values: Array<number | null>, width: number): number[] {
  const out: number[] = []
  const per = Math.max(1, Math.ceil(values.length / Math.max(1, width)))
  for (let i = 0; i < values.length; i += per) {
    const group = values.slice(i, i + per).filter((v): v is number => v !== null)
    out.push(group.length ? group.reduce((a, b) => a + b, 0) / group.length : Number.NaN)
  }
  return out
}

/**
 * An asciichart line chart. asciichart cannot draw gaps, so steps without data are drawn at 0
 * and a note under the chart says so; an all-empty series says that instead of a flat line.
 */
export function lineChart(values: Array<number | null>, options: {width: number; height: number; color?: boolean}): string {
  const fitted = fitSeries(values, options.width)
  if (fitted.every((v) => Number.isNaN(v))) return '(no data in this range)'
  const gaps = fitted.some((v) => Number.isNaN(v))
  const series = fitted.map((v) => (Number.isNaN(v) ? 0 : v))
  const max = Math.max(...series)
  const decimals = max >= 100 ? 0 : max >= 1 ? 2 : 6
  const chart = asciichart.plot(series, {
    height: options.height,
    format: (x: number) => x.toFixed(decimals).padStart(10),
    ...(options.color ? {colors: [asciichart.cyan]} : {}),
  })
  return gaps ? `${chart}\n(steps without data are drawn at 0)` : chart
}

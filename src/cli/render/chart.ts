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

/** An asciichart line chart; empty steps are gaps, an all-empty series says so. */
export function lineChart(values: Array<number | null>, options: {width: number; height: number; color?: boolean}): string {
  const series = fitSeries(values, options.width)
  if (series.every((v) => Number.isNaN(v))) return '(no data in this range)'
  const finite = series.filter((v) => !Number.isNaN(v))
  const max = Math.max(...finite)
  const decimals = max >= 100 ? 0 : max >= 1 ? 2 : 6
  return asciichart.plot(series, {
    height: options.height,
    format: (x: number) => x.toFixed(decimals).padStart(10),
    ...(options.color ? {colors: [asciichart.cyan]} : {}),
  })
}

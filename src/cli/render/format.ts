/** Cell formatters shared by the CLI's tables. */

export const ms = (value: number | null) => (value === null ? null : `${Math.round(value)} ms`)
export const pct = (value: number) => `${(value * 100).toFixed(1)}%`
export const usd = (value: number) => (value === 0 ? '$0' : `$${value < 0.01 ? value.toFixed(6) : value.toFixed(4)}`)

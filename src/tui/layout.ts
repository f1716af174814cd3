/**
 * Screen geometry from the terminal size. The frame is one row shorter than the terminal: when
 * Ink's output reaches the terminal height it clears the whole screen on every frame (flicker).
 */

export interface Size {
  columns: number
  rows: number
}

export const HEADER_ROWS = 2
export const FOOTER_ROWS = 1

export interface Frame {
  width: number
  /** Total rows Ink renders: always fewer than the terminal has. */
  height: number
  /** Rows between the header and the footer. */
  body: number
}

export function frameLayout(size: Size): Frame {
  const width = Math.max(20, size.columns)
  const height = Math.max(HEADER_ROWS + FOOTER_ROWS + 1, size.rows - 1)
  return {width, height, body: height - HEADER_ROWS - FOOTER_ROWS}
}

export interface OverviewLayout {
  /** Provider table body rows (its header is one more). */
  providerRows: number
  /** Plot rows of each chart (its title is one more). */
  chartRows: number
  chartWidth: number
  totalsRows: number
}

/**
 * Overview: provider table on top, three charts side by side, totals at the bottom. Charts get
 * what is left, but at least 4 rows; the provider list is cut (with a "+N more" line) before that.
 */
export function overviewLayout(frame: Frame, providerCount: number): OverviewLayout {
  const totalsRows = 3 // a blank line, then 1h and 24h
  const chartChrome = 2 // the blank line above the charts and the chart titles
  const minChart = 4
  const roomForProviders = Math.max(1, frame.body - totalsRows - chartChrome - minChart - 1)
  const providerRows = Math.max(1, Math.min(Math.max(1, providerCount), roomForProviders))
  const chartRows = Math.max(2, frame.body - 1 - providerRows - chartChrome - totalsRows)
  const chartWidth = Math.max(16, Math.floor((frame.width - 4) / 3))
  return {providerRows, chartRows, chartWidth, totalsRows}
}

/** How far PgUp/PgDn move: a screenful of list rows. */
export function pageSize(frame: Frame): number {
  return Math.max(1, frame.body - 3)
}

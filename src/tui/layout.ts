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
  /** Plot rows of each chart (its title is one more); 0 when there is no room for charts. */
  chartRows: number
  /** How many charts fit side by side (1-3: requests/s, then p95, then cost). */
  chartCount: number
  chartWidth: number
  /** Whether the 1h / 24h totals (two rows) are shown. */
  totals: boolean
  /** Whether blank lines separate the table, the charts and the totals. */
  gaps: boolean
}

/** Narrowest a chart is drawn: axis labels plus 14 minutes. */
export const MIN_CHART_WIDTH = 22
const CHART_GAP = 2

/** Providers listed before anything else gets a row; a longer list gets its other rows after the charts' four. */
export const FIRST_PROVIDERS = 5

/**
 * Overview: provider table on top, charts side by side, totals at the bottom. Rows go first to
 * the table header and up to five providers, then the totals, then charts of at least two rows,
 * the blank lines, charts of four rows, the other providers, and whatever is left to the charts.
 * On a short terminal the blank lines go first, then the charts, then the totals, before those
 * provider rows; on a narrow one, charts go from the right.
 */
export function overviewLayout(frame: Frame, providerCount: number): OverviewLayout {
  const wanted = Math.max(1, providerCount)
  let rest = frame.body - 1
  const first = Math.min(wanted, FIRST_PROVIDERS, Math.max(1, rest))
  rest -= first
  const totals = rest >= 2
  if (totals) rest -= 2
  let chartRows = 0
  if (rest >= 3) {
    chartRows = 2
    rest -= 3
  }
  const gapRows = (chartRows > 0 ? 1 : 0) + (totals ? 1 : 0)
  const gaps = gapRows > 0 && rest >= gapRows
  if (gaps) rest -= gapRows
  if (chartRows > 0) {
    const grow = Math.min(rest, 2)
    chartRows += grow
    rest -= grow
  }
  const more = Math.min(wanted - first, rest)
  rest -= more
  if (chartRows > 0) chartRows += rest
  const chartCount = Math.max(1, Math.min(3, Math.floor((frame.width + CHART_GAP) / (MIN_CHART_WIDTH + CHART_GAP))))
  const chartWidth = Math.max(1, Math.floor((frame.width - CHART_GAP * (chartCount - 1)) / chartCount))
  return {providerRows: first + more, chartRows, chartCount, chartWidth, totals, gaps}
}

export interface ModelsLayout {
  /** Model table body rows (its header is one more). */
  modelRows: number
  /** Whether a blank line sits above the simulation title. */
  gap: boolean
  /** Candidate table body rows (its header is one more); 0 hides the table. */
  candidateRows: number
}

/**
 * Models: the model table, then the simulation title, then (with a result) its candidates. Each
 * table gets its header and one row first, then the blank line; the rest is shared, candidates
 * taking at most half, and what one table does not need goes to the other.
 */
export function modelsLayout(frame: Frame, modelCount: number, candidateCount: number | null): ModelsLayout {
  const wantModels = Math.max(1, modelCount)
  const wantCandidates = candidateCount === null ? 0 : Math.max(1, candidateCount)
  let rest = frame.body - 3 // model header and first row, simulation title
  let candidateRows = 0
  if (wantCandidates > 0 && rest >= 2) {
    candidateRows = 1
    rest -= 2
  }
  const gap = rest >= 1
  if (gap) rest -= 1
  rest = Math.max(0, rest)
  let moreCandidates = candidateRows > 0 ? Math.min(wantCandidates - 1, Math.floor(rest / 2)) : 0
  const moreModels = Math.min(wantModels - 1, rest - moreCandidates)
  if (candidateRows > 0) moreCandidates += Math.min(wantCandidates - 1 - moreCandidates, rest - moreCandidates - moreModels)
  return {modelRows: 1 + moreModels, gap, candidateRows: candidateRows + moreCandidates}
}

/** How far PgUp/PgDn move: a screenful of list rows. */
export function pageSize(frame: Frame): number {
  return Math.max(1, frame.body - 3)
}

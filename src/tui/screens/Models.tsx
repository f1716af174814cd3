import {Box, Text} from 'ink'
import type {EngineModelsDto, SimulationDto} from '../../core/api-types.js'
import {Table} from '../components/Table.js'
import type {Cell, ColumnSpec} from '../components/table-layout.js'
import {healthTone, toneProps, type Theme} from '../components/theme.js'
import {count, fieldValue, ms, percent, price, tokenSize, usd} from '../format.js'
import {modelsLayout, type Frame} from '../layout.js'
import type {SimulationState} from '../state/types.js'

type EngineModel = EngineModelsDto['models'][number]
type Candidate = SimulationDto['candidates'][number]

export interface ModelsProps {
  models: EngineModel[]
  cursor: number
  simulation: SimulationState
  frame: Frame
  theme: Theme
  loading: boolean
}

const MODEL_COLUMNS: ColumnSpec[] = [
  {header: 'model', max: 28, min: 12},
  {header: 'provider', max: 12},
  {header: 'w', align: 'right', max: 3},
  {header: 'in/1k', align: 'right', max: 9},
  {header: 'out/1k', align: 'right', max: 9},
  {header: 'context', align: 'right', max: 8},
  // A state word is never cut (half_open).
  {header: 'health', max: 9, min: 9},
  {header: 'p95', align: 'right', max: 7},
  {header: 'err%', align: 'right', max: 6},
  {header: 'reqs', align: 'right', max: 7},
]

export function modelCells(model: EngineModel): Cell[] {
  const health = !model.enabled ? 'disabled' : model.provider_health === 'open' ? 'open' : model.health
  return [
    {text: fieldValue(model.id)},
    {text: fieldValue(model.provider_id)},
    {text: String(model.weight)},
    {text: price(model.input_per_1k)},
    {text: price(model.output_per_1k)},
    {text: tokenSize(model.max_context_tokens)},
    {text: health, tone: healthTone(health)},
    // Without requests there is no error rate, not a 0% one.
    {text: model.requests > 0 ? ms(model.p95_ms) : '-'},
    {text: model.requests > 0 ? percent(model.error_rate) : '-', tone: model.requests > 0 && model.error_rate >= 0.2 ? 'bad' : undefined},
    {text: count(model.requests)},
  ]
}

const CANDIDATE_COLUMNS: ColumnSpec[] = [
  {header: '#', align: 'right', max: 3},
  {header: 'model', max: 24, min: 12},
  {header: 'score', align: 'right', max: 7},
  {header: 'cost', align: 'right', max: 5},
  {header: 'lat', align: 'right', max: 5},
  {header: 'fail', align: 'right', max: 5},
  {header: 'weight', align: 'right', max: 6},
  {header: 'est $', align: 'right', max: 9},
  {header: 'skipped because', max: 48, min: 15},
]

const fixed = (value: number | null | undefined, digits = 2) => (value === null || value === undefined ? '-' : value.toFixed(digits))

function candidateCells(candidate: Candidate, chosen: string | null): Cell[] {
  const skipped = candidate.skip_reason !== null
  const reason = skipped ? `${candidate.skip_reason}${candidate.skip_detail ? `: ${candidate.skip_detail}` : ''}` : candidate.model_id === chosen ? 'chosen' : ''
  return [
    {text: candidate.rank === null ? '-' : String(candidate.rank)},
    {text: fieldValue(candidate.model_id), tone: candidate.model_id === chosen ? 'ok' : skipped ? 'muted' : undefined},
    {text: fixed(candidate.score, 3)},
    {text: fixed(candidate.components?.cost)},
    {text: fixed(candidate.components?.latency)},
    {text: fixed(candidate.components?.failure)},
    {text: fixed(candidate.components?.weight)},
    {text: usd(candidate.estimated_cost_usd)},
    {text: fieldValue(reason), tone: skipped ? 'warn' : 'ok'},
  ]
}

function simulationTitle(simulation: SimulationState): string {
  const head = `Routing simulation  mode ${simulation.mode}  tokens ${simulation.tokens}`
  if (simulation.running) return `${head}  (running…)`
  if (simulation.error) return `${head}  failed: ${fieldValue(simulation.error)}`
  if (!simulation.result) return `${head}  (s: type a token count and run, m: change mode)`
  return `${head}  chosen: ${fieldValue(simulation.result.chosen ?? 'none')}`
}

/** The routing view: every model with its live figures, and the last simulation below. */
export function Models({models, cursor, simulation, frame, theme, loading}: ModelsProps) {
  const candidates = simulation.result?.candidates ?? []
  const layout = modelsLayout(frame, models.length, simulation.result ? candidates.length : null)
  // More candidates than rows: the last row says how many are not shown, rather than hiding them silently.
  const sorted = [...candidates].sort(byRank)
  const hidden = sorted.length > layout.candidateRows && layout.candidateRows > 1 ? sorted.length - (layout.candidateRows - 1) : 0
  const shownCandidates = hidden > 0 ? sorted.slice(0, layout.candidateRows - 1) : sorted
  return (
    <Box flexDirection="column" width={frame.width} height={frame.body} overflow="hidden">
      <Table columns={MODEL_COLUMNS} rows={models.map(modelCells)} width={frame.width} height={layout.modelRows} selected={cursor} theme={theme} empty={loading ? 'loading…' : '(no models registered)'} />
      {layout.gap ? <Text> </Text> : null}
      <Text wrap="truncate" {...toneProps(theme, simulation.error ? 'bad' : 'title')}>
        {simulationTitle(simulation)}
      </Text>
      {simulation.result && layout.candidateRows > 0 ? (
        <Table
          columns={CANDIDATE_COLUMNS}
          rows={shownCandidates.map((c) => candidateCells(c, simulation.result?.chosen ?? null))}
          width={frame.width}
          height={hidden > 0 ? layout.candidateRows - 1 : layout.candidateRows}
          theme={theme}
          empty="(no candidates)"
        />
      ) : null}
      {simulation.result && hidden > 0 ? (
        <Text wrap="truncate" {...toneProps(theme, 'muted')}>
          {`… ${hidden} more candidates (ranked ones first; tokenhub simulate lists all)`}
        </Text>
      ) : null}
    </Box>
  )
}

function byRank(a: Candidate, b: Candidate): number {
  return (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER)
}

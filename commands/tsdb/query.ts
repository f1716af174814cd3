import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {lineChart} from '../../src/cli/render/chart.js'
import {tsdbSummary} from '../../src/cli/render/observability.js'
import {colorEnabled} from '../../src/cli/style.js'
import type {TsdbResultDto} from '../../src/core/api-types.js'
import {isTokenHubError} from '../../src/core/errors.js'
import {METRICS, validateTsdbQuery} from '../../src/core/metrics/tsdb.js'

export default class TsdbQuery extends BaseCommand {
  static override summary = 'Query a time series and draw it as a line chart (--json for the points)'
  static override description =
    'Metrics: requests, errors, latency, ttft, tokens_in, tokens_out, cost. Aggregations: sum (cost, tokens, requests, errors by default), avg (latency, ttft by default), p95, count. Steps are whole minutes; empty steps are explicit (0 for counts and sums, no value for latency). The tokenhubctl form "metric=latency&model_id=gpt-4o&step_ms=60000" works as the argument, and so do its parts as separate arguments (metric=latency model_id=gpt-4o), joined with & as tokenhubctl does.'
  static override args = {query: Args.string({ignoreStdin: true, description: 'Query string form, e.g. "metric=cost&step_ms=300000" (or its parts as separate arguments)'})}
  /** tokenhubctl joins every argument with &: `tsdb query metric=latency step_ms=60000`. */
  static override strict = false
  static override flags = {
    metric: Flags.string({description: 'Metric name', options: [...METRICS]}),
    model: Flags.string({description: 'Only this model id'}),
    provider: Flags.string({description: 'Only this provider id'}),
    key: Flags.string({description: 'Only this API key (id or name)'}),
    mode: Flags.string({description: 'Only this routing mode'}),
    since: Flags.string({description: 'How far back, e.g. 1h, 6h, 7d [default: 1h]'}),
    step: Flags.string({description: 'Step, e.g. 1m, 5m, 1h [default: 1m]'}),
    agg: Flags.string({description: 'Aggregation', options: ['sum', 'avg', 'p95', 'count']}),
    height: Flags.integer({description: 'Chart height in rows, 2-100 [default: 12]', min: 2, max: 100}),
  }

  static override examples = [
    '<%= config.bin %> tsdb query --metric latency --model gpt-4o --since 6h --step 5m',
    '<%= config.bin %> tsdb query --metric cost --since 24h --step 1h --json',
    '<%= config.bin %> tsdb query "metric=latency&model_id=gpt-4o&step_ms=60000"',
    '<%= config.bin %> tsdb query metric=latency model_id=gpt-4o step_ms=60000',
  ]

  async run(): Promise<TsdbResultDto> {
    const {argv, flags} = await this.parse(TsdbQuery)
    const words = argv as string[]
    // Not strict (for the extra words), so oclif passes a misspelt flag on as a word: it is still a usage error.
    const unknownFlag = words.find((word) => word.startsWith('-'))
    if (unknownFlag) this.usageError(`Nonexistent flag: ${unknownFlag}; see \`tokenhub tsdb query --help\``)
    const {parseDuration} = await import('../../src/core/duration.js')
    const query: Record<string, string | number | undefined> = Object.fromEntries(new URLSearchParams(words.join('&')))
    const now = Date.now()
    const set = (name: string, value: string | number | undefined) => {
      if (value !== undefined) query[name] = value
    }
    set('metric', flags.metric)
    set('model_id', flags.model)
    set('provider_id', flags.provider)
    set('key', flags.key)
    set('mode', flags.mode)
    set('agg', flags.agg)
    try {
      if (flags.since) set('start', now - parseDuration(flags.since))
      if (flags.step) set('step_ms', parseDuration(flags.step))
    } catch (error) {
      this.usageError((error as Error).message)
    }
    if (query.start !== undefined && query.end === undefined) query.end = now
    // Checked here as the daemon would, so a mistake in the tokenhubctl form (metric=bogus, a
    // misspelt key) is a usage error (exit 2, nothing sent), as it is in the flag form.
    try {
      validateTsdbQuery(Object.fromEntries(Object.entries(query).map(([name, value]) => [name, value === undefined ? undefined : String(value)])), now)
    } catch (error) {
      if (!isTokenHubError(error)) throw error
      if (query.metric === undefined && error.details?.parameter === 'metric') this.usageError('name a metric: --metric requests|errors|latency|ttft|tokens_in|tokens_out|cost')
      this.usageError(error.message)
    }
    const result = await (await this.client(flags)).tsdbQuery(query)
    // Steps are whole minutes: say so when the one asked for was rounded.
    const asked = query.step_ms === undefined ? Number.NaN : Number(query.step_ms)
    if (Number.isFinite(asked) && result.step_ms !== asked) {
      this.note(`(step ${flags.step ?? `${asked} ms`} rounded to ${result.step_ms / 60_000} min: steps are whole minutes)`)
    }
    const width = Math.max(20, (process.stdout.columns ?? 100) - 14)
    this.print(`${tsdbSummary(result)}\n${lineChart(result.points.map((p) => p.value), {width, height: flags.height ?? 12, color: colorEnabled()})}`)
    return result
  }
}

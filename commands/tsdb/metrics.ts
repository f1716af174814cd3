import {BaseCommand} from '../../src/cli/base-command.js'
import {renderTable} from '../../src/cli/table.js'

export default class TsdbMetrics extends BaseCommand {
  static override summary = 'The time-series metrics kept, with units, default aggregation and retention'
  static override examples = ['<%= config.bin %> tsdb metrics']

  async run(): Promise<unknown> {
    const {flags} = await this.parse(TsdbMetrics)
    const result = await (await this.client(flags)).tsdbMetrics()
    this.print(
      `${renderTable(result.metrics, [
        {header: 'metric', get: (m) => m.name},
        {header: 'unit', get: (m) => m.unit},
        {header: 'default agg', get: (m) => m.default_agg},
        {header: 'series', get: (m) => m.series},
      ])}\nretention: ${result.retention_ms / 86_400_000} days`,
    )
    return result
  }
}

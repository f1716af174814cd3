import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'

export default class TsdbRetention extends BaseCommand {
  static override summary = 'Show or set how long time-series data is kept (persists across restarts)'
  static override args = {retention: Args.string({ignoreStdin: true, description: 'New retention, e.g. 14d, 72h (1 hour to 400 days)'})}
  static override examples = ['<%= config.bin %> tsdb retention', '<%= config.bin %> tsdb retention 14d']

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(TsdbRetention)
    const client = await this.client(flags)
    if (args.retention === undefined) {
      const {retention_ms} = await client.tsdbMetrics()
      this.print(`retention: ${retention_ms / 86_400_000} days`)
      return {retention_ms, retention_days: retention_ms / 86_400_000}
    }
    const result = await client.tsdbRetention({retention: args.retention})
    this.print(`retention: ${result.retention_days} days`)
    return result
  }
}

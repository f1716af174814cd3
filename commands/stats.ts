import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {statsSummary, statsView} from '../src/cli/render/observability.js'
import type {StatsDto} from '../src/core/api-types.js'

export default class Stats extends BaseCommand {
  static override summary = 'Request statistics for the last 1m, 5m, 1h and 24h, by model, provider, key and mode'
  static override flags = {window: Flags.string({description: 'One window in detail (by model, provider, key, mode)', options: ['1m', '5m', '1h', '24h']})}
  static override examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --window 1h', '<%= config.bin %> stats --window 24h --json']

  async run(): Promise<StatsDto | {windows: Record<string, StatsDto>}> {
    const {flags} = await this.parse(Stats)
    const result = await (await this.client(flags)).stats(flags.window)
    this.print('windows' in result ? statsSummary(result.windows) : statsView(result))
    return result
  }
}

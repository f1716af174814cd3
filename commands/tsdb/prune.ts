import {BaseCommand} from '../../src/cli/base-command.js'

export default class TsdbPrune extends BaseCommand {
  static override summary = 'Drop time-series data older than the retention now (it also happens hourly)'
  static override examples = ['<%= config.bin %> tsdb prune']

  async run(): Promise<unknown> {
    const {flags} = await this.parse(TsdbPrune)
    const result = await (await this.client(flags)).tsdbPrune()
    this.print(`Pruned ${result.removed_minutes} series-minutes and ${result.removed_segments} journal segment(s).`)
    return result
  }
}

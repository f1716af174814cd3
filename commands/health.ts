import {BaseCommand} from '../src/cli/base-command.js'
import {healthTables} from '../src/cli/render/runtime.js'
import type {HealthDto} from '../src/core/api-types.js'

export default class Health extends BaseCommand {
  static override summary = 'Provider and model health: circuit state, error rate, p50/p95 latency, last error'
  static override examples = ['<%= config.bin %> health', '<%= config.bin %> health --json']

  async run(): Promise<HealthDto> {
    const {flags} = await this.parse(Health)
    const health = await (await this.client(flags)).health()
    this.print(healthTables(health))
    return health
  }
}

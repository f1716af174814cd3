import {BaseCommand} from '../../src/cli/base-command.js'
import {engineTable} from '../../src/cli/render/observability.js'
import type {EngineModelsDto} from '../../src/core/api-types.js'

export default class EngineModels extends BaseCommand {
  static override summary = 'The runtime model registry: adapter, upstream id, health and live latency/error figures'
  static override examples = ['<%= config.bin %> engine models', '<%= config.bin %> engine models --json']

  async run(): Promise<EngineModelsDto> {
    const {flags} = await this.parse(EngineModels)
    const result = await (await this.client(flags)).engineModels()
    this.print(engineTable(result))
    return result
  }
}

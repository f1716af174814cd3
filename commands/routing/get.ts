import {BaseCommand} from '../../src/cli/base-command.js'
import {routingFields} from '../../src/cli/render/resources.js'
import type {RoutingConfigDto} from '../../src/core/api-types.js'

export default class RoutingGet extends BaseCommand {
  static override summary = 'Show the default routing policy'
  static override examples = ['<%= config.bin %> routing get', '<%= config.bin %> routing get --json']

  async run(): Promise<RoutingConfigDto> {
    const {flags} = await this.parse(RoutingGet)
    const config = await (await this.client(flags)).getRoutingConfig()
    this.print(routingFields(config))
    return config
  }
}

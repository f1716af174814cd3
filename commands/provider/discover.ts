import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {discoveryTable} from '../../src/cli/render/resources.js'
import type {DiscoveryDto} from '../../src/core/api-types.js'

export default class ProviderDiscover extends BaseCommand {
  /** tokenhubctl has it at the top level too. */
  static override aliases = ['discover']
  static override hiddenAliases = ['providers:discover']
  static override summary = "List the models a provider offers (its /v1/models) and which are registered"
  static override args = {id: Args.string({ignoreStdin: true, description: 'Provider id', required: true})}
  static override examples = ['<%= config.bin %> provider discover openai', '<%= config.bin %> discover openai --json']

  async run(): Promise<DiscoveryDto> {
    const {args, flags} = await this.parse(ProviderDiscover)
    const result = await (await this.client(flags)).discoverProvider(args.id)
    this.print(discoveryTable(result))
    return result
  }
}

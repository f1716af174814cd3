import {BaseCommand} from '../../src/cli/base-command.js'
import {providersTable} from '../../src/cli/render/resources.js'
import type {ProviderDto} from '../../src/core/api-types.js'

export default class ProviderList extends BaseCommand {
  static override hiddenAliases = ['providers:list']
  static override summary = 'List providers (API keys are never shown, only whether one is stored)'
  static override examples = ['<%= config.bin %> provider list', '<%= config.bin %> provider list --json']

  async run(): Promise<ProviderDto[]> {
    const {flags} = await this.parse(ProviderList)
    const providers = await (await this.client(flags)).listProviders()
    this.print(providersTable(providers))
    return providers
  }
}

import {BaseCommand} from '../../src/cli/base-command.js'
import {apiKeysTable} from '../../src/cli/render/resources.js'
import type {ApiKeyDto} from '../../src/core/api-types.js'

export default class ApiKeyList extends BaseCommand {
  static override hiddenAliases = ['apikeys:list']
  static override summary = 'List API keys (prefixes only; the keys themselves are never stored)'
  static override examples = ['<%= config.bin %> apikey list', '<%= config.bin %> apikey list --json']

  async run(): Promise<ApiKeyDto[]> {
    const {flags} = await this.parse(ApiKeyList)
    const keys = await (await this.client(flags)).listApiKeys()
    this.print(apiKeysTable(keys))
    return keys
  }
}

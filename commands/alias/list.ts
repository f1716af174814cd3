import {BaseCommand} from '../../src/cli/base-command.js'
import {aliasesTable} from '../../src/cli/render/runtime.js'
import type {AliasDto} from '../../src/core/api-types.js'

export default class AliasList extends BaseCommand {
  static override hiddenAliases = ['aliases:list']
  static override summary = 'List model aliases and their weighted variants'
  static override examples = ['<%= config.bin %> alias list', '<%= config.bin %> alias list --json']

  async run(): Promise<AliasDto[]> {
    const {flags} = await this.parse(AliasList)
    const aliases = await (await this.client(flags)).listAliases()
    this.print(aliasesTable(aliases))
    return aliases
  }
}

import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {aliasesTable} from '../../src/cli/render/runtime.js'
import type {AliasDto} from '../../src/core/api-types.js'

export default class AliasGet extends BaseCommand {
  static override hiddenAliases = ['aliases:get']
  static override summary = 'Show one alias'
  static override args = {name: Args.string({ignoreStdin: true, description: 'Alias name or pattern', required: true})}
  static override examples = ['<%= config.bin %> alias get gpt-4']

  async run(): Promise<AliasDto> {
    const {args, flags} = await this.parse(AliasGet)
    const alias = await (await this.client(flags)).getAlias(args.name)
    this.print(aliasesTable([alias]))
    return alias
  }
}

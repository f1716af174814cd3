import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {yesFlag} from '../../src/cli/flags.js'
import {confirm} from '../../src/cli/prompt.js'

export default class AliasDelete extends BaseCommand {
  static override summary = 'Delete an alias'
  static override args = {name: Args.string({ignoreStdin: true, description: 'Alias name or pattern', required: true})}
  static override flags = {yes: yesFlag}
  static override examples = ['<%= config.bin %> alias delete gpt-4 --yes']

  async run(): Promise<{ok: true; name: string}> {
    const {args, flags} = await this.parse(AliasDelete)
    const client = await this.client(flags)
    if (!flags.yes && !(await confirm(`Delete alias ${args.name}?`))) this.usageError('cancelled; nothing was deleted')
    const result = await client.deleteAlias(args.name)
    this.print(`Alias ${result.name} deleted.`)
    return result
  }
}

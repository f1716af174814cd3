import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {yesFlag} from '../../src/cli/flags.js'

export default class AliasDelete extends BaseCommand {
  static override hiddenAliases = ['aliases:delete']
  static override summary = 'Delete an alias'
  static override args = {name: Args.string({ignoreStdin: true, description: 'Alias name or pattern', required: true})}
  static override flags = {yes: yesFlag}
  static override examples = ['<%= config.bin %> alias delete gpt-4 --yes']

  async run(): Promise<{ok: true; name: string}> {
    const {args, flags} = await this.parse(AliasDelete)
    const client = await this.client(flags)
    await this.confirmChange(
      flags.yes,
      () => client.getAlias(args.name),
      (alias) => `Delete alias ${alias.name} (-> ${alias.variants.map((v) => v.model_id).join(', ')})?`,
      'nothing was deleted',
    )
    const result = await client.deleteAlias(args.name)
    this.print(`Alias ${result.name} deleted.`)
    return result
  }
}

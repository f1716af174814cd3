import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {yesFlag} from '../../src/cli/flags.js'
import {aliasNote} from '../../src/cli/alias-note.js'
import type {AliasPruneDto} from '../../src/client/admin-client.js'

export default class ProviderDelete extends BaseCommand {
  static override hiddenAliases = ['providers:delete']
  static override summary = 'Delete a provider (refused while it has models, unless --cascade)'
  static override args = {id: Args.string({ignoreStdin: true, description: 'Provider id', required: true})}
  static override flags = {
    cascade: Flags.boolean({description: 'Also delete the models of this provider'}),
    yes: yesFlag,
  }

  static override examples = ['<%= config.bin %> provider delete openai', '<%= config.bin %> provider delete openai --cascade --yes']

  async run(): Promise<{ok: true; id: string; deleted_models: string[]} & AliasPruneDto> {
    const {args, flags} = await this.parse(ProviderDelete)
    const client = await this.client(flags)
    await this.confirmChange(
      flags.yes,
      () => client.getProvider(args.id),
      (provider) => `Delete provider ${provider.id} (${provider.type}, ${provider.base_url})${flags.cascade && provider.model_count > 0 ? ` and its ${provider.model_count} model(s)` : ''}?`,
      'nothing was deleted',
    )
    const result = await client.deleteProvider(args.id, flags.cascade)
    this.print(`Provider ${result.id} deleted${result.deleted_models.length ? ` with ${result.deleted_models.length} model(s): ${result.deleted_models.join(', ')}` : ''}.${aliasNote(result)}`)
    return result
  }
}

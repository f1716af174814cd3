import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {yesFlag} from '../../src/cli/flags.js'
import {aliasNote} from '../../src/cli/alias-note.js'
import type {AliasPruneDto} from '../../src/client/admin-client.js'

export default class ModelDelete extends BaseCommand {
  static override hiddenAliases = ['models:delete']
  static override summary = 'Delete a model (and drop it from the aliases that name it)'
  static override args = {id: Args.string({ignoreStdin: true, description: 'Model id (may contain slashes)', required: true})}
  static override flags = {yes: yesFlag}
  static override examples = ['<%= config.bin %> model delete gpt-4o --yes', '<%= config.bin %> model delete Qwen/Qwen2.5-Coder-32B-Instruct']

  async run(): Promise<{ok: true; id: string} & AliasPruneDto> {
    const {args, flags} = await this.parse(ModelDelete)
    const client = await this.client(flags)
    await this.confirmChange(
      flags.yes,
      () => client.getModel(args.id),
      (model) => `Delete model ${model.id} (${model.provider_id}: ${model.upstream_model ?? model.id})?`,
      'nothing was deleted',
    )
    const result = await client.deleteModel(args.id)
    this.print(`Model ${result.id} deleted.${aliasNote(result)}`)
    return result
  }
}

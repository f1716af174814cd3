import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import type {ModelDto} from '../../src/core/api-types.js'

export default class ModelEnable extends BaseCommand {
  static override hiddenAliases = ['models:enable']
  static override summary = 'Enable a model for routing'
  static override args = {id: Args.string({ignoreStdin: true, description: 'Model id (may contain slashes)', required: true})}
  static override examples = ['<%= config.bin %> model enable gpt-4o']

  async run(): Promise<{ok: true; model: ModelDto}> {
    const {args, flags} = await this.parse(ModelEnable)
    const result = await (await this.client(flags)).editModel(args.id, {enabled: true})
    this.print(`Model ${result.model.id} enabled.`)
    return result
  }
}

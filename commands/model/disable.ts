import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import type {ModelDto} from '../../src/core/api-types.js'

export default class ModelDisable extends BaseCommand {
  static override hiddenAliases = ['models:disable']
  static override summary = 'Disable a model: the router stops choosing it'
  static override args = {id: Args.string({ignoreStdin: true, description: 'Model id (may contain slashes)', required: true})}
  static override examples = ['<%= config.bin %> model disable gpt-4o']

  async run(): Promise<{ok: true; model: ModelDto}> {
    const {args, flags} = await this.parse(ModelDisable)
    const result = await (await this.client(flags)).editModel(args.id, {enabled: false})
    this.print(`Model ${result.model.id} disabled.`)
    return result
  }
}

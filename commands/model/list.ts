import {BaseCommand} from '../../src/cli/base-command.js'
import {modelsTable} from '../../src/cli/render/resources.js'
import type {ModelDto} from '../../src/core/api-types.js'

export default class ModelList extends BaseCommand {
  static override hiddenAliases = ['models:list']
  static override summary = 'List models with provider, weight, context and prices'
  static override examples = ['<%= config.bin %> model list', '<%= config.bin %> model list --json']

  async run(): Promise<ModelDto[]> {
    const {flags} = await this.parse(ModelList)
    const models = await (await this.client(flags)).listModels()
    this.print(modelsTable(models))
    return models
  }
}

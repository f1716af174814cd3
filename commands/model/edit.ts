import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {enabledFrom} from '../../src/cli/flags.js'
import {bodyFrom} from '../../src/cli/json-arg.js'
import {modelBodyFromFlags, modelFieldFlags} from '../../src/cli/model-flags.js'
import {modelFields} from '../../src/cli/render/resources.js'
import type {ModelDto} from '../../src/core/api-types.js'

export default class ModelEdit extends BaseCommand {
  static override hiddenAliases = ['models:edit']
  static override summary = 'Change a model; only the fields given change'
  static override args = {
    id: Args.string({ignoreStdin: true, description: 'Model id (may contain slashes)', required: true}),
    json: Args.string({ignoreStdin: true, description: 'Changes as JSON, e.g. {"weight": 9}'}),
  }

  static override flags = {
    ...modelFieldFlags,
    enable: Flags.boolean({description: 'Enable the model', exclusive: ['disable']}),
    disable: Flags.boolean({description: 'Disable the model', exclusive: ['enable']}),
  }

  static override examples = [`<%= config.bin %> model edit gpt-4o '{"weight": 9}'`, '<%= config.bin %> model edit gpt-4o --input-per-1k 0.002 --output-per-1k 0.008']

  async run(): Promise<{ok: true; model: ModelDto}> {
    const {args, flags} = await this.parse(ModelEdit)
    const body = bodyFrom(args.json, {...modelBodyFromFlags(flags), enabled: enabledFrom(flags)})
    if (Object.keys(body).length === 0) this.usageError('nothing to change: pass a JSON argument or flags such as --weight')
    const result = await (await this.client(flags)).editModel(args.id, body)
    this.print(`Model ${result.model.id} updated.\n${modelFields(result.model)}`)
    return result
  }
}

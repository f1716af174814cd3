import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {bodyFrom, requireFields} from '../../src/cli/json-arg.js'
import {modelBodyFromFlags, modelFieldFlags} from '../../src/cli/model-flags.js'
import {modelFields, upsertOutcome} from '../../src/cli/render/resources.js'
import type {UpsertDto} from '../../src/client/admin-client.js'
import type {ModelDto} from '../../src/core/api-types.js'

export default class ModelAdd extends BaseCommand {
  static override hiddenAliases = ['models:add']
  static override summary = 'Register a model of a provider, or update the one with that id'
  static override description = 'Fields left out are filled from the built-in catalog of public models (context, output cap, prices) when the id is known; otherwise weight 5, context 32768, and the model is marked unpriced with a warning: it is not routed until it has a price (0 for a free model) or the daemon runs with TOKENHUB_ALLOW_UNPRICED=true.\n\nAs with tokenhubctl, adding an id that exists updates it, so a provisioning script can run again: the fields given change, the others stay as they are. It says whether it created, updated or found nothing to change; --create-only refuses an existing id instead (exit 1, CONFLICT).'
  static override args = {json: Args.string({ignoreStdin: true, description: 'Model as JSON: {"id","provider_id","weight","max_context_tokens","input_per_1k","output_per_1k","enabled"}'})}
  static override flags = {
    id: Flags.string({description: 'Model id clients use; may contain slashes'}),
    ...modelFieldFlags,
    disabled: Flags.boolean({description: 'Register it disabled'}),
    'create-only': Flags.boolean({description: 'Fail (CONFLICT) when the id exists instead of updating it'}),
  }

  static override examples = [
    '<%= config.bin %> model add --id gpt-4o --provider openai --weight 8',
    '<%= config.bin %> model add --id Qwen/Qwen2.5-Coder-32B-Instruct --provider local-vllm --max-context-tokens 32768 --input-per-1k 0 --output-per-1k 0',
    `<%= config.bin %> model add '{"id":"gpt-4o","provider_id":"openai","weight":8,"max_context_tokens":128000,"input_per_1k":0.0025,"output_per_1k":0.01,"enabled":true}'`,
  ]

  async run(): Promise<UpsertDto & {model: ModelDto; warnings: string[]}> {
    const {args, flags} = await this.parse(ModelAdd)
    const body = bodyFrom(args.json, {id: flags.id, ...modelBodyFromFlags(flags), enabled: flags.disabled ? false : undefined})
    requireFields(body, ['id', 'provider_id'], 'pass --id and --provider (or a JSON argument)')
    const result = await (await this.client(flags)).addModel(body, {createOnly: flags['create-only']})
    for (const warning of result.warnings) this.note(`warning: ${warning}`)
    this.print(`${upsertOutcome('Model', result.model.id, result)}\n${modelFields(result.model)}`)
    return result
  }
}

import {Args} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {resolveConnection} from '../src/cli/connection.js'
import {ms, usd} from '../src/cli/render/format.js'
import {renderFields} from '../src/cli/table.js'
import {testModel, type ModelTestDto} from '../src/client/model-test.js'

/** tokenhubctl's `model-test ID [API_KEY]`: a smoke test of a model through /v1, as an application sees it. */
export default class ModelTest extends BaseCommand {
  static override summary = 'Send one tiny chat request through /v1 to a model (or alias) and show the answer, latency, tokens and cost'
  static override description =
    'Asks the model to say OK, in at most 5 tokens, with a client API key (th-...): the argument, else TOKENHUB_API_KEY (prefer the variable: an argument shows in the process list). The admin token is not a /v1 key. Exit 0 when the model answered; 1 with the gateway\'s message when it refused or the upstream failed (tokenhubctl exits 0 either way).'
  static override args = {
    id: Args.string({ignoreStdin: true, description: 'Model id or alias', required: true}),
    'api-key': Args.string({ignoreStdin: true, description: 'Client API key [default: TOKENHUB_API_KEY]'}),
  }
  static override examples = ['TOKENHUB_API_KEY=th-... <%= config.bin %> model-test gpt-4o', '<%= config.bin %> model-test claude-sonnet --json']

  async run(): Promise<ModelTestDto> {
    const {args, flags} = await this.parse(ModelTest)
    const apiKey = args['api-key'] ?? process.env.TOKENHUB_API_KEY
    if (!apiKey) this.usageError('model-test needs a client API key (th-...): set TOKENHUB_API_KEY or pass it after the model id; create one with `tokenhub apikey create --name smoke-test`')
    const {url} = await resolveConnection(flags)
    const result = await testModel({url, apiKey, model: args.id})
    this.print(
      renderFields([
        ['model', result.model],
        ['status', result.status],
        ['latency', ms(result.latency_ms)],
        ['response', result.response ?? '(empty)'],
        ['tokens in/out', `${result.input_tokens ?? '-'}/${result.output_tokens ?? '-'}`],
        ['answered by', result.model_used && `${result.model_used}${result.provider ? ` (${result.provider})` : ''}`],
        ['cost', result.cost_usd === null ? null : usd(result.cost_usd)],
      ]),
    )
    return result
  }
}

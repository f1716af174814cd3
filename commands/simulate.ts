import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {numberFlag} from '../src/cli/flags.js'
import {bodyFrom} from '../src/cli/json-arg.js'
import {simulationTable} from '../src/cli/render/runtime.js'
import type {SimulationDto} from '../src/core/api-types.js'
import {ROUTING_MODES} from '../src/core/schemas/common.js'

export default class Simulate extends BaseCommand {
  static override summary = 'What-if routing: every model with its score, score components and skip reason (sends nothing upstream)'
  static override args = {json: Args.string({ignoreStdin: true, description: 'Scenario as JSON: {"model","mode","token_count","output_tokens","n","max_budget_usd","max_latency_ms","min_weight","model_hint","capability","stream","api_key_id"}'})}
  static override flags = {
    model: Flags.string({description: 'The request\'s model: a registered id, an alias, or auto [default: auto]'}),
    mode: Flags.string({description: 'Routing mode', options: [...ROUTING_MODES]}),
    tokens: numberFlag('Input tokens of the imagined request [default: 500]', {min: 0, max: 100_000_000, integer: true}),
    'max-budget-usd': numberFlag('Per-request budget (0 = unlimited)', {min: 0}),
    'max-latency-ms': numberFlag('Latency limit (0 = none)', {min: 0, integer: true}),
    'min-weight': numberFlag('Minimum model weight 0-10', {min: 0, max: 10, integer: true}),
    key: Flags.string({description: 'Simulate as this API key id (its restrictions apply)'}),
  }

  static override examples = [
    `<%= config.bin %> simulate '{"mode":"cheap","token_count":500}'`,
    `<%= config.bin %> simulate '{"mode":"high_confidence","token_count":2000,"max_budget_usd":0.10}'`,
    '<%= config.bin %> simulate --mode fast --tokens 8000',
    '<%= config.bin %> simulate --model claude-sonnet --tokens 2000',
  ]

  async run(): Promise<SimulationDto> {
    const {args, flags} = await this.parse(Simulate)
    const body = bodyFrom(args.json, {
      model: flags.model,
      mode: flags.mode,
      token_count: flags.tokens,
      max_budget_usd: flags['max-budget-usd'],
      max_latency_ms: flags['max-latency-ms'],
      min_weight: flags['min-weight'],
      api_key_id: flags.key,
    })
    const result = await (await this.client(flags)).simulate(body)
    this.print(simulationTable(result))
    return result
  }
}

import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {numberFlag} from '../../src/cli/flags.js'
import {bodyFrom} from '../../src/cli/json-arg.js'
import {routingFields} from '../../src/cli/render/resources.js'
import type {RoutingConfigDto} from '../../src/core/api-types.js'
import {ROUTING_MODES} from '../../src/core/schemas/common.js'

export default class RoutingSet extends BaseCommand {
  static override summary = 'Change the default routing policy; fields not given keep their value'
  static override description = 'A budget or latency of 0 means unlimited. Values set here are stored and win over the daemon\'s TOKENHUB_DEFAULT_* settings.'
  static override args = {json: Args.string({ignoreStdin: true, description: 'Policy as JSON: {"default_mode","default_max_budget_usd","default_max_latency_ms"}'})}
  static override flags = {
    mode: Flags.string({description: 'Default routing mode', options: [...ROUTING_MODES]}),
    'max-budget-usd': numberFlag('Default per-request budget in USD (0 = unlimited)', {min: 0}),
    'max-latency-ms': numberFlag('Default per-request latency limit in ms (0 = none)', {min: 0, integer: true}),
  }

  static override examples = [
    `<%= config.bin %> routing set '{"default_mode":"cheap","default_max_budget_usd":0.02,"default_max_latency_ms":10000}'`,
    '<%= config.bin %> routing set --mode high_confidence',
  ]

  async run(): Promise<RoutingConfigDto & {ok: true}> {
    const {args, flags} = await this.parse(RoutingSet)
    const body = bodyFrom(args.json, {default_mode: flags.mode, default_max_budget_usd: flags['max-budget-usd'], default_max_latency_ms: flags['max-latency-ms']})
    if (Object.keys(body).length === 0) this.usageError('nothing to change: pass a JSON argument or --mode / --max-budget-usd / --max-latency-ms')
    const result = await (await this.client(flags)).setRoutingConfig(body)
    this.print(routingFields(result))
    return result
  }
}

import {Args, Flags} from '@oclif/core'
import {apiKeyBodyFromFlags, apiKeyFieldFlags} from '../../src/cli/apikey-flags.js'
import {BaseCommand} from '../../src/cli/base-command.js'
import {enabledFrom} from '../../src/cli/flags.js'
import {bodyFrom} from '../../src/cli/json-arg.js'
import {apiKeyFields} from '../../src/cli/render/resources.js'
import type {ApiKeyDto} from '../../src/core/api-types.js'

export default class ApiKeyEdit extends BaseCommand {
  static override hiddenAliases = ['apikeys:edit']
  static override summary = "Change an API key's settings (name, scopes, budget, expiry, limits); only the fields given change"
  static override args = {
    id: Args.string({ignoreStdin: true, description: 'API key id', required: true}),
    json: Args.string({ignoreStdin: true, description: 'Changes as JSON, e.g. {"monthly_budget_usd": 100}'}),
  }

  static override flags = {
    ...apiKeyFieldFlags,
    enable: Flags.boolean({description: 'Enable the key', exclusive: ['disable']}),
    disable: Flags.boolean({description: 'Disable the key (reversible, unlike delete)', exclusive: ['enable']}),
  }

  static override examples = [`<%= config.bin %> apikey edit 3f9a0c1d2e4b5a69 '{"monthly_budget_usd": 100}'`, '<%= config.bin %> apikey edit 3f9a0c1d2e4b5a69 --expires-in 30d --scopes chat']

  async run(): Promise<{ok: true; api_key: ApiKeyDto}> {
    const {args, flags} = await this.parse(ApiKeyEdit)
    const body = bodyFrom(args.json, {...apiKeyBodyFromFlags(flags), enabled: enabledFrom(flags)})
    if (Object.keys(body).length === 0) this.usageError('nothing to change: pass a JSON argument or flags such as --monthly-budget-usd')
    const result = await (await this.client(flags)).editApiKey(args.id, body)
    this.print(`API key ${result.api_key.id} updated.\n${apiKeyFields(result.api_key)}`)
    for (const warning of result.warnings ?? []) this.note(`warning: ${warning}`)
    return result
  }
}

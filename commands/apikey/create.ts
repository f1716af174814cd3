import {Args} from '@oclif/core'
import {apiKeyBodyFromFlags, apiKeyCreateFlags} from '../../src/cli/apikey-flags.js'
import {BaseCommand} from '../../src/cli/base-command.js'
import {bodyFrom, requireFields} from '../../src/cli/json-arg.js'
import {paint} from '../../src/cli/style.js'
import type {ApiKeySecretDto} from '../../src/core/api-types.js'

export default class ApiKeyCreate extends BaseCommand {
  static override hiddenAliases = ['apikeys:create']
  static override summary = 'Create a client API key for /v1 (the key is printed once)'
  static override description = 'The key (th-...) is printed on stdout exactly once; TokenHub keeps only its SHA-256 hash. Scopes also accept the tokenhubctl string form ("[\\"chat\\"]").'
  static override args = {json: Args.string({ignoreStdin: true, description: 'Key settings as JSON: {"name","scopes","allowed_models","expires_in"|"expires_at","monthly_budget_usd",...}'})}
  static override flags = apiKeyCreateFlags
  static override examples = [
    '<%= config.bin %> apikey create --name prod-app --scopes chat --monthly-budget-usd 50 --expires-in 90d',
    `<%= config.bin %> apikey create '{"name":"prod-app","scopes":"[\\"chat\\",\\"plan\\"]","monthly_budget_usd":50.0}'`,
    'KEY=$(<%= config.bin %> apikey create --name ci --expires-in 8h 2>/dev/null)',
  ]

  async run(): Promise<ApiKeySecretDto> {
    const {args, flags} = await this.parse(ApiKeyCreate)
    const body = bodyFrom(args.json, apiKeyBodyFromFlags(flags))
    requireFields(body, ['name'], 'pass --name (or a JSON argument)')
    const result = await (await this.client(flags)).createApiKey(body)
    this.note(`Created API key ${result.id} (${result.name}).`)
    this.print(result.key)
    this.note(paint(result.warning, 'yellow', Boolean(process.stderr.isTTY) && !process.env.NO_COLOR))
    for (const warning of result.warnings ?? []) this.note(`warning: ${warning}`)
    return result
  }
}

import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {yesFlag} from '../../src/cli/flags.js'
import type {ApiKeyDto} from '../../src/core/api-types.js'

export default class ApiKeyDelete extends BaseCommand {
  static override hiddenAliases = ['apikeys:delete', 'apikeys:revoke']
  static override summary = 'Revoke an API key: its next request gets 401'
  static override description = 'The key stays listed as revoked so logs can still name it; it cannot be brought back.'
  static override args = {id: Args.string({ignoreStdin: true, description: 'API key id', required: true})}
  static override flags = {yes: yesFlag}
  static override aliases = ['apikey:revoke']
  static override examples = ['<%= config.bin %> apikey delete 3f9a0c1d2e4b5a69 --yes']

  async run(): Promise<{ok: true; api_key: ApiKeyDto}> {
    const {args, flags} = await this.parse(ApiKeyDelete)
    const client = await this.client(flags)
    await this.confirmChange(
      flags.yes,
      () => client.getApiKey(args.id),
      (key) => `Revoke API key ${key.id} (${key.name})? This cannot be undone.`,
      'nothing was revoked',
    )
    const result = await client.revokeApiKey(args.id)
    this.print(`API key ${result.api_key.id} (${result.api_key.name}) revoked.`)
    return result
  }
}

import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {yesFlag} from '../../src/cli/flags.js'
import type {ApiKeySecretDto} from '../../src/core/api-types.js'

export default class ApiKeyRotate extends BaseCommand {
  static override hiddenAliases = ['apikeys:rotate']
  static override summary = 'Give an API key a new secret; the old one stops working at once'
  static override args = {id: Args.string({ignoreStdin: true, description: 'API key id', required: true})}
  static override flags = {yes: yesFlag}
  static override examples = ['<%= config.bin %> apikey rotate 3f9a0c1d2e4b5a69 --yes']

  async run(): Promise<ApiKeySecretDto> {
    const {args, flags} = await this.parse(ApiKeyRotate)
    const client = await this.client(flags)
    await this.confirmChange(
      flags.yes,
      () => client.getApiKey(args.id),
      (key) => `Rotate API key ${key.id} (${key.name})? Clients using the current key fail until they get the new one.`,
      'nothing was changed',
    )
    const result = await client.rotateApiKey(args.id)
    this.note(`Rotated API key ${result.id} (${result.name}). The previous key no longer works.`)
    this.print(result.key)
    this.note(result.warning)
    return result
  }
}

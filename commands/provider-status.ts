import {Args} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {targetHealthFields} from '../src/cli/render/runtime.js'
import {ClientError} from '../src/client/errors.js'
import type {TargetHealthDto} from '../src/core/api-types.js'

/** tokenhubctl's `provider-status ID`: one provider's row of `tokenhub health`, as fields. */
export default class ProviderStatus extends BaseCommand {
  static override summary = "One provider's health: circuit state, requests, errors, latency, last error (tokenhubctl's provider-status)"
  static override args = {id: Args.string({ignoreStdin: true, description: 'Provider id', required: true})}
  static override examples = ['<%= config.bin %> provider-status openai', '<%= config.bin %> provider-status openai --json']

  async run(): Promise<TargetHealthDto> {
    const {args, flags} = await this.parse(ProviderStatus)
    const health = await (await this.client(flags)).health()
    const provider = health.providers.find((p) => p.id === args.id)
    if (!provider) {
      throw new ClientError('NOT_FOUND', `provider "${args.id}" not found`, {suggestion: 'List the registered providers with `tokenhub provider list`.'})
    }
    this.print(targetHealthFields('provider', provider))
    return provider
  }
}

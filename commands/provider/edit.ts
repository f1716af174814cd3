import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {enabledFrom} from '../../src/cli/flags.js'
import {bodyFrom} from '../../src/cli/json-arg.js'
import {readSecretFromStdin} from '../../src/cli/prompt.js'
import {providerFields} from '../../src/cli/render/resources.js'
import type {ProviderDto} from '../../src/core/api-types.js'

export default class ProviderEdit extends BaseCommand {
  static override hiddenAliases = ['providers:edit']
  static override summary = 'Change a provider; only the fields given change'
  static override args = {
    id: Args.string({ignoreStdin: true, description: 'Provider id', required: true}),
    json: Args.string({ignoreStdin: true, description: 'Changes as JSON: {"type"?,"base_url"?,"api_key"? (null removes it),"enabled"?}'}),
  }

  static override flags = {
    type: Flags.string({description: 'openai, anthropic or vllm', options: ['openai', 'anthropic', 'vllm']}),
    'base-url': Flags.string({description: 'Upstream base URL'}),
    'api-key': Flags.string({description: 'New upstream API key (visible in ps; prefer --api-key-stdin)'}),
    'api-key-stdin': Flags.boolean({description: 'Read the new upstream API key from stdin'}),
    'remove-api-key': Flags.boolean({description: 'Delete the stored API key'}),
    enable: Flags.boolean({description: 'Enable the provider', exclusive: ['disable']}),
    disable: Flags.boolean({description: 'Disable the provider', exclusive: ['enable']}),
  }

  static override examples = [
    `<%= config.bin %> provider edit openai '{"base_url":"https://api.openai.com"}'`,
    '$ printf %s "$NEW_KEY" | <%= config.bin %> provider edit openai --api-key-stdin',
    '<%= config.bin %> provider edit local-vllm --disable',
  ]

  async run(): Promise<{ok: true; provider: ProviderDto}> {
    const {args, flags} = await this.parse(ProviderEdit)
    const keySources = [flags['api-key'] !== undefined, flags['api-key-stdin'], flags['remove-api-key']].filter(Boolean).length
    if (keySources > 1) this.usageError('give only one of --api-key, --api-key-stdin, --remove-api-key')
    const body = bodyFrom(args.json, {
      type: flags.type,
      base_url: flags['base-url'],
      api_key: flags['remove-api-key'] ? null : flags['api-key-stdin'] ? await readSecretFromStdin('API key') : flags['api-key'],
      enabled: enabledFrom(flags),
    })
    if (Object.keys(body).length === 0) this.usageError('nothing to change: pass a JSON argument or flags such as --base-url')
    const result = await (await this.client(flags)).editProvider(args.id, body)
    this.print(`Provider ${result.provider.id} updated.\n${providerFields(result.provider)}`)
    return result
  }
}

import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {bodyFrom, requireFields} from '../../src/cli/json-arg.js'
import {readSecretFromStdin} from '../../src/cli/prompt.js'
import {providerFields} from '../../src/cli/render/resources.js'
import type {ProviderDto} from '../../src/core/api-types.js'

export default class ProviderAdd extends BaseCommand {
  static override summary = 'Register a provider (its API key goes into the vault, encrypted)'
  static override description = 'Give the provider as JSON (the tokenhubctl form) or with flags; flags win over JSON fields. Types: openai (also any OpenAI-compatible server), anthropic, vllm (no key needed). The API key can be added while the vault is locked, but the vault must have been set up once (`tokenhub vault unlock`).'
  static override args = {json: Args.string({ignoreStdin: true, description: 'Provider as JSON: {"id","type","base_url","api_key"?,"enabled"?}'})}
  static override flags = {
    id: Flags.string({description: 'Provider id, e.g. openai'}),
    type: Flags.string({description: 'openai, anthropic or vllm', options: ['openai', 'anthropic', 'vllm']}),
    'base-url': Flags.string({description: 'Upstream base URL, e.g. https://api.openai.com'}),
    'api-key': Flags.string({description: 'Upstream API key (visible in ps; prefer --api-key-stdin)'}),
    'api-key-stdin': Flags.boolean({description: 'Read the upstream API key from stdin'}),
    disabled: Flags.boolean({description: 'Register it disabled'}),
  }

  static override examples = [
    '$ printf %s "$OPENAI_API_KEY" | <%= config.bin %> provider add --id openai --type openai --base-url https://api.openai.com --api-key-stdin',
    '<%= config.bin %> provider add --id local-vllm --type vllm --base-url http://127.0.0.1:8000',
    `<%= config.bin %> provider add '{"id":"anthropic","type":"anthropic","base_url":"https://api.anthropic.com","api_key":"sk-ant-..."}'`,
  ]

  async run(): Promise<{ok: true; provider: ProviderDto}> {
    const {args, flags} = await this.parse(ProviderAdd)
    if (flags['api-key'] !== undefined && flags['api-key-stdin']) this.usageError('give --api-key or --api-key-stdin, not both')
    const body = bodyFrom(args.json, {
      id: flags.id,
      type: flags.type,
      base_url: flags['base-url'],
      api_key: flags['api-key-stdin'] ? await readSecretFromStdin('API key') : flags['api-key'],
      enabled: flags.disabled ? false : undefined,
    })
    requireFields(body, ['id', 'type', 'base_url'], 'pass --id, --type and --base-url (or a JSON argument)')
    const result = await (await this.client(flags)).addProvider(body)
    this.print(`Provider ${result.provider.id} added.\n${providerFields(result.provider)}`)
    return result
  }
}

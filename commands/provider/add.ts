import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {bodyFrom, requireFields} from '../../src/cli/json-arg.js'
import {readSecretFromStdin} from '../../src/cli/prompt.js'
import type {UpsertDto} from '../../src/client/admin-client.js'
import {providerFields, upsertOutcome} from '../../src/cli/render/resources.js'
import type {ProviderDto} from '../../src/core/api-types.js'

export default class ProviderAdd extends BaseCommand {
  static override hiddenAliases = ['providers:add']
  static override summary = 'Register a provider, or update the one with that id (its API key goes into the vault, encrypted)'
  static override description = 'Give the provider as JSON (the tokenhubctl form) or with flags; flags win over JSON fields. Types: openai (also any OpenAI-compatible server), anthropic, vllm (no key needed). The API key can be added while the vault is locked, but the vault must have been set up once (`tokenhub vault unlock`).\n\nAs with tokenhubctl, adding an id that exists updates it, so a provisioning script can run again: the fields given change, the others (a stored API key too) stay. It says whether it created, updated or found nothing to change; --create-only refuses an existing id instead (exit 1, CONFLICT).'
  static override args = {json: Args.string({ignoreStdin: true, description: 'Provider as JSON: {"id","type","base_url","api_key"?,"enabled"?}'})}
  static override flags = {
    id: Flags.string({description: 'Provider id, e.g. openai'}),
    type: Flags.string({description: 'openai, anthropic or vllm', options: ['openai', 'anthropic', 'vllm']}),
    'base-url': Flags.string({description: 'Upstream base URL, e.g. https://api.openai.com'}),
    'api-key': Flags.string({description: 'Upstream API key (visible in ps; prefer --api-key-stdin)'}),
    'api-key-stdin': Flags.boolean({description: 'Read the upstream API key from stdin'}),
    disabled: Flags.boolean({description: 'Register it disabled'}),
    'create-only': Flags.boolean({description: 'Fail (CONFLICT) when the id exists instead of updating it'}),
  }

  static override examples = [
    '$ printf %s "$OPENAI_API_KEY" | <%= config.bin %> provider add --id openai --type openai --base-url https://api.openai.com --api-key-stdin',
    '<%= config.bin %> provider add --id local-vllm --type vllm --base-url http://127.0.0.1:8000',
    `<%= config.bin %> provider add '{"id":"anthropic","type":"anthropic","base_url":"https://api.anthropic.com","api_key":"sk-ant-..."}'`,
  ]

  async run(): Promise<UpsertDto & {provider: ProviderDto; cred_store: string}> {
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
    const result = await (await this.client(flags)).addProvider(body, {createOnly: flags['create-only']})
    this.print(`${upsertOutcome('Provider', result.provider.id, result)}\n${providerFields(result.provider)}`)
    if (!result.created && body.api_key !== undefined && result.changed?.includes('api_key')) {
      this.note('The API key sent replaced the stored one, and the provider\'s health starts over. (A key is compared with the stored one only while the vault is unlocked: sent again while it is locked, even the same key counts as a new one.)')
    }
    return result
  }
}

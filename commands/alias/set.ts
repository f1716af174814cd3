import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {bodyFrom} from '../../src/cli/json-arg.js'
import {aliasesTable} from '../../src/cli/render/runtime.js'
import type {AliasDto} from '../../src/core/api-types.js'

export default class AliasSet extends BaseCommand {
  static override hiddenAliases = ['aliases:set']
  static override summary = 'Create or replace an alias: a name (or pattern with *) clients send, mapped to weighted models'
  static override description = `Each --model is MODEL_ID or MODEL_ID=WEIGHT (weight 0-100, default 1). Traffic splits by weight; the other variants are failover targets (weight 0 = failover only). --sticky-by: request (a weighted pick per request), api_key (each key always gets the same variant), round_robin.

It replaces the whole alias: what is not given takes its default (sticky-by request, enabled).

A name with * matches many ids, e.g. "claude-*" catches every Claude model id an agent sends. A registered model id always wins over an alias.`
  static override args = {
    name: Args.string({ignoreStdin: true, description: 'Alias name or pattern', required: true}),
    json: Args.string({ignoreStdin: true, description: 'Alias as JSON: {"variants":[{"model_id","weight"}],"sticky_by","enabled"}'}),
  }

  static override flags = {
    model: Flags.string({description: 'A variant: MODEL_ID or MODEL_ID=WEIGHT (repeatable)', multiple: true}),
    'sticky-by': Flags.string({description: 'How a variant is picked', options: ['request', 'api_key', 'round_robin']}),
    disable: Flags.boolean({description: 'Store it disabled (without it, the alias is stored enabled)'}),
  }

  static override examples = [
    '<%= config.bin %> alias set gpt-4 --model strong-gpt=3 --model cheap-gpt=1',
    '<%= config.bin %> alias set "claude-*" --model claude-sonnet-4-5',
    `<%= config.bin %> alias set fast '{"variants":[{"model_id":"gpt-4o-mini","weight":1}],"sticky_by":"api_key"}'`,
  ]

  async run(): Promise<{ok: true; alias: AliasDto}> {
    const {args, flags} = await this.parse(AliasSet)
    const variants = flags.model?.map((spec) => {
      const at = spec.lastIndexOf('=')
      if (at === -1) return {model_id: spec, weight: 1}
      const text = spec.slice(at + 1).trim()
      const weight = Number(text)
      if (text === '' || !Number.isInteger(weight) || weight < 0 || weight > 100) this.usageError(`--model ${spec}: the weight after "=" must be a whole number from 0 to 100`)
      return {model_id: spec.slice(0, at), weight}
    })
    const body = bodyFrom(args.json, {variants, sticky_by: flags['sticky-by'], enabled: flags.disable ? false : undefined})
    if (body.variants === undefined) this.usageError('give at least one --model (or a JSON argument with "variants")')
    const result = await (await this.client(flags)).setAlias(args.name, body)
    this.print(aliasesTable([result.alias]))
    return result
  }
}

import {Args, Command} from '@oclif/core'
import {SETTING_KEYS, writeSetting} from '../../src/cli/settings.js'

export default class ConfigUnset extends Command {
  static override summary = 'Remove a CLI setting'
  static override enableJsonFlag = true
  static override args = {key: Args.string({ignoreStdin: true, description: 'Setting name', options: [...SETTING_KEYS], required: true})}
  static override examples = ['<%= config.bin %> config unset url']

  async run(): Promise<Record<string, unknown>> {
    const {args} = await this.parse(ConfigUnset)
    const settings = await writeSetting(args.key as 'url', undefined)
    this.log(`${args.key} unset`)
    return settings
  }
}

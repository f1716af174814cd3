import {Args, Command} from '@oclif/core'
import {daemonUrlProblem} from '../../src/cli/connection.js'
import {SETTING_KEYS, writeSetting} from '../../src/cli/settings.js'

export default class ConfigSet extends Command {
  static override summary = 'Save a CLI setting (used when no flag or environment variable gives it)'
  static override enableJsonFlag = true
  static override args = {
    key: Args.string({ignoreStdin: true, description: 'Setting name', options: [...SETTING_KEYS], required: true}),
    value: Args.string({ignoreStdin: true, description: 'Value', required: true}),
  }

  static override examples = ['<%= config.bin %> config set url http://gateway.internal:8080']

  async run(): Promise<Record<string, unknown>> {
    const {args} = await this.parse(ConfigSet)
    if (args.key === 'url') {
      const problem = daemonUrlProblem(args.value)
      if (problem) this.error(`url ${problem}`, {exit: 2})
    }
    const settings = await writeSetting(args.key as 'url', args.value)
    this.log(`${args.key}=${args.value}`)
    return settings
  }
}

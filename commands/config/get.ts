import {Args, Command} from '@oclif/core'
import {readSettings, SETTING_KEYS} from '../../src/cli/settings.js'
import {ClientError} from '../../src/client/errors.js'
import {writeUnwrapped} from '../../src/cli/style.js'

export default class ConfigGet extends Command {
  static override summary = 'Show the CLI settings (or one of them)'
  static override enableJsonFlag = true
  static override args = {key: Args.string({ignoreStdin: true, description: 'Setting name', options: [...SETTING_KEYS]})}
  static override examples = ['<%= config.bin %> config get', '<%= config.bin %> config get url']

  async run(): Promise<Record<string, unknown>> {
    const {args} = await this.parse(ConfigGet)
    const settings = await readSettings().catch((error: unknown) => {
      // A broken settings file: its name and the way out, exit 2 (as every other command says it).
      if (error instanceof ClientError) {
        if (!process.stderr.isTTY) {
          writeUnwrapped(error.message, error.suggestion)
          this.exit(error.exitCode)
        }
        this.error(error.message, {exit: error.exitCode, suggestions: error.suggestion ? [error.suggestion] : undefined})
      }
      throw error
    })
    if (args.key) {
      const value = settings[args.key as keyof typeof settings]
      this.log(value ?? '')
      return {[args.key]: value ?? null}
    }
    for (const key of SETTING_KEYS) this.log(`${key}=${settings[key] ?? ''}`)
    this.log(`(file: ${settings.path})`)
    return settings
  }
}

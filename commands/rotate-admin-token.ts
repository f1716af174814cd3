import {localAdminTokenFile} from '../src/cli/connection.js'
import {Args} from '@oclif/core'
import {adminTokenProblem} from '../src/auth/admin-token.js'
import {BaseCommand} from '../src/cli/base-command.js'
import {yesFlag} from '../src/cli/flags.js'
import {confirm} from '../src/cli/prompt.js'

export default class RotateAdminToken extends BaseCommand {
  static override summary = 'Replace the admin token: the old one stops working at once, the new one survives restarts'
  static override args = {
    token: Args.string({ignoreStdin: true, description: 'The new token (at least 16 characters); a random one when omitted'}),
  }

  static override flags = {yes: yesFlag}
  static override examples = ['<%= config.bin %> rotate-admin-token', '<%= config.bin %> rotate-admin-token "$(openssl rand -hex 32)" --yes']

  async run(): Promise<{ok: true; token: string; warning?: string}> {
    const {args, flags} = await this.parse(RotateAdminToken)
    const client = await this.client(flags)
    // Checked here too (exit 2, nothing asked or sent): the daemon applies the same rule.
    const problem = args.token === undefined ? null : adminTokenProblem(args.token)
    if (problem) this.usageError(`the admin token ${problem}`)
    if (!flags.yes && !(await confirm('Replace the admin token? Every script, dashboard and CLI using the current one is refused until it gets the new one.'))) {
      this.usageError('cancelled; nothing was changed')
    }
    const result = await client.rotateAdminToken(args.token)
    this.print(result.token)
    this.note(`The old admin token no longer works. The new one is in the daemon's data dir (${localAdminTokenFile()} for a daemon on this machine with this data dir); update TOKENHUB_ADMIN_TOKEN wherever you set it.`)
    if (result.warning) this.note(`Warning: ${result.warning}`)
    return result
  }
}

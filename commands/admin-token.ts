import {BaseCommand} from '../src/cli/base-command.js'
import {ClientError} from '../src/client/errors.js'
import {localAdminTokenFile, readLocalAdminTokenFile} from '../src/cli/connection.js'

export default class AdminToken extends BaseCommand {
  // It reads the local token; it talks to no daemon.
  static override baseFlags = {} as typeof BaseCommand.baseFlags
  static override summary = 'Print the admin token (TOKENHUB_ADMIN_TOKEN, else <data dir>/.admin-token)'
  static override description = 'The data dir is TOKENHUB_DATA_DIR, else ~/.tokenhub. The daemon writes the token it uses to <data dir>/.admin-token (0600) at start and after every rotation.'
  static override examples = ['<%= config.bin %> admin-token', 'export TOKENHUB_ADMIN_TOKEN="$(<%= config.bin %> admin-token)"']

  async run(): Promise<{token: string; source: 'env' | 'file'}> {
    await this.parse(AdminToken)
    const fromEnv = process.env.TOKENHUB_ADMIN_TOKEN
    const {token: fromFile, problem} = await readLocalAdminTokenFile()
    if (fromEnv) {
      // The daemon writes the token it uses to the file; after a rotation the environment's is retired.
      if (fromFile && fromFile !== fromEnv) {
        this.warn(`TOKENHUB_ADMIN_TOKEN differs from ${localAdminTokenFile()}: after a rotation (tokenhub rotate-admin-token) the daemon uses the file's token and refuses this one`)
      }
      this.log(fromEnv)
      return {token: fromEnv, source: 'env'}
    }
    if (!fromFile) {
      throw new ClientError('USAGE', `no admin token: TOKENHUB_ADMIN_TOKEN is not set and ${localAdminTokenFile()} ${problem}`, {
        suggestion: 'Start the daemon once (it writes the file), or set TOKENHUB_DATA_DIR to the daemon\'s data dir.',
      })
    }
    this.log(fromFile)
    return {token: fromFile, source: 'file'}
  }
}

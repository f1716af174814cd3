import {register} from 'node:module'
import {BaseCommand} from '../src/cli/base-command.js'
import {readLocalAdminTokenFile, resolveConnection} from '../src/cli/connection.js'
import {colorEnabled, inert} from '../src/cli/style.js'
import {AdminClient} from '../src/client/admin-client.js'
import {ClientError} from '../src/client/errors.js'

export default class Tui extends BaseCommand {
  static override summary = 'Full-screen terminal dashboard: provider health, live charts, events, models, keys, logs'
  static override description =
    'Screens: 1 Overview, 2 Events, 3 Models, 4 Keys, 5 Logs (number keys or Tab); ? shows every key; q or Ctrl-C quits. Needs an interactive terminal; it keeps running (and says so) while the daemon is away.'
  static override enableJsonFlag = false
  static override examples = ['<%= config.bin %> tui', '<%= config.bin %> tui --url http://gateway.internal:8080 --token "$TOKENHUB_ADMIN_TOKEN"']

  async run(): Promise<void> {
    const {flags} = await this.parse(Tui)
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      throw new ClientError('USAGE', 'tokenhub tui needs an interactive terminal (stdin and stdout must be a TTY)', {
        suggestion: 'In scripts and pipes use `tokenhub stats` (add --json) for figures or `tokenhub events` to follow the live stream.',
      })
    }
    const connection = await resolveConnection(flags)
    const client = new AdminClient({url: connection.url, token: connection.token, noTokenReason: connection.tokenProblem, timeoutMs: 10_000})
    // Fail before taking over the screen: a wrong token exits 1, an unreachable daemon 3. A line
    // says what it waits for meanwhile (seconds on a busy machine), and is wiped once answered.
    const say = process.stderr.isTTY === true
    if (say) process.stderr.write(`connecting to ${inert(connection.url)}...`)
    const info = await client.info().finally(() => say && process.stderr.write('\r\u001b[2K'))
    // Ink draws only a final frame when it believes it runs in CI (it reads CI at import time);
    // on an interactive terminal the dashboard is what the user asked for.
    delete process.env.CI
    delete process.env.CONTINUOUS_INTEGRATION
    // Ink's text caches, bounded before Ink loads (src/tui/ink-caches.ts): else a dashboard open for hours grows without end.
    register('../src/tui/ink-cache-hook.js', import.meta.url)
    const {runDashboard} = await import('../src/tui/run.js')
    // A token read from the data dir's file is read again after a rotation (the daemon writes the new one there).
    const reloadToken = connection.tokenSource === 'file' ? async () => (await readLocalAdminTokenFile()).token : undefined
    const code = await runDashboard({url: connection.url, token: connection.token, reloadToken, client, info, color: colorEnabled(process.stdout)})
    // Nothing should be left running; if something is, do not hang the shell.
    setTimeout(() => process.exit(code), 1000).unref()
    if (code !== 0) this.exit(code)
  }
}

import {Command, Flags, type Interfaces} from '@oclif/core'
import {loadDaemonProcess} from '../daemon/fast-start.js'
import {DAEMON_FLAGS, DaemonFlagError, daemonFlagsFrom, type DaemonFlagName} from '../daemon/flags.js'

export default class Daemon extends Command {
  static override summary = 'Run the gateway daemon in the foreground'
  static override description = `Serves the /v1 API and the /admin/v1 API on one port, logs JSON to stderr, and prints "listening on http://HOST:PORT" on stdout once ready. SIGTERM or SIGINT stops accepting new requests, drains those in flight (up to --drain-timeout-secs), writes the store and exits 0.

Secrets come from the environment, never from flags (flags show up in ps): TOKENHUB_ADMIN_TOKEN (else <data dir>/.admin-token, else generated) and TOKENHUB_VAULT_PASSWORD (unlocks the vault at start).`

  static override examples = [
    '<%= config.bin %> daemon',
    '<%= config.bin %> daemon --listen 0.0.0.0:8080 --data-dir /var/lib/tokenhub',
    'TOKENHUB_LISTEN_ADDR=127.0.0.1:0 TOKENHUB_DATA_DIR=/tmp/th <%= config.bin %> daemon',
  ]

  static override flags = Object.fromEntries(
    Object.entries(DAEMON_FLAGS).map(([name, spec]) => [name, Flags.string({description: spec.description})]),
  ) as Record<DaemonFlagName, Interfaces.OptionFlag<string | undefined>>

  async run(): Promise<void> {
    const {flags} = await this.parse(Daemon)
    let options
    try {
      options = daemonFlagsFrom(flags)
    } catch (error) {
      if (!(error instanceof DaemonFlagError)) throw error
      this.error(error.message, {exit: 2})
    }
    const {runDaemonProcess} = await loadDaemonProcess()
    const code = await runDaemonProcess(options)
    if (code !== 0) this.exit(code)
    // Stay in run() while the daemon serves: after run() returns, oclif's execute() calls flush()
    // without awaiting it, and its 10 s timeout (stdout that cannot drain) becomes an uncaught exception.
    await new Promise<never>(() => {})
  }
}

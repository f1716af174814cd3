import {existsSync} from 'node:fs'
import {Command, Flags} from '@oclif/core'

export default class Daemon extends Command {
  static override summary = 'Run the gateway daemon in the foreground'
  static override description = `Serves the /v1 API and the /admin/v1 API on one port, logs JSON to stderr, and prints "listening on http://HOST:PORT" on stdout once ready. SIGTERM or SIGINT stops accepting new requests, drains those in flight (up to --drain-timeout-secs), writes the store and exits 0.

Secrets come from the environment, never from flags (flags show up in ps): TOKENHUB_ADMIN_TOKEN (else <data dir>/.admin-token, else generated) and TOKENHUB_VAULT_PASSWORD (unlocks the vault at start).`

  static override examples = [
    '<%= config.bin %> daemon',
    '<%= config.bin %> daemon --listen 0.0.0.0:8080 --data-dir /var/lib/tokenhub',
    'TOKENHUB_LISTEN_ADDR=127.0.0.1:0 TOKENHUB_DATA_DIR=/tmp/th <%= config.bin %> daemon',
  ]

  static override flags = {
    listen: Flags.string({description: 'HOST:PORT to listen on; port 0 picks a free port [env: TOKENHUB_LISTEN_ADDR] [default: 127.0.0.1:8080]'}),
    'data-dir': Flags.string({description: 'Directory for the store, keys and admin token [env: TOKENHUB_DATA_DIR] [default: ~/.tokenhub]'}),
    'default-mode': Flags.string({description: 'Routing mode when a request names none [env: TOKENHUB_DEFAULT_MODE] [default: normal]'}),
    'default-max-budget-usd': Flags.string({description: 'Per-request budget, 0 = unlimited [env: TOKENHUB_DEFAULT_MAX_BUDGET_USD] [default: 0]'}),
    'default-max-latency-ms': Flags.string({description: 'Per-request latency limit, 0 = none [env: TOKENHUB_DEFAULT_MAX_LATENCY_MS] [default: 0]'}),
    'provider-timeout-secs': Flags.string({description: 'Per attempt, time to first byte [env: TOKENHUB_PROVIDER_TIMEOUT_SECS] [default: 60]'}),
    'drain-timeout-secs': Flags.string({description: 'How long shutdown waits for in-flight requests [env: TOKENHUB_DRAIN_TIMEOUT_SECS] [default: 30]'}),
    'max-body-bytes': Flags.string({description: 'Largest request body accepted [env: TOKENHUB_MAX_BODY_BYTES] [default: 33554432]'}),
    'log-level': Flags.string({description: 'fatal, error, warn, info, debug, trace or silent [env: TOKENHUB_LOG_LEVEL] [default: info]'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Daemon)
    // `npm run build` bundles the daemon into one module (faster start); from sources, no bundle.
    const bundle = new URL('../daemon/process.bundle.js', import.meta.url)
    const {runDaemonProcess} = (await import(existsSync(bundle) ? bundle.href : '../daemon/process.js')) as typeof import('../daemon/process.js')
    const num = (value: string | undefined, name: string) => {
      if (value === undefined) return undefined
      // Number('') is 0: an empty flag (an unset shell variable in a unit file) must not mean 0.
      if (value.trim() === '') this.error(`--${name} is empty; give a number or leave the flag out`, {exit: 2})
      const parsed = Number(value)
      if (!Number.isFinite(parsed)) this.error(`--${name} must be a number, got "${value}"`, {exit: 2})
      return parsed
    }
    const code = await runDaemonProcess({
      listen: flags.listen,
      dataDir: flags['data-dir'],
      defaultMode: flags['default-mode'],
      defaultMaxBudgetUsd: num(flags['default-max-budget-usd'], 'default-max-budget-usd'),
      defaultMaxLatencyMs: num(flags['default-max-latency-ms'], 'default-max-latency-ms'),
      providerTimeoutSecs: num(flags['provider-timeout-secs'], 'provider-timeout-secs'),
      drainTimeoutSecs: num(flags['drain-timeout-secs'], 'drain-timeout-secs'),
      maxBodyBytes: num(flags['max-body-bytes'], 'max-body-bytes'),
      logLevel: flags['log-level'],
    })
    if (code !== 0) this.exit(code)
    // Stay in run() while the daemon serves: after run() returns, oclif's execute() calls flush()
    // without awaiting it, and its 10 s timeout (stdout that cannot drain) becomes an uncaught exception.
    await new Promise<never>(() => {})
  }
}

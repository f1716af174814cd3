import type {DaemonFlags} from './config.js'

/**
 * The daemon's flags, once: `tokenhub daemon --help` (oclif) and the fast start in bin/run.js,
 * which parses them without loading oclif, read this table.
 */
export const DAEMON_FLAGS = {
  listen: {key: 'listen', number: false, description: 'HOST:PORT to listen on; port 0 picks a free port [env: TOKENHUB_LISTEN_ADDR] [default: 127.0.0.1:8080]'},
  'data-dir': {key: 'dataDir', number: false, description: 'Directory for the store, keys and admin token [env: TOKENHUB_DATA_DIR] [default: ~/.tokenhub]'},
  'default-mode': {key: 'defaultMode', number: false, description: 'Routing mode when a request names none [env: TOKENHUB_DEFAULT_MODE] [default: normal]'},
  'default-max-budget-usd': {key: 'defaultMaxBudgetUsd', number: true, description: 'Per-request budget, 0 = unlimited [env: TOKENHUB_DEFAULT_MAX_BUDGET_USD] [default: 0]'},
  'default-max-latency-ms': {key: 'defaultMaxLatencyMs', number: true, description: 'Per-request latency limit, 0 = none [env: TOKENHUB_DEFAULT_MAX_LATENCY_MS] [default: 0]'},
  'provider-timeout-secs': {key: 'providerTimeoutSecs', number: true, description: 'Per attempt, time to first byte [env: TOKENHUB_PROVIDER_TIMEOUT_SECS] [default: 60]'},
  'drain-timeout-secs': {key: 'drainTimeoutSecs', number: true, description: 'How long shutdown waits for in-flight requests [env: TOKENHUB_DRAIN_TIMEOUT_SECS] [default: 30]'},
  'max-body-bytes': {key: 'maxBodyBytes', number: true, description: 'Largest request body accepted [env: TOKENHUB_MAX_BODY_BYTES] [default: 33554432]'},
  'log-level': {key: 'logLevel', number: false, description: 'fatal, error, warn, info, debug, trace or silent [env: TOKENHUB_LOG_LEVEL] [default: info]'},
} as const satisfies Record<string, {key: keyof DaemonFlags; number: boolean; description: string}>

export type DaemonFlagName = keyof typeof DAEMON_FLAGS

/** A flag value the daemon cannot use; the CLI exits 2 with this message. */
export class DaemonFlagError extends Error {}

/** The flags as given on the command line (strings) -> the daemon's options. */
export function daemonFlagsFrom(raw: Partial<Record<DaemonFlagName, string>>): DaemonFlags {
  const flags: Record<string, string | number> = {}
  for (const name of Object.keys(DAEMON_FLAGS) as DaemonFlagName[]) {
    const value = raw[name]
    if (value === undefined) continue
    const spec = DAEMON_FLAGS[name]
    if (!spec.number) {
      flags[spec.key] = value
      continue
    }
    // Number('') is 0: an empty flag (an unset shell variable in a unit file) must not mean 0.
    if (value.trim() === '') throw new DaemonFlagError(`--${name} is empty; give a number or leave the flag out`)
    const parsed = Number(value)
    if (!Number.isFinite(parsed)) throw new DaemonFlagError(`--${name} must be a number, got "${value}"`)
    flags[spec.key] = parsed
  }
  return flags as DaemonFlags
}

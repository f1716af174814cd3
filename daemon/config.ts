import {ROUTING_MODES, type RoutingMode} from '../src/core/schemas/common.js'
import {LOG_LEVELS} from '../src/logging/logger.js'
import {isIPv4, isIPv6} from 'node:net'
import {dataDirPath, defaultDataDir} from '../src/store/data-dir.js'
import {adminTokenProblem} from '../src/auth/admin-token.js'

export interface DaemonConfig {
  host: string
  port: number
  dataDir: string
  adminToken?: string
  vaultPassword?: string
  defaultMode: RoutingMode
  defaultMaxBudgetUsd: number
  defaultMaxLatencyMs: number
  providerTimeoutSecs: number
  logLevel: string
  drainTimeoutSecs: number
  maxBodyBytes: number
  /** Consecutive failures that open a model's or provider's circuit. */
  circuitFailures: number
  /** How long an open circuit waits before a probe request. */
  circuitOpenSecs: number
  /** Background provider probe period; 0 = off. */
  healthProbeSecs: number
  /** How long request records and rewards stay in the journal. */
  journalRetentionDays: number
  /** When set, GET /metrics needs this bearer token. */
  metricsToken?: string
  /** Longest silence between chunks of an upstream answer. */
  streamIdleTimeoutSecs: number
  /** Longest time until an answer starts, across retries and failover. */
  requestDeadlineSecs: number
  /** Route to models without a price (recorded as unpriced, cost $0). */
  allowUnpriced: boolean
  maxHeaderBytes: number
  maxUrlBytes: number
  /** Open connections per upstream origin; 0 = no cap (each concurrent request gets one). */
  upstreamMaxConnections: number
}

/** Flag values as given on the command line (undefined = not given). */
export interface DaemonFlags {
  listen?: string
  dataDir?: string
  defaultMode?: string
  defaultMaxBudgetUsd?: number
  defaultMaxLatencyMs?: number
  providerTimeoutSecs?: number
  logLevel?: string
  drainTimeoutSecs?: number
  maxBodyBytes?: number
}

export const DEFAULT_LISTEN = '127.0.0.1:8080'

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces), "0.0.0.0:0" (any free port). */
export function parseListenAddress(value: string): {host: string; port: number} {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim())
  if (!match) throw new ConfigError(`invalid listen address "${value}": use HOST:PORT, e.g. 127.0.0.1:8080`)
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2])
  const port = Number(match[3])
  if (port > 65535) throw new ConfigError(`invalid port ${port} in "${value}"`)
  // Caught here (exit 2, nothing touched), not as "address not available" after the data dir is made.
  const valid = match[1] !== undefined ? isIPv6(host) : /^[\d.]+$/.test(host) ? isIPv4(host) : /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)
  if (!valid) throw new ConfigError(`invalid host "${host}" in listen address "${value}": use an IP address or a host name, e.g. 127.0.0.1:8080 or [::1]:8080`)
  return {host, port}
}

/** 0 turns the probe off; otherwise at least 0.1 s apart (each probe calls the provider with its key: 1 ms would be a flood). */
function probePeriod(secs: number): number {
  if (secs > 0 && secs < 0.1) throw new ConfigError(`TOKENHUB_HEALTH_PROBE_SECS must be 0 (off) or at least 0.1, got ${secs}`)
  return secs
}

/** Node timers take at most 2^31-1 ms; a longer delay fires after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_SECS = Math.floor((2 ** 31 - 1) / 1000)

function numberFrom(envName: string, flag: number | undefined, env: string | undefined, fallback: number, options: {min?: number; max?: number; integer?: boolean} = {}): number {
  let value = fallback
  // The message names what the user set: the flag (--max-body-bytes) or the variable.
  const name = flag === undefined ? envName : `--${envName.slice('TOKENHUB_'.length).toLowerCase().replaceAll('_', '-')}`
  if (flag !== undefined) value = flag
  else if (env !== undefined && env.trim() !== '') {
    value = Number(env)
    if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got "${env}"`)
  }
  if (options.integer && !Number.isInteger(value)) throw new ConfigError(`${name} must be an integer, got ${value}`)
  if (value < (options.min ?? 0)) throw new ConfigError(`${name} must be >= ${options.min ?? 0}, got ${value}`)
  if (options.max !== undefined && value > options.max) throw new ConfigError(`${name} must be <= ${options.max}, got ${value}`)
  return value
}

function booleanFrom(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false
  throw new ConfigError(`${name} must be true or false, got "${value}"`)
}

function adminTokenSetting(token: string | undefined): string | undefined {
  const problem = token === undefined ? null : adminTokenProblem(token.trim())
  if (problem) throw new ConfigError(`TOKENHUB_ADMIN_TOKEN is not usable as the admin token: it ${problem} (leave it unset to have one generated)`)
  return token
}

function dataDirFlag(value: string): string {
  if (value.trim() === '') throw new ConfigError('--data-dir is empty: give a directory, or leave the flag out for TOKENHUB_DATA_DIR or ~/.tokenhub')
  return dataDirPath(value)
}

/** DESIGN §3: flag > environment > default. */
export function resolveDaemonConfig(flags: DaemonFlags, env: NodeJS.ProcessEnv): DaemonConfig {
  const {host, port} = parseListenAddress(flags.listen ?? env.TOKENHUB_LISTEN_ADDR ?? DEFAULT_LISTEN)
  const mode = flags.defaultMode ?? env.TOKENHUB_DEFAULT_MODE ?? 'normal'
  if (!(ROUTING_MODES as readonly string[]).includes(mode)) throw new ConfigError(`unknown routing mode "${mode}": use one of ${ROUTING_MODES.join(', ')}`)
  const logLevel = flags.logLevel ?? env.TOKENHUB_LOG_LEVEL ?? 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ConfigError(`unknown log level "${logLevel}": use one of ${LOG_LEVELS.join(', ')}`)
  const nonEmpty = (value: string | undefined) => (value && value.trim() !== '' ? value : undefined)
  return {
    host,
    port,
    dataDir: flags.dataDir === undefined ? defaultDataDir(env) : dataDirFlag(flags.dataDir),
    adminToken: adminTokenSetting(nonEmpty(env.TOKENHUB_ADMIN_TOKEN)),
    vaultPassword: nonEmpty(env.TOKENHUB_VAULT_PASSWORD),
    defaultMode: mode as RoutingMode,
    defaultMaxBudgetUsd: numberFrom('TOKENHUB_DEFAULT_MAX_BUDGET_USD', flags.defaultMaxBudgetUsd, env.TOKENHUB_DEFAULT_MAX_BUDGET_USD, 0),
    defaultMaxLatencyMs: numberFrom('TOKENHUB_DEFAULT_MAX_LATENCY_MS', flags.defaultMaxLatencyMs, env.TOKENHUB_DEFAULT_MAX_LATENCY_MS, 0, {integer: true}),
    providerTimeoutSecs: numberFrom('TOKENHUB_PROVIDER_TIMEOUT_SECS', flags.providerTimeoutSecs, env.TOKENHUB_PROVIDER_TIMEOUT_SECS, 60, {min: 1, max: MAX_TIMER_SECS}),
    logLevel,
    drainTimeoutSecs: numberFrom('TOKENHUB_DRAIN_TIMEOUT_SECS', flags.drainTimeoutSecs, env.TOKENHUB_DRAIN_TIMEOUT_SECS, 30, {min: 0, max: MAX_TIMER_SECS}),
    maxBodyBytes: numberFrom('TOKENHUB_MAX_BODY_BYTES', flags.maxBodyBytes, env.TOKENHUB_MAX_BODY_BYTES, 32 * 1024 * 1024, {min: 1024, integer: true}),
    circuitFailures: numberFrom('TOKENHUB_CIRCUIT_FAILURES', undefined, env.TOKENHUB_CIRCUIT_FAILURES, 5, {min: 1, integer: true}),
    circuitOpenSecs: numberFrom('TOKENHUB_CIRCUIT_OPEN_SECS', undefined, env.TOKENHUB_CIRCUIT_OPEN_SECS, 30, {min: 0.1, max: MAX_TIMER_SECS}),
    healthProbeSecs: probePeriod(numberFrom('TOKENHUB_HEALTH_PROBE_SECS', undefined, env.TOKENHUB_HEALTH_PROBE_SECS, 0, {min: 0, max: MAX_TIMER_SECS})),
    journalRetentionDays: numberFrom('TOKENHUB_JOURNAL_RETENTION_DAYS', undefined, env.TOKENHUB_JOURNAL_RETENTION_DAYS, 30, {min: 1}),
    metricsToken: nonEmpty(env.TOKENHUB_METRICS_TOKEN),
    streamIdleTimeoutSecs: numberFrom('TOKENHUB_STREAM_IDLE_TIMEOUT_SECS', undefined, env.TOKENHUB_STREAM_IDLE_TIMEOUT_SECS, 60, {min: 1, max: MAX_TIMER_SECS}),
    requestDeadlineSecs: numberFrom('TOKENHUB_REQUEST_DEADLINE_SECS', undefined, env.TOKENHUB_REQUEST_DEADLINE_SECS, 180, {min: 1, max: MAX_TIMER_SECS}),
    allowUnpriced: booleanFrom('TOKENHUB_ALLOW_UNPRICED', env.TOKENHUB_ALLOW_UNPRICED),
    // uWS resets connections whose request head passes ~128 KiB; stay well below to answer 431/414.
    maxHeaderBytes: numberFrom('TOKENHUB_MAX_HEADER_BYTES', undefined, env.TOKENHUB_MAX_HEADER_BYTES, 32 * 1024, {min: 1024, integer: true}),
    maxUrlBytes: numberFrom('TOKENHUB_MAX_URL_BYTES', undefined, env.TOKENHUB_MAX_URL_BYTES, 16 * 1024, {min: 256, integer: true}),
    upstreamMaxConnections: numberFrom('TOKENHUB_UPSTREAM_MAX_CONNECTIONS', undefined, env.TOKENHUB_UPSTREAM_MAX_CONNECTIONS, 0, {min: 0, integer: true}),
  }
}

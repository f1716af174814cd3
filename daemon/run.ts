import {AliasAdmin} from '../src/admin/aliases.js'
import {ApiKeyAdmin} from '../src/admin/api-keys.js'
import type {AdminChange, AdminContext} from '../src/admin/context.js'
import {ModelAdmin} from '../src/admin/models.js'
import {ProviderAdmin} from '../src/admin/providers.js'
import {RoutingConfigAdmin} from '../src/admin/routing-config.js'
import {AdminTokenHolder, resolveAdminToken} from '../src/auth/admin-token.js'
import {isTokenHubError} from '../src/core/errors.js'
import {EventBus, type BusEvent} from '../src/events/bus.js'
import type {Logger} from '../src/logging/logger.js'
import {loadTokenizer} from '../src/core/tokens.js'
import {removeStaleTempFiles} from '../src/store/atomic-file.js'
import {ConfigStore} from '../src/store/config-store.js'
import {dataFiles, ensureDataDir, tightenDataDirEntries} from '../src/store/data-dir.js'
import {acquireLock} from '../src/store/lock-file.js'
import {VERSION} from '../src/version.js'
import {Vault} from '../src/vault/vault.js'
import type {AdminDeps} from './admin/deps.js'
import {createApp} from './app.js'
import type {DaemonConfig} from './config.js'
import {createRuntime, type GatewayRuntime} from './gateway/runtime.js'
import {blockedByFetch, listen} from './server.js'

/** A heartbeat event on the stream every so often, so followers can tell a quiet gateway from a dead one. */
export const HEARTBEAT_MS = 30_000
/** How often the daemon checks that its data dir lock file is still there. */
const LOCK_CHECK_MS = 2_000

export interface DaemonIO {
  logger: Logger
  /** Human status lines (stdout). */
  say: (line: string) => void
}

export interface RunningDaemon {
  url: string
  port: number
  /** Stop accepting, drain in-flight requests up to the deadline, flush the store, release the lock. */
  shutdown(reason: string): Promise<{drained: boolean}>
}

/** A start-up failure the operator must fix; the message says what and where. */
export class DaemonStartError extends Error {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'DaemonStartError'
  }
}

export async function startDaemon(config: DaemonConfig, io: DaemonIO): Promise<RunningDaemon> {
  const {logger} = io
  const startedAt = Date.now()
  const files = dataFiles(config.dataDir)
  const dir = await ensureDataDir(config.dataDir)
  if (dir.tightened) logger.warn({data_dir: config.dataDir}, 'data dir was readable by others; its mode is now 0700')
  const loosened = dir.created ? [] : await tightenDataDirEntries(config.dataDir)
  if (loosened.length > 0) logger.warn({data_dir: config.dataDir, files: loosened}, 'files in the data dir were readable by others; they are now 0600 (directories 0700)')
  const lock = await acquireLock(files.lock)
  if (lock.tookOverFrom) logger.warn({stale_pid: lock.tookOverFrom}, 'took over a stale lock left by a daemon that is no longer running')

  try {
    for (const name of await removeStaleTempFiles(config.dataDir)) logger.warn({file: name}, 'removed a temp file left by an interrupted write')
    const store = await ConfigStore.open({
      dataDir: config.dataDir,
      onWriteError: (error) => logger.error({err: error, file: files.store}, 'could not write the store; the changes it held were undone and their requests failed'),
    })

    // Ids seeded from the clock keep growing across restarts, so a client's Last-Event-ID stays meaningful.
    const bus = new EventBus({firstId: Date.now() * 1000, onSubscriberError: (error) => logger.error({err: error}, 'event subscriber failed')})
    let runtime: GatewayRuntime | undefined
    // After the route events still waiting for their loop turn (RecordQueue), so the bus keeps the order things happened in.
    const publish = (event: BusEvent) => (runtime ? runtime.records.publish(event) : bus.publish(event))
    const onChange = (change: AdminChange) => {
      logger.info(change, 'admin change')
      runtime?.onAdminChange(change)
      publish(changeEvent(change))
    }
    const vault = new Vault(store, {
      onChange: (change) => {
        logger.info({vault: change}, `vault ${change}`)
        runtime?.onAdminChange({resource: 'vault', action: change, id: 'vault'})
        publish({type: change === 'locked' ? 'vault_locked' : change === 'rotated' ? 'vault_rotated' : 'vault_unlocked'})
      },
    })
    const unlockFromEnv = async (password: string) => {
      try {
        await vault.unlock(password)
      } catch (error) {
        const reason = isTokenHubError(error) && error.code === 'VAULT_PASSWORD_INVALID' ? 'it is not the vault password' : (error as Error).message
        throw new DaemonStartError(`TOKENHUB_VAULT_PASSWORD does not unlock the vault: ${reason}`)
      }
    }
    // A vault that has a password is unlocked before serving. A new one gets its password only once
    // the daemon listens: a start that fails (the port taken) must not have chosen it (a typo in
    // the variable would then lock out the next start). No provider key can exist before it.
    const setsFirstPassword = config.vaultPassword !== undefined && !vault.initialized
    if (config.vaultPassword !== undefined && !setsFirstPassword) await unlockFromEnv(config.vaultPassword)

    const token = await resolveAdminToken({envToken: config.adminToken, file: files.adminToken, store})
    if (token.ignoredRetiredEnv) logger.warn('TOKENHUB_ADMIN_TOKEN holds a token that was rotated away; using the rotated token from the data dir instead')
    if (token.tightened) logger.warn({file: files.adminToken}, 'the admin token file was readable by others; its mode is now 0600')
    const adminToken = new AdminTokenHolder(token.token, files.adminToken, store)

    const ctx: AdminContext = {store, vault, now: () => new Date(), onChange}
    const routing = new RoutingConfigAdmin(ctx, {
      default_mode: config.defaultMode,
      default_max_budget_usd: config.defaultMaxBudgetUsd,
      default_max_latency_ms: config.defaultMaxLatencyMs,
    })
    runtime = await createRuntime({
      dataDir: config.dataDir,
      store,
      storeKey: store.key,
      vault,
      bus,
      logger,
      routingConfig: () => routing.get(),
      firstByteTimeoutMs: config.providerTimeoutSecs * 1000,
      idleTimeoutMs: config.streamIdleTimeoutSecs * 1000,
      deadlineMs: config.requestDeadlineSecs * 1000,
      allowUnpriced: config.allowUnpriced,
      upstreamMaxConnections: config.upstreamMaxConnections,
      circuitFailures: config.circuitFailures,
      circuitOpenMs: config.circuitOpenSecs * 1000,
      healthProbeMs: config.healthProbeSecs * 1000,
      journalRetentionMs: config.journalRetentionDays * 86_400_000,
    })
    const deps: AdminDeps = {
      ...ctx,
      adminToken,
      providers: new ProviderAdmin(ctx),
      models: new ModelAdmin(ctx),
      apiKeys: new ApiKeyAdmin(ctx, runtime.ledger),
      aliases: new AliasAdmin(ctx),
      routing,
      runtime,
      bus,
      metricsToken: config.metricsToken,
      version: VERSION,
      startedAt,
      providerTimeoutMs: config.providerTimeoutSecs * 1000,
      secretsFromEnv: {vaultPassword: config.vaultPassword !== undefined, adminToken: config.adminToken !== undefined},
    }
    const app = createApp(deps, {logger, limits: {maxBodyBytes: config.maxBodyBytes, maxHeaderBytes: config.maxHeaderBytes, maxUrlBytes: config.maxUrlBytes}})
    const listening = await listen(app.server, config.host, config.port)
    if (setsFirstPassword) await unlockFromEnv(config.vaultPassword!)
    const heartbeat = setInterval(
      () => publish({type: 'heartbeat', uptime_s: Math.floor((Date.now() - startedAt) / 1000), in_flight: app.inflight.active, subscribers: bus.subscriberCount}),
      HEARTBEAT_MS,
    )
    heartbeat.unref()
    // A lock file someone removed (a tmp cleaner, an operator) is written again, so a second daemon
    // started on this data dir still finds it.
    let lockLost = false
    const lockWatch = setInterval(() => {
      void lock.check().then((state) => {
        if (state === 'restored') logger.warn({file: files.lock}, 'the data dir lock file was removed while running; it is written again')
        else if (state === 'failed') logger.error({file: files.lock}, 'the data dir lock file was removed while running and cannot be written again')
        else if (state === 'lost' && !lockLost) {
          // Another daemon took this data dir while the lock file was gone: two writers would
          // overwrite each other's store and journals, so this one stops (orderly, as on SIGTERM).
          lockLost = true
          logger.error({file: files.lock}, 'another daemon took this data dir while its lock file was gone; stopping')
          process.kill(process.pid, 'SIGTERM')
        }
      })
    }, LOCK_CHECK_MS)
    lockWatch.unref()

    const where = token.source === 'env' ? 'from TOKENHUB_ADMIN_TOKEN' : token.source === 'file' ? 'from' : 'generated and written to'
    io.say(`tokenhub ${VERSION}: data dir ${config.dataDir}${dir.created ? ' (created)' : ''}`)
    io.say(`admin token ${where} ${token.source === 'env' ? `(copy in ${files.adminToken})` : files.adminToken}; print it with \`tokenhub admin-token\``)
    io.say(`vault: ${vault.locked ? (vault.initialized ? 'locked; unlock it with `tokenhub vault unlock`' : 'not set up; choose a password with `tokenhub vault unlock`') : 'unlocked'}`)
    const hostForUrl = listening.host.includes(':') ? `[${listening.host}]` : listening.host
    const url = `http://${hostForUrl}:${listening.port}`
    io.say(`listening on ${url}`)
    if (blockedByFetch(listening.port)) logger.warn({port: listening.port}, 'clients built on fetch (the openai and Anthropic SDKs, tokenhub\'s own CLI and TUI, browsers) refuse to connect to this port (the WHATWG blocked-port list); choose another')
    logger.info({url, data_dir: config.dataDir, version: VERSION, settings: effectiveSettings(config)}, 'daemon started')
    // Loaded after listening, off the start-up path; a request that comes first waits for it.
    setImmediate(() => void loadTokenizer().catch((error) => logger.error({err: error}, 'the tokenizer failed to load; requests will fail until restart')))

    let stopping: Promise<{drained: boolean}> | undefined
    return {
      url,
      port: listening.port,
      shutdown(reason: string) {
        stopping ??= (async () => {
          logger.info({reason, in_flight: app.inflight.active}, 'shutting down: no new requests, draining')
          clearInterval(heartbeat)
          clearInterval(lockWatch)
          app.beginShutdown()
          listening.stopAccepting()
          const drained = await app.inflight.waitForIdle(config.drainTimeoutSecs * 1000)
          if (!drained) logger.warn({in_flight: app.inflight.active}, 'drain deadline passed; stopping with requests still open')
          // What could not be written (a full disk) is retried for a while, then the stop fails
          // loudly (exit 1): spend that never reached usage.age would reset budgets after the restart.
          const closed = await runtime?.close({abortInFlight: !drained}).then(
            () => null,
            (error: unknown) => error,
          )
          const lost = await retryFinalWrites(logger, [
            ...(closed && runtime ? [{what: 'usage and journals', first: closed, retry: () => runtime!.closeFiles()}] : []),
            // A failed store write rolls memory back to what is on disk (the change was refused, not
            // acknowledged): nothing is left to retry, and a failure here is final.
            {what: 'store', retry: () => store.flush(), retries: 0},
          ])
          await lock.release()
          if (lost) throw lost
          logger.info('stopped')
          return {drained}
        })()
        return stopping
      },
    }
  } catch (error) {
    await lock.release()
    throw error
  }
}

/** Admin changes as events on the bus (DESIGN §8): key_created, provider_changed, config_changed, ... */
function changeEvent(change: AdminChange): BusEvent {
  const base = {resource: change.resource, action: change.action, resource_id: change.id, ...(change.changed && {changed: change.changed})}
  switch (change.resource) {
    case 'api_key':
      return {type: change.action === 'create' ? 'key_created' : change.action === 'rotate' ? 'key_rotated' : change.action === 'revoke' ? 'key_revoked' : 'key_changed', ...base}
    case 'provider':
      return {type: 'provider_changed', ...base}
    case 'model':
      return {type: 'model_changed', ...base}
    default:
      return {type: 'config_changed', ...base}
  }
}

/** Retries of the final writes at shutdown, a second apart (within systemd's TimeoutStopSec with the default drain). */
const FINAL_WRITE_RETRIES = 10

/**
 * Each write that failed (`first`) or fails now is retried until it succeeds or the retries run
 * out; the error of what is still unwritten then, null when everything got written.
 */
export async function retryFinalWrites(
  logger: Pick<Logger, 'error'>,
  writes: Array<{what: string; first?: unknown; retry: () => Promise<void>; retries?: number}>,
  {retries = FINAL_WRITE_RETRIES, intervalMs = 1000} = {},
): Promise<Error | null> {
  let failing: Error | null = null
  for (const write of writes) {
    let error: unknown = write.first ?? (await write.retry().then(() => null, (e: unknown) => e))
    for (let attempt = 1; error && attempt <= (write.retries ?? retries); attempt++) {
      logger.error({err: error, attempt, of: retries}, `final ${write.what} write failed; retrying in ${intervalMs / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
      error = await write.retry().then(() => null, (e: unknown) => e)
    }
    if (error) {
      logger.error({err: error}, `final ${write.what} write failed: what was not written is lost`)
      failing ??= error instanceof Error ? error : new Error(String(error))
    }
  }
  return failing
}

/** The settings in effect (flags over environment over defaults), for the start-up log; never the secrets, only whether they are set. */
export function effectiveSettings(config: DaemonConfig): Record<string, unknown> {
  const {adminToken, vaultPassword, metricsToken, host: _host, port: _port, dataDir: _dataDir, ...rest} = config
  return {...rest, admin_token_from_env: adminToken !== undefined, vault_password_from_env: vaultPassword !== undefined, metrics_token_set: metricsToken !== undefined}
}

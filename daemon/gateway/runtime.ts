import {join} from 'node:path'
import type {AdminChange} from '../../src/admin/context.js'
import type {RequestLogRecord} from '../../src/core/request-log.js'
import {RateLimiter} from '../../src/core/limits/rate-limiter.js'
import {ThompsonBandit} from '../../src/core/routing/thompson.js'
import type {EventBus} from '../../src/events/bus.js'
import type {Logger} from '../../src/logging/logger.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import type {RoutingConfig} from '../../src/store/document.js'
import {Journal} from '../../src/store/journal.js'
import type {StoreKey} from '../../src/store/store-key.js'
import {UsageLedger} from '../../src/store/usage-ledger.js'
import type {Vault} from '../../src/vault/vault.js'
import {ApiKeyAuth} from './api-key-auth.js'
import {ModelCatalog} from './catalog.js'
import {Gateway} from './gateway.js'
import {HealthRegistry} from './health-registry.js'
import {HealthProber} from './prober.js'
import {ProviderKeys} from './provider-keys.js'
import {RequestLogRing} from './request-log.js'
import {UpstreamClient} from './upstream-client.js'

export interface RuntimeOptions {
  dataDir: string
  store: ConfigStore
  storeKey: StoreKey
  vault: Vault
  bus: EventBus
  logger: Logger
  routingConfig: () => RoutingConfig
  firstByteTimeoutMs: number
  idleTimeoutMs: number
  circuitFailures: number
  circuitOpenMs: number
  /** 0 = no background probe. */
  healthProbeMs: number
}

/** Everything the /v1 path needs, built once at start and shared with the admin routes that inspect it. */
export interface GatewayRuntime {
  gateway: Gateway
  catalog: ModelCatalog
  health: HealthRegistry
  auth: ApiKeyAuth
  keys: ProviderKeys
  logs: RequestLogRing
  ledger: UsageLedger
  journal: Journal
  bandit: ThompsonBandit
  /** Keeps caches in step with admin changes. */
  onAdminChange(change: AdminChange): void
  close(): Promise<void>
}

export async function createRuntime(options: RuntimeOptions): Promise<GatewayRuntime> {
  const {store, logger, bus} = options
  const catalog = new ModelCatalog(store)
  const health = new HealthRegistry({
    failureThreshold: options.circuitFailures,
    openMs: options.circuitOpenMs,
    onTransition: (t) => {
      logger.warn({target: t.target, id: t.id, from: t.from, to: t.to, reason: t.reason}, 'circuit state changed')
      bus.publish({type: 'health_change', target: t.target, id: t.id, from: t.from, to: t.to, reason: t.reason})
    },
  })
  const auth = new ApiKeyAuth(store)
  const keys = new ProviderKeys(store, options.vault)
  const logs = new RequestLogRing()
  const bandit = new ThompsonBandit({random: Math.random, now: Date.now})
  const ledger = await UsageLedger.open({
    file: join(options.dataDir, 'usage.age'),
    key: options.storeKey,
    onError: (error) => logger.error({err: error}, 'could not write usage.age; will retry'),
  })
  const journal = await Journal.open({
    dir: join(options.dataDir, 'journal'),
    recipient: options.storeKey.recipient,
    identity: options.storeKey.identity,
    onError: (error) => logger.error({err: error}, 'journal write failed; will retry'),
  })
  await replayRecentRequests(journal, logs, logger)

  const prober = new HealthProber({store, keys, health, logger, intervalMs: options.healthProbeMs, timeoutMs: Math.min(options.firstByteTimeoutMs, 10_000)})
  prober.start()
  const upstream = new UpstreamClient()
  const gateway = new Gateway({
    store,
    catalog,
    health,
    keys,
    upstream,
    auth,
    ledger,
    logs,
    limiter: new RateLimiter(),
    bandit,
    bus,
    logger,
    routingConfig: options.routingConfig,
    persist: (record) => journal.append({type: 'request', ...record}),
    firstByteTimeoutMs: options.firstByteTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
  })

  return {
    gateway,
    catalog,
    health,
    auth,
    keys,
    logs,
    ledger,
    journal,
    bandit,
    onAdminChange(change) {
      if (change.resource === 'provider' || change.resource === 'model' || change.resource === 'alias') catalog.invalidate()
      if (change.resource === 'provider') keys.clear()
      if (change.resource === 'api_key') auth.invalidate()
      if (change.resource === 'vault' && change.action === 'locked') keys.clear()
    },
    async close() {
      prober.stop()
      await Promise.allSettled([upstream.close(), ledger.close(), journal.close()])
    },
  }
}

/** Refills the recent-requests ring from the journal's last day. */
async function replayRecentRequests(journal: Journal, logs: RequestLogRing, logger: Logger): Promise<void> {
  const since = new Date(Date.now() - 24 * 3_600_000)
  let count = 0
  for await (const entry of journal.read({since})) {
    const record = entry.record as {type?: string} & RequestLogRecord
    if (record?.type !== 'request') continue
    const {type: _type, ...rest} = record
    logs.add(rest)
    count++
  }
  if (journal.issues.length > 0) logger.warn({issues: journal.issues.slice(0, 10), count: journal.issues.length}, 'journal has damaged records; they were skipped')
  if (count > 0) logger.info({records: count}, 'recent requests reloaded from the journal')
}

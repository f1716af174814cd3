import {join} from 'node:path'
import type {AdminChange} from '../../src/admin/context.js'
import type {AuditRecord} from '../../src/core/audit.js'
import {RateLimiter} from '../../src/core/limits/rate-limiter.js'
import {observationFromLog, RollupStore, type RollupRecord} from '../../src/core/metrics/rollup.js'
import type {RequestLogRecord} from '../../src/core/request-log.js'
import {failedBeforeAnswer, ThompsonBandit, type TokenBucket} from '../../src/core/routing/thompson.js'
import type {EventBus} from '../../src/events/bus.js'
import type {Logger} from '../../src/logging/logger.js'
import type {ConfigStore} from '../../src/store/config-store.js'
import {getOwn, type RoutingConfig} from '../../src/store/document.js'
import {Journal} from '../../src/store/journal.js'
import {STORED_RESPONSE_RETENTION_MS} from './stored-responses.js'
import type {StoreKey} from '../../src/store/store-key.js'
import {UsageLedger} from '../../src/store/usage-ledger.js'
import type {Vault} from '../../src/vault/vault.js'
import {AuditTrail} from '../admin/audit-trail.js'
import {PrometheusMetrics} from '../metrics/prometheus.js'
import {ApiKeyAuth} from './api-key-auth.js'
import {ModelCatalog} from './catalog.js'
import {Gateway} from './gateway.js'
import {HealthRegistry} from './health-registry.js'
import {HealthProber} from './prober.js'
import {ProviderKeys} from './provider-keys.js'
import {RecordQueue} from './record-queue.js'
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
  /** How long request records, rewards and audit entries are kept in the journal. */
  journalRetentionMs: number
  deadlineMs: number
  allowUnpriced: boolean
  /** Open connections per upstream origin; 0 = no cap. */
  upstreamMaxConnections?: number
}

export const DEFAULT_TSDB_RETENTION_MS = 7 * 86_400_000
const AUDIT_RETENTION_MS = 365 * 86_400_000
const ROLLUP_FLUSH_MS = 10_000
const MAINTENANCE_MS = 3_600_000

/** Everything the /v1 path and the observability endpoints share, built once at start. */
export interface GatewayRuntime {
  gateway: Gateway
  /** Finished requests' records on their way to logs, journal, stats, metrics and events (a batch per loop turn). */
  records: RecordQueue
  catalog: ModelCatalog
  health: HealthRegistry
  auth: ApiKeyAuth
  keys: ProviderKeys
  logs: RequestLogRing
  ledger: UsageLedger
  bandit: ThompsonBandit
  audit: AuditTrail
  rollups: RollupStore
  /** Resolves once the time series of the retention window are loaded (they load after start). */
  rollupsReady: Promise<void>
  prometheus: PrometheusMetrics
  journals: {requests: Journal; audit: Journal; metrics: Journal; responses: Journal}
  allowUnpriced: boolean
  /** Changes the time-series retention (persisted in the store) and prunes. */
  setTsdbRetention(ms: number): Promise<void>
  pruneTsdb(): Promise<{removed_minutes: number; removed_segments: number}>
  /** Keeps caches in step with admin changes and records them in the audit trail. */
  onAdminChange(change: AdminChange): void
  /** `abortInFlight`: the drain deadline passed, so upstream calls still open are cut, not awaited. */
  close(options?: {abortInFlight?: boolean}): Promise<void>
  /** The last writes of close() (usage, journals); rejects naming what could not be written, and may be called again to retry. */
  closeFiles(): Promise<void>
}

function journal(options: RuntimeOptions, name: string): Promise<Journal> {
  return Journal.open({
    dir: join(options.dataDir, 'journal', name),
    recipient: options.storeKey.recipient,
    identity: options.storeKey.identity,
    onError: (error) => options.logger.error({err: error, journal: name}, 'journal write failed; will retry'),
  })
}

export async function createRuntime(options: RuntimeOptions): Promise<GatewayRuntime> {
  const {store, logger, bus} = options
  const catalog = new ModelCatalog(store)
  const health = new HealthRegistry({
    failureThreshold: options.circuitFailures,
    openMs: options.circuitOpenMs,
    onTransition: (t) => {
      logger.warn({target: t.target, id: t.id, from: t.from, to: t.to, reason: t.reason}, 'circuit state changed')
      records.publish({type: 'health_change', target: t.target, target_id: t.id, from: t.from, to: t.to, reason: t.reason})
    },
  })
  const auth = new ApiKeyAuth(store)
  const keys = new ProviderKeys(store, options.vault)
  // A change the store could not save was undone: what was derived from it goes too.
  store.onRollback(() => {
    catalog.invalidate()
    auth.invalidate()
    keys.clear()
  })
  const logs = new RequestLogRing()
  const bandit = new ThompsonBandit({random: Math.random, now: Date.now})
  const ledger = await UsageLedger.open({
    file: join(options.dataDir, 'usage.age'),
    key: options.storeKey,
    onError: (error) => logger.error({err: error}, 'could not write usage.age; will retry'),
  })
  // Opened side by side (each lists its directory and reads its newest segment's tail).
  const [requests, auditJournal, metrics, responses] = await Promise.all(['requests', 'audit', 'metrics', 'responses'].map((name) => journal(options, name)))
  const journals = {requests, audit: auditJournal, metrics, responses}
  const audit = new AuditTrail(
    (record) => journals.audit.append(record, 'audit'),
    // A record that cannot be written is logged; the answer still goes out (the change is made).
    () => journals.audit.flush().catch((error: unknown) => logger.error({err: error}, 'audit record could not be written to disk')),
  )
  const rollups = new RollupStore({retentionMs: store.data.settings?.tsdb_retention_ms ?? DEFAULT_TSDB_RETENTION_MS})
  const prometheus = new PrometheusMetrics({health, bus})
  store.writeObserver = (seconds) => prometheus.storeWrite.observe(seconds)
  // Before anything can end a request or change a circuit (health transitions publish through it).
  const records = new RecordQueue({
    logs,
    recorders: [(record) => journals.requests.append(record, 'request'), (record) => rollups.observe(observationFromLog(record))],
    counters: [(record) => prometheus.observe(record)],
    bus,
    onError: (error) => logger.error({err: error}, 'a request record consumer failed'),
  })

  await replayRecent({journals, logs, bandit, audit, logger, store})
  // Time series are for dashboards and queries, not for serving: they load while the daemon
  // already serves (their deltas add up in any order). A week of a busy gateway is many records.
  const rollupsLoaded = replayRollups({journals, rollups, logger}).catch((error) => logger.error({err: error}, 'could not rebuild the time series from the metrics journal'))

  const prober = new HealthProber({store, keys, health, logger, intervalMs: options.healthProbeMs, timeoutMs: Math.min(options.firstByteTimeoutMs, 10_000)})
  prober.start()
  // Rollup deltas go to the metrics journal every second, like the journal's own flushes.
  // Every 10 s: a crash loses at most that much of the time series, and the journal holds a
  // tenth of the records per-second deltas would (a week of them is read back at start).
  const rollupTimer = setInterval(() => persistRollups(rollups, journals.metrics), ROLLUP_FLUSH_MS)
  rollupTimer.unref()
  const maintenance = setInterval(() => void maintain(), MAINTENANCE_MS)
  maintenance.unref()

  async function maintain(): Promise<void> {
    const now = Date.now()
    rollups.prune(now)
    // Each journal on its own: one that cannot be pruned does not keep the others growing.
    const cutoffs: Array<[string, Journal, number]> = [
      ['metrics', journals.metrics, now - rollups.retentionMs],
      ['requests', journals.requests, now - options.journalRetentionMs],
      ['audit', journals.audit, now - AUDIT_RETENTION_MS],
      ['responses', journals.responses, now - STORED_RESPONSE_RETENTION_MS],
    ]
    for (const [name, journal, olderThan] of cutoffs) {
      await journal.prune(new Date(olderThan)).catch((error: unknown) => logger.error({err: error, journal: name}, 'journal maintenance failed'))
    }
  }

  const upstream = new UpstreamClient({maxConnections: options.upstreamMaxConnections ?? 0})
  const gateway = new Gateway({
    store,
    catalog,
    health,
    keys,
    upstream,
    auth,
    ledger,
    records,
    limiter: new RateLimiter(),
    bandit,
    logger,
    routingConfig: options.routingConfig,
    firstByteTimeoutMs: options.firstByteTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    deadlineMs: options.deadlineMs,
    allowUnpriced: options.allowUnpriced,
    responsesJournal: journals.responses,
  })
  // Like the time series: read while the daemon serves (only the stored-response relay waits for it).
  const ownersLoaded = gateway.storedResponses.restore()

  async function closeFiles(): Promise<void> {
    const results = await Promise.allSettled([ledger.close(), journals.requests.close(), journals.audit.close(), journals.metrics.close(), journals.responses.close()])
    const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []))
    if (failed.length > 0) throw new AggregateError(failed, `final write failed: ${failed.map((error) => error.message).join('; ')}`)
  }

  return {
    gateway,
    records,
    catalog,
    health,
    auth,
    keys,
    logs,
    ledger,
    bandit,
    audit,
    rollups,
    rollupsReady: rollupsLoaded,
    prometheus,
    journals,
    allowUnpriced: options.allowUnpriced,
    async setTsdbRetention(ms) {
      await store.update((doc) => {
        doc.settings = {...doc.settings, tsdb_retention_ms: ms}
      })
      rollups.retentionMs = ms
    },
    async pruneTsdb() {
      const now = Date.now()
      const removedMinutes = rollups.prune(now)
      const {removed} = await journals.metrics.prune(new Date(now - rollups.retentionMs))
      return {removed_minutes: removedMinutes, removed_segments: removed.length}
    },
    onAdminChange(change) {
      if (change.resource === 'provider' || change.resource === 'model' || change.resource === 'alias') catalog.invalidate()
      if ((change.resource === 'provider' || change.resource === 'model') && remadeTarget(change)) {
        health.forget(change.resource, change.id)
        // The bandit's evidence on the model goes with its circuit: a remade model starts from the prior.
        if (change.resource === 'model') bandit.forget(change.id)
        // A provider pointed elsewhere: its models' verdicts (404s, 5xx, timeouts) were about the old upstream.
        if (change.resource === 'provider' && change.action === 'update') {
          for (const model of Object.values(store.data.models)) {
            if (model.provider_id !== change.id) continue
            health.forget('model', model.id)
            bandit.forget(model.id)
          }
        }
      }
      if (change.resource === 'provider') keys.clear()
      if (change.resource === 'api_key') auth.keyChanged(change.id)
      if (change.resource === 'vault' && change.action === 'locked') keys.clear()
      audit.record(change)
    },
    async close(options = {}) {
      prober.stop()
      clearInterval(rollupTimer)
      await rollupsLoaded
      await ownersLoaded
      clearInterval(maintenance)
      // Upstream calls still open end first; then the records of the last requests (their loop
      // turn may not have come yet) reach the journals, the ledger and the rollups before those close.
      await upstream.close(options.abortInFlight).catch((error: unknown) => logger.error({err: error}, 'closing upstream connections failed'))
      await new Promise((resolve) => setImmediate(resolve))
      records.drain()
      persistRollups(rollups, journals.metrics)
      await closeFiles()
    },
    closeFiles,
  }
}

/** Fields that make a model or provider another upstream target: its health so far is not this one's. */
const TARGET_FIELDS = new Set(['provider_id', 'upstream_model', 'base_url', 'api_key', 'type'])

function remadeTarget(change: AdminChange): boolean {
  return change.action === 'create' || change.action === 'delete' || (change.action === 'update' && (change.changed ?? []).some((field) => TARGET_FIELDS.has(field)))
}

function persistRollups(rollups: RollupStore, metrics: Journal): void {
  for (const delta of rollups.drainDeltas()) metrics.append(delta)
}

/**
 * Before serving: the request-log ring and the bandit from the newest records of the last day
 * (as many as the ring holds: the bandit's evidence halves every hour, so older records hardly
 * count), and the audit trail. The cost follows the ring size, not the journal's.
 */
async function replayRecent(deps: {journals: GatewayRuntime['journals']; logs: RequestLogRing; bandit: ThompsonBandit; audit: AuditTrail; logger: Logger; store: ConfigStore}): Promise<void> {
  const started = performance.now()
  const dayAgo = new Date(Date.now() - 86_400_000)
  // The bandit learns only about registered models, from rewards since they were made under their id.
  const learns = (modelId: string, at: number) => {
    const model = getOwn(deps.store.data.models, modelId)
    return model !== undefined && at >= Date.parse(model.created_at)
  }
  let requests = 0
  for (const entry of await deps.journals.requests.readLatest(deps.logs.capacity, {since: dayAgo})) {
    const record = entry.record as {type?: string}
    if (record?.type !== 'request') continue
    const {type: _type, ...rest} = record as RequestLogRecord & {type: string}
    deps.logs.add(rest)
    if (rest.reward !== null && rest.reward !== undefined && rest.model_id && rest.token_bucket) {
      const at = Date.parse(rest.timestamp)
      if (learns(rest.model_id, at)) deps.bandit.update(rest.model_id, rest.token_bucket as TokenBucket, rest.reward, at)
      for (const failed of failedBeforeAnswer(rest.attempts ?? [], rest.model_id)) if (learns(failed, at)) deps.bandit.update(failed, rest.token_bucket as TokenBucket, 0, at)
    }
    requests++
  }
  for await (const entry of deps.journals.audit.read()) {
    const {type: _type, ...record} = entry.record as AuditRecord & {type: string}
    deps.audit.restore(record)
  }
  const issues = [...deps.journals.requests.issues, ...deps.journals.audit.issues]
  if (issues.length > 0) deps.logger.warn({issues: issues.slice(0, 10), count: issues.length}, 'journal has damaged records; they were skipped')
  deps.logger.info({requests, ms: Math.round(performance.now() - started)}, 'state rebuilt from the journals')
}

/** The time series of the retention window, from the metrics journal (deltas: order does not matter). */
async function replayRollups(deps: {journals: GatewayRuntime['journals']; rollups: RollupStore; logger: Logger}): Promise<void> {
  const started = performance.now()
  const since = new Date(Date.now() - deps.rollups.retentionMs)
  let records = 0
  let damaged = 0
  for await (const entry of deps.journals.metrics.read({since})) {
    const record = entry.record as RollupRecord
    if (record?.type !== 'rollup') continue
    try {
      deps.rollups.apply(record)
      records++
    } catch {
      damaged++
    }
  }
  if (damaged > 0) deps.logger.warn({records: damaged}, 'skipped malformed rollup records in the metrics journal')
  const issues = deps.journals.metrics.issues
  if (issues.length > 0) deps.logger.warn({issues: issues.slice(0, 10), count: issues.length}, 'metrics journal has damaged records; they were skipped')
  deps.logger.info({records, series: deps.rollups.seriesCount, ms: Math.round(performance.now() - started)}, 'time series rebuilt from the metrics journal')
}

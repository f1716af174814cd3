import type {AdminClient} from '../../client/admin-client.js'
import {ClientError} from '../../client/errors.js'
import type {FollowOptions, StreamEvent} from '../../client/event-stream.js'
import type {StatsDto} from '../../core/api-types.js'
import {LOGS_SHOWN, type Action, type Effect, type RemoteData, type Resource} from '../state/types.js'

/** The part of the admin client the dashboard uses; tests hand in a fake. */
export type DashboardClient = Pick<AdminClient, 'info' | 'health' | 'engineModels' | 'apiKeysPage' | 'revokeApiKey' | 'logs' | 'stats' | 'tsdbQuery' | 'simulate'> & {setToken?: (token: string) => void}

/** A rejected token is read again from its file at most this often. */
const TOKEN_REREAD_MS = 2000

/**
 * The keys view shows the first this many (a store may hold 100,000: polling them all every few
 * seconds would cost the daemon and the terminal more than the rest of the dashboard together).
 * The header says how many there are; `tokenhub apikey list` reads them all.
 */
const KEYS_SHOWN = 1000

/** Kept events the events view starts with, newest last. */
const EVENT_BACKLOG = 200

/** followEvents (SSE) and followEventSocket (WebSocket) both fit. */
export type EventFollower = (options: FollowOptions) => Promise<void>

export interface PollIntervals {
  info: number
  health: number
  engine: number
  keys: number
  logs: number
  stats: number
}

/** What an event changes on screen, to be read again at once. */
export function reloadsFor(type: string): Resource[] {
  if (type.startsWith('vault_')) return ['info', 'engine', 'health']
  if (type.startsWith('key_')) return ['keys', 'info']
  if (type === 'provider_changed' || type === 'model_changed') return ['engine', 'health', 'info']
  if (type === 'health_change') return ['health', 'engine']
  if (type === 'config_changed') return ['engine']
  return []
}

export const DEFAULT_INTERVALS: PollIntervals = {info: 5000, health: 5000, engine: 5000, keys: 5000, logs: 5000, stats: 15_000}

export interface ControllerOptions {
  client: DashboardClient
  follow: EventFollower
  url: string
  token?: string
  /**
   * The token came from the data dir's .admin-token: a rejected token is read again from there
   * (`tokenhub rotate-admin-token` writes the new one), and the dashboard carries on with it.
   */
  reloadToken?: () => Promise<string | null>
  dispatch: (action: Action) => void
  now?: () => number
  intervals?: Partial<PollIntervals>
  /** Events and data are handed to the store in batches this often. */
  flushMs?: number
  /** Retry delay after the daemon rejected the admin token on the stream. */
  authRetryMs?: number
  logLimit?: number
}

function describe(error: unknown): {code: string; message: string} {
  if (error instanceof ClientError) return {code: error.code, message: error.message}
  return {code: 'ERROR', message: error instanceof Error ? error.message : String(error)}
}

/**
 * The dashboard's data layer: polls the admin API, follows the event stream, and turns both
 * into actions, queued in order and handed over in batches (at most one per `flushMs`). Talks
 * to the daemon only through the client, so it works against a remote daemon.
 */
export class DashboardController {
  private readonly abort = new AbortController()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly loaders = new Map<Resource, () => Promise<void>>()
  private queue: Action[] = []
  private flushTimer: NodeJS.Timeout | null = null
  private seeding = false
  private started = false
  /** The newest event received, to resume from after the stream had to be opened again. */
  private lastEventId: number | undefined
  private readonly now: () => number
  /** Events still to come that the stream replays from before it (re)connected. */
  private replaying = 0

  private token: string | undefined
  private tokenReadAt = Number.NEGATIVE_INFINITY

  constructor(private readonly options: ControllerOptions) {
    this.now = options.now ?? Date.now
    this.token = options.token
  }

  /** After the daemon refused the token: the token file's current one, when it is another (the token was rotated). */
  private async renewToken(): Promise<void> {
    const {reloadToken, client} = this.options
    if (!reloadToken || this.now() - this.tokenReadAt < TOKEN_REREAD_MS) return
    this.tokenReadAt = this.now()
    const token = await reloadToken().catch(() => null)
    if (!token || token === this.token || this.stopped) return
    this.token = token
    client.setToken?.(token)
    this.enqueue({type: 'flash', text: 'the admin token was rotated: using the new one from the token file', tone: 'ok', at: this.now()}, true)
    this.retryStreamNow?.()
    for (const load of this.loaders.values()) void load()
  }

  get stopped(): boolean {
    return this.abort.signal.aborted
  }

  start(): void {
    if (this.started) return
    this.started = true
    const {client} = this.options
    const intervals = {...DEFAULT_INTERVALS, ...this.options.intervals}
    this.poll('info', () => client.info(), intervals.info)
    this.poll('health', () => client.health(), intervals.health)
    this.poll('engine', () => client.engineModels(), intervals.engine)
    this.poll('keys', async () => (await client.apiKeysPage(KEYS_SHOWN)).keys, intervals.keys)
    this.poll('logs', async () => (await client.logs({limit: this.options.logLimit ?? LOGS_SHOWN})).logs, intervals.logs)
    this.poll('stats', async () => {
      const result = await client.stats()
      return 'windows' in result ? result.windows : ({[(result as StatsDto).window]: result} as Record<string, StatsDto>)
    }, intervals.stats)
    void this.seed()
    void this.followStream()
    const ticker = setInterval(() => this.enqueue({type: 'tick', now: this.now()}), 1000)
    this.timers.push(ticker)
  }

  stop(): void {
    this.abort.abort()
    for (const timer of this.timers) clearInterval(timer)
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    this.queue = []
  }

  /** Polls everything now (R), and re-reads the charts' history; an event stream waiting to retry tries now. */
  refresh(): void {
    this.retryStreamNow?.()
    for (const load of this.loaders.values()) void load()
    this.enqueue({type: 'series_reseeding'})
    void this.seed()
  }

  /** Carries out what the UI asked for (quit is the UI's own business). */
  async run(effect: Effect): Promise<void> {
    if (effect.kind === 'refresh') return this.refresh()
    if (effect.kind === 'simulate') return this.simulate(effect.mode, effect.tokens)
    if (effect.kind === 'revoke') return this.revoke(effect.keyId, effect.label)
  }

  private async simulate(mode: string, tokens: number): Promise<void> {
    try {
      const result = await this.options.client.simulate({mode, token_count: tokens})
      this.enqueue({type: 'simulation_done', result}, true)
    } catch (error) {
      this.enqueue({type: 'simulation_failed', message: describe(error).message}, true)
    }
  }

  private async revoke(keyId: string, label: string): Promise<void> {
    try {
      await this.options.client.revokeApiKey(keyId)
      this.enqueue({type: 'flash', text: `revoked ${label}`, tone: 'ok', at: this.now()}, true)
    } catch (error) {
      this.enqueue({type: 'flash', text: `could not revoke ${label}: ${describe(error).message}`, tone: 'bad', at: this.now()}, true)
    }
    await this.loaders.get('keys')?.()
  }

  private poll<K extends Resource>(resource: K, load: () => Promise<RemoteData[K]>, intervalMs: number): void {
    let inFlight = false
    let again = false
    const run = async (): Promise<void> => {
      if (this.stopped) return
      // Asked again while a read is under way (a change event): read once more after it, as that
      // read may predate the change.
      if (inFlight) {
        again = true
        return
      }
      inFlight = true
      try {
        const data = await load()
        this.enqueue({type: 'loaded', resource, data, at: this.now()} as Action)
        // The token works (again): a stream refused for it need not sit out its wait.
        if (this.streamAuthFailed) this.retryStreamNow?.()
      } catch (error) {
        const failure = describe(error)
        this.enqueue({type: 'load_failed', resource, ...failure, at: this.now()})
        if (failure.code === 'AUTH_INVALID') void this.renewToken()
      } finally {
        inFlight = false
      }
      if (again) {
        again = false
        await run()
      }
    }
    this.loaders.set(resource, run)
    void run()
    this.timers.push(setInterval(() => void run(), intervalMs))
  }

  /** The last hour per minute from the TSDB, so the charts start full. */
  private async seed(): Promise<void> {
    if (this.seeding || this.stopped) return
    this.seeding = true
    const {client} = this.options
    try {
      const [requests, latency, cost] = await Promise.all([
        client.tsdbQuery({metric: 'requests', agg: 'sum', step_ms: 60_000}),
        client.tsdbQuery({metric: 'latency', agg: 'p95', step_ms: 60_000}),
        client.tsdbQuery({metric: 'cost', agg: 'sum', step_ms: 60_000}),
      ])
      this.enqueue({type: 'series_seeded', requests, latency, cost})
    } catch {
      this.enqueue({type: 'series_seed_failed'})
    } finally {
      this.seeding = false
    }
  }

  /** Ends the event stream's wait before its next attempt, while it waits. */
  private retryStreamNow: (() => void) | null = null
  private streamAuthFailed = false

  private async followStream(): Promise<void> {
    const {signal} = this.abort
    let wasDown = false
    while (!signal.aborted) {
      try {
        await this.options.follow({
          url: this.options.url,
          token: this.token,
          signal,
          // What happened just before the dashboard opened; reconnections resume from the last event seen.
          backlog: EVENT_BACKLOG,
          lastEventId: this.lastEventId,
          onEvent: (event) => this.onEvent(event),
          onState: (state, detail) => {
            if (state === 'connected') {
              this.enqueue({type: 'stream_state', stream: 'live', detail})
              // Back after an outage: do not wait for the next poll to look alive again.
              if (wasDown) for (const load of this.loaders.values()) void load()
              wasDown = false
            } else {
              wasDown = true
              this.enqueue({type: 'stream_state', stream: 'retrying', detail})
            }
          },
        })
        return
      } catch (error) {
        if (signal.aborted) return
        const {code, message} = describe(error)
        this.streamAuthFailed = code === 'AUTH_INVALID'
        this.enqueue({type: 'stream_state', stream: this.streamAuthFailed ? 'auth_failed' : 'retrying', detail: message})
        if (this.streamAuthFailed) void this.renewToken()
        wasDown = true
        // Up to 30 s, or until R or a poll that the token passes says to try now.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer)
            this.retryStreamNow = null
            resolve()
          }
          const timer = setTimeout(done, this.options.authRetryMs ?? 30_000)
          this.retryStreamNow = done
          signal.addEventListener('abort', done, {once: true})
        })
        this.streamAuthFailed = false
      }
    }
  }

  private onEvent(event: StreamEvent): void {
    if (typeof event.id === 'number') this.lastEventId = event.id
    // A change made elsewhere (the CLI, another admin) shows at once rather than at the next
    // poll; replayed history changes nothing that the first reads did not already see.
    if (event.type === 'connected') this.replaying = typeof event.replayed === 'number' ? event.replayed : 0
    else if (this.replaying > 0) this.replaying--
    else for (const resource of reloadsFor(event.type)) void this.loaders.get(resource)?.()
    // After a daemon restart or lost events the live counts have holes: re-read the history.
    const restarted = event.type === 'connected' && event.daemon_restarted === true
    if (restarted || event.type === 'dropped') {
      this.enqueue({type: 'series_reseeding'})
      void this.seed()
    }
    const last = this.queue.at(-1)
    if (last?.type === 'events_received') last.events.push(event)
    else this.enqueue({type: 'events_received', events: [event]})
  }

  /** Queues an action; `urgent` ones (answers to a key press) go out at once. */
  private enqueue(action: Action, urgent = false): void {
    if (this.stopped) return
    this.queue.push(action)
    if (urgent) return this.flush()
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushMs ?? 100)
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    if (this.queue.length === 0 || this.stopped) return
    const actions = this.queue
    this.queue = []
    this.options.dispatch(actions.length === 1 ? actions[0] : {type: 'batch', actions})
  }
}

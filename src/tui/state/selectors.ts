import type {StatsRowDto, TargetHealthDto} from '../../core/api-types.js'
import {ago, uptime} from '../format.js'
import {minuteStart} from './series.js'
import type {DashboardState, Tone} from './types.js'

/** View models derived from the state: plain data the components render. No Ink here. */

export interface Status {
  text: string
  tone: Tone
}

/** The header's connection word: live, or why not. */
export function connectionStatus(state: DashboardState): Status {
  const {stream, detail} = state.connection
  const infoError = state.remote.errors.info
  // A token from the local file is read again at once; one given by --token or the environment is not.
  if (stream === 'auth_failed' || infoError?.code === 'AUTH_INVALID') return {text: 'admin token rejected (rotated? start tui with the current one)', tone: 'bad'}
  if (stream === 'retrying' || infoError?.code === 'UNREACHABLE') {
    return {text: `disconnected, retrying${detail && stream === 'retrying' ? ` (${detail.replace(/; retrying.*$/, '')})` : ''}`, tone: 'bad'}
  }
  if (stream === 'connecting') return {text: 'connecting', tone: 'warn'}
  return {text: 'live', tone: 'ok'}
}

export function vaultStatus(state: DashboardState): Status {
  const info = state.remote.data.info
  if (!info) return {text: 'vault ?', tone: 'muted'}
  if (!info.vault_initialized) return {text: 'vault not initialised', tone: 'warn'}
  return info.vault_locked ? {text: 'vault locked', tone: 'bad'} : {text: 'vault unlocked', tone: 'ok'}
}

/** Uptime as of now: the last answer plus the time since it came. */
export function uptimeText(state: DashboardState): string {
  const info = state.remote.data.info
  const at = state.remote.fetchedAt.info
  // While the daemon does not answer its uptime is unknown (it may be restarting).
  if (!info || at === undefined || state.remote.errors.info) return '-'
  return uptime(info.uptime_s + Math.max(0, state.now - at) / 1000)
}

export interface ProviderRow {
  id: string
  type: string
  state: string
  requests: number
  errorRate: number | null
  p95: number | null
  circuit: string
  credential: string
}

/** A health word for a provider from its circuit, error rate, credential and switch. */
export function providerState(health: TargetHealthDto | undefined, enabled: boolean, credential: string): string {
  if (!enabled) return 'disabled'
  if (credential === 'vault_locked') return 'locked'
  if (health?.state === 'open') return 'down'
  if (health?.state === 'half_open' || (health && health.requests >= 5 && health.error_rate >= 0.2)) return 'degraded'
  if (!health || health.requests === 0) return 'idle'
  return 'ok'
}

/** Every registered provider (engine/models adapters), with its health when it has any. */
export function providerRows(state: DashboardState): ProviderRow[] {
  const health = new Map((state.remote.data.health?.providers ?? []).map((h) => [h.id, h]))
  const adapters = state.remote.data.engine?.adapters ?? []
  const rows: ProviderRow[] = adapters.map((adapter) => {
    const h = health.get(adapter.provider_id)
    return {
      id: adapter.provider_id,
      type: adapter.type,
      state: providerState(h, adapter.enabled, adapter.credential),
      requests: h?.requests ?? 0,
      errorRate: h ? h.error_rate : null,
      p95: h?.p95_ms ?? null,
      circuit: h?.state ?? 'closed',
      credential: adapter.credential,
    }
  })
  // Health for a provider the engine list does not have yet (it was just added).
  for (const [id, h] of health) {
    if (!rows.some((row) => row.id === id)) rows.push({id, type: '?', state: providerState(h, true, 'ready'), requests: h.requests, errorRate: h.error_rate, p95: h.p95_ms, circuit: h.state, credential: '?'})
  }
  return rows
}

export function statsTotal(state: DashboardState, window: '1h' | '24h'): StatsRowDto | undefined {
  return state.remote.data.stats?.[window]?.total
}

/** The flash line, while it is fresh (5 s). */
export function activeFlash(state: DashboardState): DashboardState['flash'] {
  return state.flash && state.now - state.flash.at < 5000 ? state.flash : null
}

/** The first failing poll, for the footer ("stats: HTTP 500 ..."), unless the header says it all. */
export function pollProblem(state: DashboardState): string | null {
  for (const [resource, error] of Object.entries(state.remote.errors)) {
    if (error && error.code !== 'UNREACHABLE' && error.code !== 'AUTH_INVALID') return `${resource}: ${error.message}`
  }
  return null
}

/**
 * Everything on screen that moves with the clock alone, as one string: the uptime, whether a
 * flash is still up, the keys' "ago" times, the charts' current minute (and its rate while it has
 * traffic). Two states that differ only in `now` look the same when these are equal.
 */
export function clockView(state: DashboardState): string {
  const parts = [uptimeText(state), activeFlash(state) ? 'flash' : '']
  if (state.nav.screen === 'keys') parts.push((state.remote.data.keys ?? []).map((key) => ago(key.last_used_at, state.now)).join(','))
  if (state.nav.screen === 'overview') {
    const minute = minuteStart(state.now)
    const current = state.series.buckets.at(-1)
    parts.push(String(minute), current?.t === minute && current.requests > 0 ? String(Math.floor(state.now / 1000)) : '')
  }
  return parts.join('|')
}

/** The store's `shows`: only a tick that changes no visible figure is skipped. */
export function changeShows(previous: DashboardState, next: DashboardState): boolean {
  for (const key in next) {
    if (key !== 'now' && next[key as keyof DashboardState] !== previous[key as keyof DashboardState]) return true
  }
  return clockView(previous) !== clockView(next)
}

import type {Tone} from '../state/types.js'

export type {Tone}

/** Semantic colours. With colour off (NO_COLOR, FORCE_COLOR=0) every tone is plain text. */

export interface Theme {
  color: boolean
}

export interface ToneProps {
  color?: string
  bold?: boolean
  dimColor?: boolean
  inverse?: boolean
}

const TONES: Record<Tone, ToneProps> = {
  ok: {color: 'green'},
  warn: {color: 'yellow'},
  bad: {color: 'red'},
  muted: {color: 'gray'},
  accent: {color: 'cyan'},
  title: {bold: true},
  plain: {},
}

export function toneProps(theme: Theme, tone: Tone | undefined): ToneProps {
  return theme.color && tone ? TONES[tone] : {}
}

/** The selected row: a marker always (readable without colour), inverse video with colour. */
export function selectedProps(theme: Theme, selected: boolean): ToneProps {
  return theme.color && selected ? {inverse: true} : {}
}

export const MARKER = {on: '› ', off: '  '}

export function statusTone(status: number | null | undefined): Tone {
  if (status === null || status === undefined) return 'muted'
  if (status >= 500) return 'bad'
  if (status >= 400) return 'warn'
  return 'ok'
}

const EVENT_TONES: Record<string, Tone> = {
  route_success: 'ok',
  route_error: 'bad',
  failover: 'warn',
  health_change: 'warn',
  budget_exceeded: 'bad',
  rate_limited: 'warn',
  vault_locked: 'warn',
  vault_unlocked: 'ok',
  key_revoked: 'warn',
  dropped: 'bad',
  heartbeat: 'muted',
}

export const eventTone = (type: string): Tone => EVENT_TONES[type] ?? 'plain'

/** Circuit / health words: closed is fine, half open is recovering, open is down. */
export function healthTone(state: string | null | undefined): Tone {
  if (state === 'ok' || state === 'closed' || state === 'active' || state === 'ready') return 'ok'
  if (state === 'half_open' || state === 'degraded' || state === 'idle' || state === 'disabled' || state === 'expired') return 'warn'
  if (state === 'open' || state === 'down' || state === 'revoked' || state === 'vault_locked' || state === 'locked') return 'bad'
  return 'plain'
}

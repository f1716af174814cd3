import {isDeepStrictEqual} from 'node:util'
import type {ApiKeyDto, RequestLogDto} from '../../core/api-types.js'
import {fieldValue} from '../format.js'
import {appendEvents, clearSelection, initialEvents, moveSelection, selectedEntry, setFilter, togglePause} from './events.js'
import {addRouteEvents, initialSeries, seedFailed, seedSeries, unseedSeries} from './series.js'
import {SCREENS, SIMULATION_MODES, type Action, type DashboardState, type NavState, type RemoteData, type ScreenId} from './types.js'

export function initialState(options: {url: string; now: number; eventCapacity?: number; chartMinutes?: number}): DashboardState {
  return {
    url: options.url,
    now: options.now,
    nav: {screen: 'overview', help: false, helpScroll: 0, modal: {kind: 'none'}, cursor: {models: 0, keys: 0, logs: 0}},
    remote: {data: {}, fetchedAt: {}, errors: {}},
    events: initialEvents(options.eventCapacity),
    series: initialSeries(options.chartMinutes),
    connection: {stream: 'connecting', detail: options.url},
    simulation: {mode: 'normal', tokens: 1000, running: false, result: null, error: null},
    flash: null,
  }
}

export function nextSimulationMode(mode: string): string {
  const index = SIMULATION_MODES.indexOf(mode as (typeof SIMULATION_MODES)[number])
  return SIMULATION_MODES[(index + 1) % SIMULATION_MODES.length]
}

/** Rows of the list screens, in the order they are shown. */
export const modelRows = (state: DashboardState) => state.remote.data.engine?.models ?? []
export const keyRows = (state: DashboardState): ApiKeyDto[] => state.remote.data.keys ?? []
export const logRows = (state: DashboardState): RequestLogDto[] => state.remote.data.logs ?? []

const listLength = (state: DashboardState, screen: 'models' | 'keys' | 'logs') =>
  screen === 'models' ? modelRows(state).length : screen === 'keys' ? keyRows(state).length : logRows(state).length

/** A list cursor kept inside the list (lists shrink between polls). */
export function cursorOf(state: DashboardState, screen: 'models' | 'keys' | 'logs'): number {
  return Math.max(0, Math.min(state.nav.cursor[screen], listLength(state, screen) - 1))
}

type ListScreen = 'models' | 'keys' | 'logs'
const LIST_OF: Partial<Record<string, ListScreen>> = {engine: 'models', keys: 'keys', logs: 'logs'}

function rowId(state: DashboardState, screen: ListScreen, index: number): string | undefined {
  if (screen === 'models') return modelRows(state)[index]?.id
  if (screen === 'keys') return keyRows(state)[index]?.id
  return logRows(state)[index]?.request_id
}

/**
 * After a poll replaced a list, the cursor stays on the row it was on (by id), not on the same
 * index: new requests arrive on top of the logs every few seconds and would move it.
 */
function followSelection(before: DashboardState, after: DashboardState, screen: ListScreen): DashboardState {
  // The top of the logs (newest first) is "following": it stays on the newest request.
  if (screen === 'logs' && cursorOf(before, 'logs') === 0) return after
  const id = rowId(before, screen, cursorOf(before, screen))
  if (id === undefined) return after
  const length = listLength(after, screen)
  for (let i = 0; i < length; i++) {
    if (rowId(after, screen, i) === id) return i === after.nav.cursor[screen] ? after : withNav(after, {cursor: {...after.nav.cursor, [screen]: i}})
  }
  // The held request fell out of the newest page: follow the newest again, not some unrelated older row.
  return screen === 'logs' ? withNav(after, {cursor: {...after.nav.cursor, logs: 0}}) : after
}

function withNav(state: DashboardState, nav: Partial<NavState>): DashboardState {
  return {...state, nav: {...state.nav, ...nav}}
}

function showScreen(state: DashboardState, screen: ScreenId): DashboardState {
  return withNav(state, {screen, help: false, modal: {kind: 'none'}})
}

function move(state: DashboardState, delta: number): DashboardState {
  const screen = state.nav.screen
  if (screen === 'events') return {...state, events: moveSelection(state.events, delta)}
  if (screen === 'overview') return state
  const next = Math.max(0, Math.min(listLength(state, screen) - 1, cursorOf(state, screen) + delta))
  return withNav(state, {cursor: {...state.nav.cursor, [screen]: next}})
}

function fieldsOf(record: object): Array<[string, string]> {
  return Object.entries(record).map(([key, value]) => [key, fieldValue(value)])
}

function openDetail(state: DashboardState): DashboardState {
  const screen = state.nav.screen
  if (screen === 'events') {
    const entry = selectedEntry(state.events)
    if (!entry) return state
    const {type, id, ts, ...rest} = entry.event
    return withNav(state, {modal: {kind: 'detail', title: `event ${type}`, fields: fieldsOf({type, id, ts, ...rest})}})
  }
  if (screen === 'logs') {
    const log = logRows(state)[cursorOf(state, 'logs')]
    return log ? withNav(state, {modal: {kind: 'detail', title: `request ${fieldValue(log.request_id)}`, fields: fieldsOf(log)}}) : state
  }
  if (screen === 'models') {
    const model = modelRows(state)[cursorOf(state, 'models')]
    return model ? withNav(state, {modal: {kind: 'detail', title: `model ${fieldValue(model.id)}`, fields: fieldsOf(model)}}) : state
  }
  if (screen === 'keys') {
    const key = keyRows(state)[cursorOf(state, 'keys')]
    return key ? withNav(state, {modal: {kind: 'detail', title: `api key ${fieldValue(key.name)}`, fields: fieldsOf(key)}}) : state
  }
  return state
}

/** Esc: closes what is open, else clears the events filter, then the selection. */
function back(state: DashboardState): DashboardState {
  if (state.nav.help) return withNav(state, {help: false, helpScroll: 0})
  if (state.nav.modal.kind !== 'none') return withNav(state, {modal: {kind: 'none'}})
  if (state.nav.screen === 'events') {
    return state.events.filter !== '' ? {...state, events: setFilter(state.events, '')} : {...state, events: clearSelection(state.events)}
  }
  // A list's selection goes back to the top (the logs then follow the newest request again).
  const screen = state.nav.screen
  if (screen !== 'overview' && state.nav.cursor[screen] !== 0) return withNav(state, {cursor: {...state.nav.cursor, [screen]: 0}})
  return state
}

function promptInput(state: DashboardState, text: string): DashboardState {
  const modal = state.nav.modal
  if (modal.kind !== 'filter' && modal.kind !== 'simulate') return state
  // Pasted text arrives as one string; only printable characters are kept. The suggested previous value is replaced, not appended to.
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
  const typed = modal.kind === 'simulate' ? printable.replace(/\D/g, '') : printable
  // A key that types nothing (a letter in the token count) leaves the suggestion alone.
  if (typed === '') return state
  // At most 8 digits: the daemon simulates up to 100,000,000 tokens.
  const draft = ((modal.fresh ? '' : modal.draft) + typed).slice(0, modal.kind === 'filter' ? 80 : 8)
  return withNav(state, {modal: {kind: modal.kind, draft}})
}

const graphemes = new Intl.Segmenter('en', {granularity: 'grapheme'})

/** The draft without its last character as the user sees it (an emoji is two UTF-16 units, or more). */
function dropLastCharacter(text: string): string {
  const last = [...graphemes.segment(text)].at(-1)
  return last ? text.slice(0, last.index) : text
}

function promptErase(state: DashboardState): DashboardState {
  const modal = state.nav.modal
  // On the suggested previous value, Backspace clears it; then it erases a character.
  if (modal.kind === 'filter' || modal.kind === 'simulate') return withNav(state, {modal: {...modal, draft: modal.fresh ? '' : dropLastCharacter(modal.draft), fresh: false}})
  return state
}

function askRevoke(state: DashboardState, at: number): DashboardState {
  const key = keyRows(state)[cursorOf(state, 'keys')]
  if (!key) return state
  if (key.status === 'revoked') return {...state, flash: {text: `${fieldValue(key.name)} is already revoked`, tone: 'bad', at}}
  return withNav(state, {modal: {kind: 'confirm_revoke', keyId: key.id, label: `${fieldValue(key.name)} (${fieldValue(key.key_prefix)})`}})
}

/**
 * A poll that brought what is already shown (the usual case when idle) changes nothing, so it
 * costs no frame. The daemon's uptime moves on by itself: equal when it is where the last answer
 * plus the time since puts it.
 */
function unchanged(state: DashboardState, action: Extract<Action, {type: 'loaded'}>): boolean {
  const before = state.remote.data[action.resource]
  const at = state.remote.fetchedAt[action.resource]
  if (before === undefined || at === undefined || state.remote.errors[action.resource]) return false
  if (action.resource !== 'info') return isDeepStrictEqual(before, action.data)
  const previous = before as RemoteData['info']
  const next = action.data as RemoteData['info']
  const drift = Math.abs(previous.uptime_s + (action.at - at) / 1000 - next.uptime_s)
  return drift < 2 && isDeepStrictEqual({...previous, uptime_s: 0}, {...next, uptime_s: 0})
}

export function dashboardReducer(state: DashboardState, action: Action): DashboardState {
  switch (action.type) {
    case 'batch':
      return action.actions.reduce(dashboardReducer, state)
    case 'tick':
      return action.now === state.now ? state : {...state, now: action.now}
    case 'show_screen':
      return showScreen(state, action.screen)
    case 'cycle_screen': {
      const index = SCREENS.indexOf(state.nav.screen)
      return showScreen(state, SCREENS[(index + action.delta + SCREENS.length) % SCREENS.length])
    }
    case 'toggle_help':
      return withNav(state, {help: !state.nav.help, helpScroll: 0})
    case 'close_help':
      return withNav(state, {help: false, helpScroll: 0})
    case 'scroll_help':
      // From the top (0) to where the last line shows (max, from the layout).
      return withNav(state, {helpScroll: Math.max(0, Math.min(action.max, state.nav.helpScroll + action.delta))})
    case 'scroll_detail': {
      const modal = state.nav.modal
      if (modal.kind !== 'detail') return state
      return withNav(state, {modal: {...modal, scroll: Math.max(0, Math.min(action.max, (modal.scroll ?? 0) + action.delta))}})
    }
    case 'move':
      return move(state, action.delta)
    case 'open_detail':
      return openDetail(state)
    case 'close_modal':
      return withNav(state, {modal: {kind: 'none'}})
    case 'back':
      return back(state)
    case 'toggle_pause':
      return {...state, events: togglePause(state.events)}
    case 'open_filter':
      return withNav(state, {modal: {kind: 'filter', draft: state.events.filter, fresh: state.events.filter !== ''}})
    case 'prompt_input':
      return promptInput(state, action.text)
    case 'prompt_erase':
      return promptErase(state)
    case 'apply_filter': {
      const modal = state.nav.modal
      if (modal.kind !== 'filter') return state
      return {...withNav(state, {modal: {kind: 'none'}}), events: setFilter(state.events, modal.draft)}
    }
    case 'open_simulate':
      return withNav(state, {modal: {kind: 'simulate', draft: String(state.simulation.tokens), fresh: true}})
    case 'cycle_mode':
      return {...state, simulation: {...state.simulation, mode: nextSimulationMode(state.simulation.mode)}}
    case 'simulation_started':
      return {...state, simulation: {...state.simulation, mode: action.mode, tokens: action.tokens, running: true, error: null}}
    case 'simulation_done':
      return {...state, simulation: {...state.simulation, running: false, result: action.result, error: null}}
    case 'simulation_failed':
      // The previous ranking was for other inputs: leaving it under a "failed" title would pass it off as this run's.
      return {...state, simulation: {...state.simulation, running: false, result: null, error: action.message}}
    case 'ask_revoke':
      return askRevoke(state, state.now)
    case 'flash':
      return {...state, flash: {text: action.text, tone: action.tone, at: action.at}}
    case 'loaded': {
      if (unchanged(state, action)) return state
      const errors = {...state.remote.errors}
      delete errors[action.resource]
      const next = {
        ...state,
        remote: {data: {...state.remote.data, [action.resource]: action.data}, fetchedAt: {...state.remote.fetchedAt, [action.resource]: action.at}, errors},
      }
      const list = LIST_OF[action.resource]
      return list ? followSelection(state, next, list) : next
    }
    case 'load_failed':
      return {...state, remote: {...state.remote, errors: {...state.remote.errors, [action.resource]: {code: action.code, message: action.message}}}}
    case 'events_received':
      return {...state, events: appendEvents(state.events, action.events), series: addRouteEvents(state.series, action.events)}
    case 'series_seeded':
      return {...state, series: seedSeries(state.series, action)}
    case 'series_reseeding':
      return {...state, series: unseedSeries(state.series)}
    case 'series_seed_failed':
      return {...state, series: seedFailed(state.series)}
    case 'stream_state': {
      const next = {...state, connection: {stream: action.stream, detail: action.detail}}
      // Back from an outage: a simulation that failed for it says nothing about the daemon now.
      const back = action.stream === 'live' && state.connection.stream !== 'live' && state.connection.stream !== 'connecting'
      return back && state.simulation.error !== null ? {...next, simulation: {...next.simulation, error: null}} : next
    }
  }
}

import type {StreamEvent} from '../../client/event-stream.js'
import type {ApiKeyDto, EngineModelsDto, HealthDto, InfoDto, RequestLogDto, SimulationDto, StatsDto, TsdbResultDto} from '../../core/api-types.js'
import type {EventsState} from './events.js'
import type {SeriesState} from './series.js'

/** Semantic colour of a piece of text; the theme maps it to a colour (or to none). */
export type Tone = 'ok' | 'warn' | 'bad' | 'muted' | 'accent' | 'title' | 'plain'

export const SCREENS = ['overview', 'events', 'models', 'keys', 'logs'] as const
export type ScreenId = (typeof SCREENS)[number]

export const SCREEN_TITLES: Record<ScreenId, string> = {overview: 'Overview', events: 'Events', models: 'Models', keys: 'Keys', logs: 'Logs'}

/** The Logs view reads this many newest requests. */
export const LOGS_SHOWN = 200

/** Routing modes the simulation cycles through (DESIGN §7). */
export const SIMULATION_MODES = ['normal', 'cheap', 'high_confidence', 'fast', 'planning', 'adversarial', 'thompson'] as const

/** What the data layer polls; each is replaced whole on every successful poll. */
export interface RemoteData {
  info: InfoDto
  health: HealthDto
  engine: EngineModelsDto
  keys: ApiKeyDto[]
  logs: RequestLogDto[]
  stats: Record<string, StatsDto>
}
export type Resource = keyof RemoteData

export interface RemoteState {
  data: Partial<RemoteData>
  fetchedAt: Partial<Record<Resource, number>>
  errors: Partial<Record<Resource, {code: string; message: string}>>
}

export type StreamState = 'connecting' | 'live' | 'retrying' | 'auth_failed'

export interface ConnectionState {
  stream: StreamState
  detail: string
}

/** At most one modal thing at a time: it takes the keys until closed. */
export type Modal =
  | {kind: 'none'}
  /** `fresh`: the draft is the previous value, shown as a suggestion; the first key typed replaces it. */
  | {kind: 'filter'; draft: string; fresh?: boolean}
  | {kind: 'simulate'; draft: string; fresh?: boolean}
  | {kind: 'confirm_revoke'; keyId: string; label: string}
  /** `scroll`: lines scrolled past (a record can be longer than the screen; long values wrap). */
  | {kind: 'detail'; title: string; fields: Array<[string, string]>; scroll?: number}

export interface NavState {
  screen: ScreenId
  help: boolean
  /** Lines of the key map scrolled past (a short terminal cannot show it all). */
  helpScroll: number
  modal: Modal
  /** Row cursors of the list screens (the events pane keeps its own selection). */
  cursor: {models: number; keys: number; logs: number}
}

export interface SimulationState {
  mode: string
  tokens: number
  running: boolean
  result: SimulationDto | null
  error: string | null
}

export interface Flash {
  text: string
  tone: 'ok' | 'bad'
  at: number
}

export interface DashboardState {
  url: string
  now: number
  nav: NavState
  remote: RemoteState
  events: EventsState
  series: SeriesState
  connection: ConnectionState
  simulation: SimulationState
  flash: Flash | null
}

type Loaded = {[K in Resource]: {type: 'loaded'; resource: K; data: RemoteData[K]; at: number}}[Resource]

export type Action =
  | {type: 'batch'; actions: Action[]}
  | {type: 'tick'; now: number}
  // navigation
  | {type: 'show_screen'; screen: ScreenId}
  | {type: 'cycle_screen'; delta: 1 | -1}
  | {type: 'toggle_help'}
  | {type: 'close_help'}
  | {type: 'scroll_help'; delta: number; max: number}
  | {type: 'scroll_detail'; delta: number; max: number}
  | {type: 'move'; delta: number}
  | {type: 'open_detail'}
  | {type: 'close_modal'}
  | {type: 'back'}
  // events pane
  | {type: 'toggle_pause'}
  | {type: 'open_filter'}
  | {type: 'prompt_input'; text: string}
  | {type: 'prompt_erase'}
  | {type: 'apply_filter'}
  // models and simulation
  | {type: 'open_simulate'}
  | {type: 'cycle_mode'}
  | {type: 'simulation_started'; mode: string; tokens: number}
  | {type: 'simulation_done'; result: SimulationDto}
  | {type: 'simulation_failed'; message: string}
  // keys
  | {type: 'ask_revoke'}
  | {type: 'flash'; text: string; tone: Flash['tone']; at: number}
  // data
  | Loaded
  | {type: 'load_failed'; resource: Resource; code: string; message: string; at: number}
  | {type: 'events_received'; events: StreamEvent[]}
  | {type: 'series_seeded'; requests: TsdbResultDto; latency: TsdbResultDto; cost: TsdbResultDto}
  | {type: 'series_reseeding'}
  | {type: 'series_seed_failed'}
  | {type: 'stream_state'; stream: StreamState; detail: string}

/** Work the UI asks the data layer to do (reducers stay pure). */
export type Effect = {kind: 'quit'} | {kind: 'suspend'} | {kind: 'revoke'; keyId: string; label: string} | {kind: 'simulate'; mode: string; tokens: number} | {kind: 'refresh'}

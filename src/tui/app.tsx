import {Box, useApp, useInput} from 'ink'
import {useSyncExternalStore} from 'react'
import {ErrorBoundary} from './components/ErrorBoundary.js'
import {FieldList, fieldLines, fieldListMaxScroll} from './components/FieldList.js'
import {Footer} from './components/Footer.js'
import {Header} from './components/Header.js'
import {HelpOverlay, helpLayout} from './components/HelpOverlay.js'
import type {Theme, Tone} from './components/theme.js'
import type {Store} from './data/store.js'
import {fieldValue, fit} from './format.js'
import {useTerminalSize} from './hooks.js'
import {frameLayout, pageSize, type Frame, type Size} from './layout.js'
import {keyContext, resolveKey} from './state/commands.js'
import {cursorOf, keyRows, logRows, modelRows} from './state/dashboard.js'
import {footerHints, helpSections, splitInput} from './state/keymap.js'
import {activeFlash, connectionStatus, pollProblem, providerRows, statsTotal, uptimeText, vaultStatus} from './state/selectors.js'
import {chartSeries} from './state/series.js'
import {LOGS_SHOWN, SCREEN_TITLES, type Action, type DashboardState, type Effect} from './state/types.js'
import {Events} from './screens/Events.js'
import {Keys} from './screens/Keys.js'
import {Logs} from './screens/Logs.js'
import {Models} from './screens/Models.js'
import {Overview} from './screens/Overview.js'

export interface AppProps {
  store: Store<DashboardState, Action>
  /** Runs what a key asked for (revoke, simulate, refresh, suspend); quitting is handled here. */
  effects: {run(effect: Effect): unknown}
  theme: Theme
  /** A fixed terminal size (tests); otherwise the real one, following resizes. */
  size?: Size
}

function footer(state: DashboardState, width: number): {text: string; tone: Tone} {
  const modal = state.nav.modal
  if (modal.kind === 'filter') return {text: `filter (type, model or provider): ${modal.draft}▏  Enter apply · Esc cancel`, tone: 'accent'}
  if (modal.kind === 'simulate') return {text: `simulate  mode ${state.simulation.mode}  tokens: ${modal.draft}▏  m mode · Enter run · Esc cancel`, tone: 'accent'}
  if (modal.kind === 'confirm_revoke') {
    // The question and its [y/n] always show; a long key name is cut instead, then the warning goes.
    const label = fit(modal.label, Math.max(8, width - 'Revoke API key ? [y/n]'.length))
    return {text: `Revoke API key ${label}? [y/n]  Clients using it fail at once.`, tone: 'warn'}
  }
  if (state.nav.help) return {text: '? Esc close  1-5 Tab screens  q quit', tone: 'muted'}
  const flash = activeFlash(state)
  if (flash) return {text: fieldValue(flash.text), tone: flash.tone}
  const problem = pollProblem(state)
  if (problem) return {text: fieldValue(problem), tone: 'bad'}
  const hints = footerHints(keyContext(state))
  return {text: state.nav.screen === 'events' && state.events.frozen ? hints.replace('Space pause', 'Space resume') : hints, tone: 'muted'}
}

function Body({state, frame, theme}: {state: DashboardState; frame: Frame; theme: Theme}) {
  const modal = state.nav.modal
  if (state.nav.help) return <HelpOverlay sections={helpSections(keyContext(state))} width={frame.width} height={frame.body} theme={theme} scroll={state.nav.helpScroll} />
  if (modal.kind === 'detail') return <FieldList title={modal.title} fields={modal.fields} scroll={modal.scroll ?? 0} width={frame.width} height={frame.body} theme={theme} />
  const loaded = state.remote.fetchedAt
  switch (state.nav.screen) {
    case 'overview':
      return (
        <Overview
          providers={providerRows(state)}
          series={chartSeries(state.series, state.now)}
          totals={{'1h': statsTotal(state, '1h'), '24h': statsTotal(state, '24h')}}
          frame={frame}
          theme={theme}
          loading={loaded.engine === undefined}
        />
      )
    case 'events':
      return <Events events={state.events} frame={frame} theme={theme} />
    case 'models':
      return <Models models={modelRows(state)} cursor={cursorOf(state, 'models')} simulation={state.simulation} frame={frame} theme={theme} loading={loaded.engine === undefined} />
    case 'keys':
      return <Keys keys={keyRows(state)} total={state.remote.data.info?.api_keys} cursor={cursorOf(state, 'keys')} now={state.now} frame={frame} theme={theme} loading={loaded.keys === undefined} />
    case 'logs':
      return <Logs logs={logRows(state)} limit={LOGS_SHOWN} cursor={cursorOf(state, 'logs')} frame={frame} theme={theme} loading={loaded.logs === undefined} />
  }
}

/** The layout switch: header, the current screen (or overlay), footer; keys go through the key table. */
export function App({store, effects, theme, size}: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState)
  const frame = frameLayout(useTerminalSize(size))
  const {exit} = useApp()

  useInput((input, key) => {
    for (const press of splitInput(input, key)) {
      const current = store.getState()
      const modal = current.nav.modal
      // How far the key map or a detail view can scroll on this screen.
      const helpMax = current.nav.help
        ? helpLayout(helpSections(keyContext(current)), frame.width, frame.body).maxScroll
        : modal.kind === 'detail'
          ? fieldListMaxScroll(fieldLines(modal.fields, frame.width).length, frame.body)
          : 0
      const {actions, effect} = resolveKey(current, press.input, press.key, pageSize(frame), helpMax)
      if (actions.length > 0) store.dispatch(actions.length === 1 ? actions[0] : {type: 'batch', actions})
      if (effect?.kind === 'quit') return exit()
      if (effect) void Promise.resolve(effects.run(effect)).catch(() => undefined)
    }
  })

  const status = footer(state, frame.width)
  return (
    <Box flexDirection="column" width={frame.width} height={frame.height} overflow="hidden">
      <Header
        url={state.url}
        version={state.remote.data.info?.version ?? null}
        uptime={uptimeText(state)}
        vault={vaultStatus(state)}
        connection={connectionStatus(state)}
        screen={state.nav.screen}
        width={frame.width}
        theme={theme}
      />
      <Box height={frame.body} flexDirection="column" overflow="hidden">
        <ErrorBoundary key={`${state.nav.screen}-${state.nav.help}-${state.nav.modal.kind}`} label={SCREEN_TITLES[state.nav.screen]}>
          <Body state={state} frame={frame} theme={theme} />
        </ErrorBoundary>
      </Box>
      <Footer text={status.text} tone={status.tone} width={frame.width} theme={theme} />
    </Box>
  )
}

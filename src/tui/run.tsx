import {render, type Instance} from 'ink'
import type {InfoDto} from '../core/api-types.js'
import {followEventSocket} from '../client/event-socket.js'
import {App} from './app.js'
import {DashboardController, type DashboardClient, type EventFollower} from './data/controller.js'
import {createStore} from './data/store.js'
import {dashboardReducer, initialState} from './state/dashboard.js'
import {changeShows} from './state/selectors.js'
import type {Effect} from './state/types.js'
import {openTerminalSession} from './terminal.js'

export interface DashboardOptions {
  url: string
  token?: string
  /** Where to read the token again after the daemon refused it (it came from the local token file). */
  reloadToken?: () => Promise<string | null>
  client: DashboardClient
  /** What the start-up check read, so the header is filled from the first frame. */
  info?: InfoDto
  /** The event stream transport; the WebSocket mirror by default. */
  follow?: EventFollower
  color: boolean
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  stderr?: NodeJS.WriteStream
}

/**
 * Runs the dashboard until the user quits (0) or a signal ends it (128 + n). The terminal is
 * restored on every way out.
 */
export async function runDashboard(options: DashboardOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout
  const stdin = options.stdin ?? process.stdin
  const stderr = options.stderr ?? process.stderr
  const store = createStore(dashboardReducer, initialState({url: options.url, now: Date.now()}), {minIntervalMs: 100, shows: changeShows})
  if (options.info) store.dispatch({type: 'loaded', resource: 'info', data: options.info, at: Date.now()})
  const controller = new DashboardController({
    client: options.client,
    follow: options.follow ?? followEventSocket,
    url: options.url,
    token: options.token,
    reloadToken: options.reloadToken,
    dispatch: store.dispatch,
  })
  let exitCode = 0
  let instance: Instance | undefined
  const session = openTerminalSession({
    stdout,
    stderr,
    stdin,
    onSignal: (_signal, code) => {
      exitCode = code
      if (instance) instance.unmount()
      else session.restore()
    },
  })
  try {
    // Ctrl-Z is the terminal's business (the session's), the rest the controller's.
    const effects = {
      run: (effect: Effect) => {
        if (effect.kind !== 'suspend') return controller.run(effect)
        // The session draws the last frame again on resuming (Ink believes it is still on screen); then the news.
        session.suspend(() => store.dispatch({type: 'flash', text: 'resumed', tone: 'ok', at: Date.now()}))
      },
    }
    instance = render(<App store={store} effects={effects} theme={{color: options.color}} />, {
      stdout,
      stdin,
      stderr,
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: false,
      maxFps: 10,
    })
    controller.start()
    await instance.waitUntilExit()
  } finally {
    controller.stop()
    store.close()
    session.restore()
  }
  return exitCode
}

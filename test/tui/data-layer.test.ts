import {afterEach, describe, expect, it, vi} from 'vitest'
import {DashboardController} from '../../src/tui/data/controller.js'
import {createStore} from '../../src/tui/data/store.js'
import {dashboardReducer, initialState} from '../../src/tui/state/dashboard.js'
import type {Action, DashboardState} from '../../src/tui/state/types.js'
import {fakeClient, fakeStream, INFO, LOGS, NOW, routeEvent} from './fake-client.js'
import {changeShows, uptimeText} from '../../src/tui/state/selectors.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('store', () => {
  it('tells its listener at most once per interval, however many actions arrive', () => {
    vi.useFakeTimers()
    let clock = 0
    const store = createStore((n: number, a: number) => n + a, 0, {minIntervalMs: 100, now: () => clock})
    const seen: number[] = []
    store.subscribe(() => seen.push(store.getState()))
    store.dispatch(1) // the first change after a quiet spell goes out at once
    expect(seen).toEqual([1])
    for (let i = 0; i < 500; i++) store.dispatch(1)
    expect(seen).toEqual([1])
    clock = 100
    vi.advanceTimersByTime(100)
    expect(seen).toEqual([1, 501])
    store.dispatch(0) // no change, no render
    clock = 1000
    vi.advanceTimersByTime(1000)
    expect(seen).toEqual([1, 501])
    store.close()
  })

  it('a clock tick or a poll that changes nothing on screen costs no frame', () => {
    const store = createStore<DashboardState, Action>(dashboardReducer, initialState({url: 'http://gw:8080', now: NOW}), {minIntervalMs: 0, shows: changeShows})
    let frames = 0
    store.subscribe(() => frames++)
    const info = {...INFO, uptime_s: 7200}
    store.dispatch({type: 'loaded', resource: 'info', data: info, at: NOW})
    store.dispatch({type: 'show_screen', screen: 'models'})
    expect(frames).toBe(2)
    // Uptime 2h00m: ticks within the minute show nothing new; the minute changing does.
    for (let s = 1; s < 60; s++) store.dispatch({type: 'tick', now: NOW + s * 1000})
    expect(frames).toBe(2)
    expect(store.getState().now).toBe(NOW + 59_000)
    store.dispatch({type: 'tick', now: NOW + 60_000})
    expect(frames).toBe(3)
    // The same answer again (the uptime moved on as expected): nothing to draw.
    store.dispatch({type: 'loaded', resource: 'info', data: {...info, uptime_s: 7265}, at: NOW + 65_000})
    store.dispatch({type: 'loaded', resource: 'logs', data: LOGS, at: NOW})
    store.dispatch({type: 'loaded', resource: 'logs', data: structuredClone(LOGS), at: NOW + 5000})
    expect(frames).toBe(4)
    // A restart (uptime back to 3 s) or new data does draw.
    store.dispatch({type: 'loaded', resource: 'info', data: {...info, uptime_s: 3}, at: NOW + 70_000})
    expect(frames).toBe(5)
    expect(uptimeText(store.getState())).toBe('3s')
    store.dispatch({type: 'loaded', resource: 'logs', data: LOGS.slice(1), at: NOW + 10_000})
    expect(frames).toBe(6)
    store.close()
  })
})

function setup() {
  const client = fakeClient()
  const stream = fakeStream()
  const dispatched: Action[] = []
  let state: DashboardState = initialState({url: 'http://gw:8080', now: NOW})
  const controller = new DashboardController({
    client,
    follow: stream.follow,
    url: 'http://gw:8080',
    token: 'secret-admin-token',
    now: () => NOW,
    flushMs: 100,
    dispatch: (action) => {
      dispatched.push(action)
      state = dashboardReducer(state, action)
    },
  })
  return {client, stream, controller, dispatched, state: () => state}
}

describe('controller', () => {
  it('loads everything at start, seeds the charts from the TSDB and follows the stream', async () => {
    const {client, stream, controller, state} = setup()
    controller.start()
    await vi.waitFor(() => expect(state().remote.fetchedAt.stats).toBe(NOW))
    expect(new Set(client.calls.map((c) => c.method))).toEqual(new Set(['info', 'health', 'engineModels', 'apiKeysPage', 'logs', 'stats', 'tsdbQuery']))
    expect(client.calls.filter((c) => c.method === 'tsdbQuery').map((c) => c.args[0])).toEqual([
      {metric: 'requests', agg: 'sum', step_ms: 60_000},
      {metric: 'latency', agg: 'p95', step_ms: 60_000},
      {metric: 'cost', agg: 'sum', step_ms: 60_000},
    ])
    // The events view starts with what happened just before the dashboard opened.
    expect(stream.options()).toMatchObject({url: 'http://gw:8080', token: 'secret-admin-token', backlog: 200, lastEventId: undefined})
    await vi.waitFor(() => expect(state().series.seeded).toBe(true))
    stream.connect()
    stream.push(routeEvent(1, 'claude'), routeEvent(2, 'cheap-gpt'))
    await vi.waitFor(() => expect(state().events.received).toBe(2))
    expect(state().connection.stream).toBe('live')
    controller.stop()
  })

  it('hands events over in batches, not one render per event', async () => {
    const {stream, controller, dispatched, state} = setup()
    controller.start()
    await vi.waitFor(() => expect(state().series.seeded).toBe(true))
    dispatched.length = 0
    for (let i = 0; i < 1000; i++) stream.push(routeEvent(i, 'cheap-gpt'))
    await vi.waitFor(() => expect(state().events.received).toBe(1000))
    expect(dispatched.length).toBeLessThanOrEqual(2)
    expect(state().events.items.length).toBe(1000)
    controller.stop()
  })

  it('keeps polling while the daemon is away and says so; recovers when it is back', async () => {
    const {client, stream, controller, state} = setup()
    controller.start()
    await vi.waitFor(() => expect(state().remote.data.info?.version).toBe('9.9.9'))
    client.setDown(true)
    stream.disconnect('ECONNREFUSED; retrying in 1s')
    controller.refresh()
    await vi.waitFor(() => expect(state().remote.errors.info?.code).toBe('UNREACHABLE'))
    expect(state().connection).toEqual({stream: 'retrying', detail: 'ECONNREFUSED; retrying in 1s'})
    expect(state().remote.data.engine?.models).toHaveLength(3) // the last data stays on screen
    client.setDown(false)
    const before = client.calls.length
    stream.connect()
    // Back online: everything is polled at once rather than at the next interval.
    await vi.waitFor(() => expect(state().remote.errors.info).toBeUndefined())
    expect(client.calls.length).toBeGreaterThan(before)
    expect(state().connection.stream).toBe('live')
    controller.stop()
  })

  it('reseeds the charts when the daemon restarted or events were dropped', async () => {
    const {client, stream, controller, state} = setup()
    controller.start()
    await vi.waitFor(() => expect(state().series.seeded).toBe(true))
    const seeds = () => client.calls.filter((c) => c.method === 'tsdbQuery').length
    expect(seeds()).toBe(3)
    stream.push({type: 'connected', daemon_restarted: true})
    await vi.waitFor(() => expect(seeds()).toBe(6))
    await vi.waitFor(() => expect(state().series.seeded).toBe(true))
    controller.stop()
  })

  it('reads again at once what a change event touches (vault, keys, providers), but not for replayed history', async () => {
    const {client, stream, controller, state} = setup()
    controller.start()
    await vi.waitFor(() => expect(state().remote.fetchedAt.stats).toBe(NOW))
    const count = (method: string) => client.calls.filter((c) => c.method === method).length
    // Two replayed key events (from before the dashboard opened) reload nothing.
    stream.push({type: 'connected', last_event_id: 9, replayed: 2, daemon_restarted: false}, {type: 'key_created', id: 8}, {type: 'key_revoked', id: 9})
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(count('apiKeysPage')).toBe(1)
    stream.push({type: 'vault_locked', id: 10})
    await vi.waitFor(() => expect(count('info')).toBe(2))
    expect(count('health')).toBe(2)
    expect(count('engineModels')).toBe(2)
    stream.push({type: 'key_created', id: 11}, {type: 'key_created', id: 12}, {type: 'key_created', id: 13})
    // A burst reads once, and once more after it (a read under way may predate the last change).
    await vi.waitFor(() => expect(count('apiKeysPage')).toBe(3))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(count('apiKeysPage')).toBe(3)
    stream.push(routeEvent(14, 'claude'))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(count('apiKeysPage')).toBe(3)
    controller.stop()
  })

  it('revokes a key, says so, and reloads the keys', async () => {
    const {client, controller, state} = setup()
    controller.start()
    await vi.waitFor(() => expect(state().remote.data.keys).toHaveLength(2))
    await controller.run({kind: 'revoke', keyId: 'k1', label: 'web-frontend (th-k1)'})
    expect(client.calls.filter((c) => c.method === 'revokeApiKey').map((c) => c.args)).toEqual([['k1']])
    await vi.waitFor(() => expect(state().remote.data.keys?.find((k) => k.id === 'k1')?.status).toBe('revoked'))
    expect(state().flash).toMatchObject({text: 'revoked web-frontend (th-k1)', tone: 'ok'})
    controller.stop()
  })

  it('runs a simulation and reports a failure without throwing', async () => {
    const {client, controller, state} = setup()
    controller.start()
    await controller.run({kind: 'simulate', mode: 'cheap', tokens: 5000})
    expect(client.calls.find((c) => c.method === 'simulate')?.args).toEqual([{mode: 'cheap', token_count: 5000}])
    expect(state().simulation.result?.chosen).toBe('cheap-gpt')
    client.setDown(true)
    await controller.run({kind: 'simulate', mode: 'cheap', tokens: 5000})
    expect(state().simulation.error).toContain('cannot reach')
    controller.stop()
  })

  it('a rejected admin token on the stream shows as such and is retried later', async () => {
    const {ClientError} = await import('../../src/client/errors.js')
    const seen: Action[] = []
    let attempts = 0
    const resumedFrom: Array<number | undefined> = []
    const controller = new DashboardController({
      client: fakeClient(),
      follow: async (options) => {
        attempts++
        resumedFrom.push(options.lastEventId)
        // The first connection delivers an event before the daemon starts rejecting the token.
        if (attempts === 1) options.onEvent({type: 'route_success', id: 41})
        throw new ClientError('AUTH_INVALID', 'the daemon rejected the admin token', {status: 401})
      },
      url: 'http://gw:8080',
      dispatch: (action) => void seen.push(action),
      authRetryMs: 20,
      flushMs: 5,
    })
    controller.start()
    await vi.waitFor(() => expect(attempts).toBeGreaterThanOrEqual(2))
    controller.stop()
    const flat = seen.flatMap((a) => (a.type === 'batch' ? a.actions : [a]))
    expect(flat).toContainEqual({type: 'stream_state', stream: 'auth_failed', detail: 'the daemon rejected the admin token'})
    // Opened again, the stream resumes after the last event seen instead of replaying the backlog twice.
    expect(resumedFrom.slice(0, 2)).toEqual([undefined, 41])
  })

  it('R (or a poll the token passes) retries a refused stream at once instead of after its 30 s wait', async () => {
    const {ClientError} = await import('../../src/client/errors.js')
    let attempts = 0
    const controller = new DashboardController({
      client: fakeClient(),
      follow: async () => {
        attempts++
        if (attempts === 1) throw new ClientError('AUTH_INVALID', 'the daemon rejected the admin token', {status: 401})
        await new Promise(() => {}) // connected from then on
      },
      url: 'http://gw:8080',
      dispatch: () => {},
      authRetryMs: 60_000,
      flushMs: 5,
    })
    controller.start()
    await vi.waitFor(() => expect(attempts).toBe(1))
    controller.refresh()
    await vi.waitFor(() => expect(attempts).toBe(2), {timeout: 2000})
    controller.stop()
  })
  it('a token from the local file that the daemon now rejects (rotated) is read again from the file, and the dashboard carries on with it', async () => {
    const {ClientError} = await import('../../src/client/errors.js')
    const rejected = () => new ClientError('AUTH_INVALID', 'the daemon rejected the admin token', {status: 401})
    let current = 'old-token'
    const base = fakeClient()
    const tokens: string[] = []
    const client = {
      ...base,
      setToken: (token: string) => void (current = token),
      info: () => (current === 'new-token' ? base.info() : Promise.reject(rejected())),
    }
    const streamTokens: Array<string | undefined> = []
    let state: DashboardState = initialState({url: 'http://gw:8080', now: NOW})
    const controller = new DashboardController({
      client,
      follow: async (options) => {
        streamTokens.push(options.token)
        if (options.token !== 'new-token') throw rejected()
        options.onState?.('connected', 'connected')
        await new Promise(() => {})
      },
      url: 'http://gw:8080',
      token: 'old-token',
      reloadToken: async () => {
        tokens.push('read')
        return 'new-token'
      },
      dispatch: (action) => void (state = dashboardReducer(state, action)),
      now: () => NOW,
      authRetryMs: 60_000,
      flushMs: 5,
    })
    controller.start()
    await vi.waitFor(() => expect(state.connection.stream).toBe('live'), {timeout: 3000})
    await vi.waitFor(() => expect(state.remote.errors.info).toBeUndefined(), {timeout: 3000})
    expect(streamTokens).toEqual(['old-token', 'new-token'])
    expect(state.flash?.text).toContain('admin token was rotated')
    // Read once however many requests were refused together.
    expect(tokens).toEqual(['read'])
    controller.stop()
  })
})

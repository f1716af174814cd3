import {render} from 'ink-testing-library'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {App} from '../../src/tui/app.js'
import {DashboardController} from '../../src/tui/data/controller.js'
import {createStore} from '../../src/tui/data/store.js'
import type {Size} from '../../src/tui/layout.js'
import {dashboardReducer, initialState} from '../../src/tui/state/dashboard.js'
import type {Action, DashboardState} from '../../src/tui/state/types.js'
import {apiKey, ENGINE, fakeClient, fakeStream, KEYS, log, NOW, routeEvent} from './fake-client.js'
import {modelCells} from '../../src/tui/screens/Models.js'
import {displayWidth} from '../../src/tui/format.js'
import {FieldList, fieldLines, fieldListMaxScroll} from '../../src/tui/components/FieldList.js'

const KEY = {up: '\u001b[A', down: '\u001b[B', pageDown: '\u001b[6~', enter: '\r', escape: '\u001b', tab: '\t'}

const running: Array<() => void> = []
afterEach(() => {
  for (const stop of running.splice(0)) stop()
})

/** The dashboard on a fake terminal, fed by the fake client and stream, colour off, clock fixed. */
async function mount(size: Size = {columns: 100, rows: 30}, clientOverrides: Parameters<typeof fakeClient>[0] = {}) {
  const client = fakeClient(clientOverrides)
  const stream = fakeStream()
  const store = createStore<DashboardState, Action>(dashboardReducer, initialState({url: 'http://gw:8080', now: NOW}), {minIntervalMs: 0})
  const controller = new DashboardController({client, follow: stream.follow, url: 'http://gw:8080', token: 't', dispatch: store.dispatch, now: () => NOW, flushMs: 5})
  const app = render(<App store={store} effects={controller} theme={{color: false}} size={size} />)
  controller.start()
  running.push(() => {
    controller.stop()
    app.unmount()
    store.close()
  })
  const frame = () => app.lastFrame() ?? ''
  const waitFor = (text: string | RegExp) =>
    vi.waitFor(() => {
      if (typeof text === 'string') expect(frame()).toContain(text)
      else expect(frame()).toMatch(text)
    }, {timeout: 3000})
  const waitGone = (text: string) => vi.waitFor(() => expect(frame()).not.toContain(text), {timeout: 3000})
  /** Keys one at a time, each after the previous one was drawn (as a person types). */
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      app.stdin.write(key)
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
  }
  await waitFor(/^an +\S/m)
  stream.connect()
  await waitFor('● live')
  return {app, client, stream, store, frame, waitFor, waitGone, press}
}

function expectFits(frame: string, size: Size) {
  const lines = frame.split('\n')
  expect(lines.length).toBeLessThanOrEqual(size.rows - 1)
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(size.columns)
}

describe('dashboard screens', () => {
  it('overview: header, provider health, charts from the TSDB, totals; no colour codes', async () => {
    const {frame, waitFor} = await mount()
    await waitFor('24h 4567 req')
    await waitFor('╭')
    const text = frame()
    expect(text).toContain('TokenHub  ● live  vault unlocked  up 1h02m  v9.9.9  http://gw:8080')
    expect(text).toContain('[1 Overview]')
    expect(text).toMatch(/oa\s+openai\s+ok\s+120\s+5\.0%\s+420ms\s+closed\s+ready/)
    expect(text).toMatch(/an\s+anthropic\s+down\s+40\s+75%\s+2500ms\s+open\s+ready/)
    expect(text).toContain('requests/s 24m')
    expect(text).toContain('p95 ms 24m')
    expect(text).toContain('cost/min 24m  now $0')
    expect(text).toMatch(/┼|┤/)
    expect(text).toContain('1h  321 req  0.9% err  p95 480ms  6000 tok  $1.23')
    expect(text).toContain('? keys')
    expect(text).not.toMatch(/\u001b\[/)
    expectFits(text, {columns: 100, rows: 30})
  })

  it('live route events move the charts', async () => {
    const {stream, frame, waitFor} = await mount()
    await waitFor('╭')
    const before = frame()
    for (let i = 0; i < 50; i++) stream.push(routeEvent(1000 + i, 'cheap-gpt', 'route_success', {cost_usd: 0.5, latency_ms: 9000}))
    await vi.waitFor(() => expect(frame()).not.toBe(before))
    await waitFor('now 9000ms')
  })

  it('switches screens with number keys and Tab, and shows the key map with ?', async () => {
    const {press, waitFor, frame} = await mount()
    await press('3')
    await waitFor('[3 Models]')
    await press(KEY.tab)
    await waitFor('[4 Keys]')
    await press('?')
    await waitFor('Key map')
    expect(frame()).toContain('Shift-Tab')
    expect(frame()).toContain('revoke the selected key')
    await press(KEY.escape)
    await waitFor('web-frontend')
  })

  it('the key map scrolls on a short terminal (↓ shows what did not fit, ↑ goes back), and other keys stay blocked', async () => {
    const size = {columns: 80, rows: 12}
    const {press, waitFor, frame} = await mount(size)
    await press('4', '?')
    await waitFor('Key map')
    expect(frame()).toMatch(/↓ PgDn: \d+ more/)
    expect(frame()).not.toContain('refresh everything now')
    await press(KEY.pageDown, KEY.pageDown, KEY.pageDown)
    await waitFor('refresh everything now')
    expect(frame()).toContain('back to the top')
    expectFits(frame(), size)
    for (let i = 0; i < 40; i++) await press(KEY.up)
    await waitFor(/↓ PgDn: \d+ more/)
    expect(frame()).toContain('Anywhere')
    // r (revoke) does nothing while the key map is open.
    await press('r')
    expect(frame()).not.toContain('Revoke API key')
    await press(KEY.escape)
    await waitFor('web-frontend')
  })

  it('events: newest at the bottom, pause counts new ones, filter, detail', async () => {
    const {press, stream, frame, waitFor, waitGone} = await mount()
    await press('2')
    await waitFor('waiting for events')
    stream.push(routeEvent(1, 'claude', 'route_error', {error_class: 'upstream_error'}), routeEvent(2, 'cheap-gpt'))
    await waitFor('2 received  ·  2 kept')
    // A notice about the stream (the daemon closing it) is listed, and counted apart from the events.
    stream.push({type: 'closing', reason: 'the admin token was rotated'})
    await waitFor('2 received  ·  2 kept  ·  1 stream notice')
    const lines = frame().split('\n')
    expect(lines.findIndex((l) => l.includes('model=claude'))).toBeLessThan(lines.findIndex((l) => l.includes('model=cheap-gpt')))
    expect(frame()).toContain('12:00:30  route_error       model=claude provider=an status=502 error=upstream_error latency=300')

    await press(' ')
    await waitFor('PAUSED, 0 new')
    await waitFor('Space resume')
    stream.push(routeEvent(3, 'strong-gpt'), routeEvent(4, 'strong-gpt'))
    await waitFor('PAUSED, 2 new')
    expect(frame()).not.toContain('strong-gpt')
    await press(' ')
    await waitFor('model=strong-gpt')

    await press('/', 'c', 'l', 'a')
    await waitFor('filter (type, model or provider): cla')
    await press(KEY.enter)
    await waitFor('filter "cla" (1 match)')
    await waitGone('model=strong-gpt')

    await press(KEY.up, KEY.enter)
    await waitFor('event route_error  (Esc closes)')
    expect(frame()).toMatch(/error_class\s+upstream_error/)
    expect(frame()).toMatch(/request_id\s+req-live-1/)
    await press(KEY.escape)
    await waitFor('filter "cla"')
    await press(KEY.escape)
    await waitFor('model=strong-gpt')
  })

  it('models: routing table and a simulation with scores and skip reasons', async () => {
    const {press, client, frame, waitFor} = await mount()
    await press('3')
    await waitFor('strong-gpt')
    expect(frame()).toMatch(/cheap-gpt\s+oa\s+2\s+\$0\.00015\s+\$0\.0006\s+128k\s+closed\s+310ms\s+2\.0%\s+90/)
    expect(frame()).toMatch(/claude\s+an\s+8\s+\$0\.003\s+\$0\.015\s+128k\s+open\s+2500ms\s+75%\s+40/)
    await press('m', 's')
    await waitFor('tokens: 1000')
    await press('\u007f', '\u007f', '\u007f', '\u007f', '5', '0', '0', '0', KEY.enter)
    await waitFor('chosen: cheap-gpt')
    expect(client.calls.find((c) => c.method === 'simulate')?.args).toEqual([{mode: 'cheap', token_count: 5000}])
    const text = frame()
    expect(text).toContain('Routing simulation  mode cheap  tokens 5000')
    expect(text).toMatch(/1\s+cheap-gpt\s+0\.120\s+0\.10\s+0\.20\s+0\.02\s+0\.20\s+\$0\.001\s+chosen/)
    expect(text).toMatch(/-\s+claude\s+-\s+-\s+-\s+-\s+-\s+\$0\.02\s+unhealthy: circuit open/)
    expect(text.indexOf('cheap-gpt  ', text.indexOf('SKIPPED'))).toBeLessThan(text.indexOf('strong-gpt', text.indexOf('SKIPPED')))
    // Enter shows the selected model's every field.
    await press(KEY.down, KEY.enter)
    await waitFor('model strong-gpt  (Esc closes)')
    expect(frame()).toMatch(/upstream_model\s+strong-gpt/)
    await press(KEY.escape)
    await waitFor('Routing simulation')
  })

  it('models: a model without requests shows no error rate or p95, not 0%', () => {
    const idle = {...ENGINE.models[0], requests: 0, error_rate: 0, p95_ms: null}
    expect(modelCells(idle).slice(7).map((cell) => cell.text)).toEqual(['-', '-', '0'])
  })

  it('keys: budget bars, inert names, revoke after y', async () => {
    const {press, client, frame, waitFor} = await mount()
    await press('4')
    await waitFor('web-frontend')
    expect(frame()).toMatch(/› web-frontend\s+th-k1\s+active\s+\[###\.\.\.\.\.\.\.\] 25%\s+\$12\.50 \/ \$50\.00\s+5m ago/)
    // A control sequence in a client-supplied name is shown, not executed.
    expect(frame()).toContain('batch\\u001b[31mjob')
    expect(frame()).not.toContain('\u001b')
    await press('r')
    await waitFor('Revoke API key web-frontend (th-k1)? [y/n]  Clients using it fail at once.')
    await press('n')
    await waitFor('? keys')
    expect(client.calls.some((c) => c.method === 'revokeApiKey')).toBe(false)
    await press('r', 'y')
    await waitFor('revoked web-frontend (th-k1)')
    expect(client.calls.filter((c) => c.method === 'revokeApiKey').map((c) => c.args)).toEqual([['k1']])
    await waitFor(/web-frontend\s+th-k1\s+revoked/)
  })

  it('keys: wide characters (CJK, emoji) keep the columns aligned, and a long spend is not cut', async () => {
    const keys = [...KEYS, apiKey('k3', '日本語のキー名前', 50, 0.00012), apiKey('k4', '🔑 deploy', 1000, 999.99), apiKey('k5', '検証用のとても長い名前のキーです', 0, 1)]
    const {press, frame, waitFor} = await mount({columns: 120, rows: 30}, {keys, info: {api_keys: keys.length}})
    await press('4')
    await waitFor('th-k5')
    const lines = frame().split('\n').filter((line) => /th-k\d/.test(line))
    expect(lines).toHaveLength(5)
    // The prefix column starts at the same terminal column on every row.
    const starts = lines.map((line) => displayWidth(line.slice(0, line.indexOf('th-k'))))
    expect(new Set(starts).size).toBe(1)
    expect(frame()).toContain('$0.00012 / $50.00')
    expect(frame()).toContain('$1000 / $1000')
    // With room to spare the long name is shown whole; on a narrower terminal it is cut on a character boundary, with an ellipsis.
    expect(frame()).toContain('検証用のとても長い名前のキーです')
    for (const line of frame().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(120)
    const narrow = await mount({columns: 80, rows: 30}, {keys, info: {api_keys: keys.length}})
    await narrow.press('4')
    await narrow.waitFor('th-k5')
    expect(narrow.frame()).toMatch(/検証用の[^\s]*…/)
    for (const line of narrow.frame().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(80)
  })

  it('keys: reads one page of 1,000 and says when the store holds more', async () => {
    const small = await mount()
    await small.press('4')
    await small.waitFor('web-frontend')
    expect(small.client.calls.find((c) => c.method === 'apiKeysPage')?.args).toEqual([1000, 0])
    expect(small.frame()).not.toContain('tokenhub apikey list')
    const big = await mount({columns: 100, rows: 30}, {info: {api_keys: 100_000}})
    await big.press('4')
    await big.waitFor('first 2 of 100,000 keys; `tokenhub apikey list` shows them all')
    expectFits(big.frame(), {columns: 100, rows: 30})
  })

  it('logs: status per request, scrolls with the arrows and PgDn', async () => {
    const {press, frame, waitFor, waitGone} = await mount()
    await press('5')
    await waitFor('429')
    expect(frame()).toMatch(/› 12:00:29\s+200\s+cheap-gpt\s+oa\s+251ms\s+120\s+\$0\.0012\s+web-fro/)
    expect(frame()).toMatch(/12:00:28\s+429\s+strong-gpt.*rate_limited/)
    expect(frame()).toMatch(/12:00:27\s+502\s+claude.*upstream_er/)
    expect(frame()).not.toContain('selection held')
    await press(KEY.down)
    await waitFor('› 12:00:28')
    // Off the newest row the view no longer follows, and says so.
    expect(frame()).toContain('selection held (Esc follows)')
    await press(KEY.pageDown, KEY.pageDown)
    await waitGone('12:00:29')
    await press(KEY.enter)
    await waitFor(/request req-\d+ {2}\(Esc closes\)/)
    expect(frame()).not.toContain('reads older ones') // 43 requests: all of them are shown
  })

  it('logs: says when only the newest 200 requests are shown, and how to read older ones', async () => {
    const logs = Array.from({length: 200}, (_, i) => log(i + 1, 200, 'cheap-gpt'))
    const {press, frame, waitFor} = await mount({columns: 100, rows: 30}, {logs})
    await press('5')
    await waitFor('the newest 200 requests; `tokenhub logs --offset 200` reads older ones')
    expect(frame()).toMatch(/^ {2}TIME UTC/m)
    expectFits(frame(), {columns: 100, rows: 30})
  })

  it('says "disconnected, retrying" while the daemon is away and recovers', async () => {
    const {client, stream, waitFor} = await mount()
    client.setDown(true)
    stream.disconnect('ECONNREFUSED; retrying in 2s')
    await waitFor('● disconnected, retrying (ECONNREFUSED)')
    client.setDown(false)
    stream.connect()
    await waitFor('● live')
  })
})

describe('layout', () => {
  it('every screen fits 80x24 with a row to spare', async () => {
    const size = {columns: 80, rows: 24}
    const {press, stream, frame, waitFor} = await mount(size)
    for (let i = 0; i < 100; i++) stream.push(routeEvent(i, i % 2 ? 'claude' : 'cheap-gpt'))
    await waitFor('╭')
    expectFits(frame(), size)
    for (const [key, marker] of [['2', '100 received'], ['3', 'Routing simulation'], ['4', 'web-frontend'], ['5', '429'], ['?', 'Key map']] as const) {
      await press(key)
      await waitFor(marker)
      expectFits(frame(), size)
    }
    await press(KEY.escape, '3', 's', KEY.enter)
    await waitFor('chosen: cheap-gpt')
    expectFits(frame(), size)
  })

  it('a tall terminal gets taller charts; a tiny one still renders', async () => {
    const big = await mount({columns: 160, rows: 50})
    await big.waitFor('╭')
    expectFits(big.frame(), {columns: 160, rows: 50})
    expect(big.frame().split('\n').length).toBe(49)
  })

  it.each([
    [{columns: 80, rows: 14}, true, 3],
    [{columns: 80, rows: 10}, false, 3],
    [{columns: 50, rows: 9}, false, 2],
    [{columns: 44, rows: 16}, true, 1],
  ])('a small terminal (%o) drops charts and blank lines, never the provider rows or a table header', async (size, charts, chartCount) => {
    const {press, frame, waitFor} = await mount(size)
    const overview = frame()
    expectFits(overview, size)
    expect(overview).toMatch(/^PROVIDER/m)
    expect(overview).toMatch(/^oa /m)
    expect(overview).toMatch(/^an /m)
    expect(overview).not.toContain('more providers')
    expect((overview.match(/requests\/s|p95 ms|cost\/min/g) ?? []).length).toBe(charts ? chartCount : 0)
    await press('3', 's', KEY.enter)
    await waitFor(/^1 {2}cheap-gpt/m)
    const models = frame()
    expectFits(models, size)
    expect(models).toMatch(/^ {2}MODEL/m)
    expect(models).toMatch(/^› cheap-gpt/m)
    expect(models).toMatch(/^# {2}MODEL/m)
    for (const [key, marker] of [['2', 'received'], ['4', 'web-frontend'], ['5', '12:00:29'], ['?', 'Key map']] as const) {
      await press(key)
      await waitFor(marker)
      expectFits(frame(), size)
    }
    // However narrow, the tab bar names the screen shown (the others by number when the titles do not fit).
    await press(KEY.escape, '5')
    await waitFor('[5 Logs]')
    await press('4')
    await waitFor('[4 Keys]')
  })
})

describe('detail view', () => {
  it('wraps a long value under the value column, so an upstream error or the attempts can be read whole; scrolling moves by lines', () => {
    const error = `all 2 attempt(s) failed; last: fake-a via fakeprov: upstream answered HTTP 500 (${'x'.repeat(120)} END)`
    const fields: Array<[string, string]> = [['status', '502'], ['error_message', error], ['model_id', 'fake-a']]
    const size = {columns: 60, rows: 30}
    const {lastFrame, rerender} = render(<FieldList title="request r1" fields={fields} width={size.columns} height={20} theme={{color: false}} />)
    const text = lastFrame() ?? ''
    expectFits(text, size)
    expect(text.replace(/\n {15}/g, '')).toContain(error)
    expect(text).toMatch(/^model_id\s+fake-a$/m)
    // Lines, not fields, scroll: on a short screen the last line of the error is reached.
    const lines = fieldLines(fields, size.columns)
    expect(lines.length).toBeGreaterThan(4)
    const max = fieldListMaxScroll(lines.length, 4)
    rerender(<FieldList title="request r1" fields={fields} width={size.columns} height={4} theme={{color: false}} scroll={max - 1} />)
    expect(lastFrame()).toContain('END)')
    expect(lastFrame()).toMatch(/above, 1 more lines/)
  })
})


import {describe, expect, it} from 'vitest'
import type {ApiKeyDto} from '../../src/core/api-types.js'
import {resolveKey} from '../../src/tui/state/commands.js'
import {cursorOf, dashboardReducer, initialState} from '../../src/tui/state/dashboard.js'
import {activeScopes, footerHints, helpSections, KEY_BINDINGS, matchKey, splitInput, type KeyFlags} from '../../src/tui/state/keymap.js'
import type {Action, DashboardState, Effect} from '../../src/tui/state/types.js'

const NOW = Date.parse('2026-03-01T12:00:00.000Z')
const fresh = () => initialState({url: 'http://gw:8080', now: NOW})

/** Presses keys like the app does: look up, dispatch, collect effects. */
function press(state: DashboardState, ...keys: Array<string | KeyFlags>): {state: DashboardState; effects: Effect[]} {
  const effects: Effect[] = []
  for (const k of keys) {
    const {actions, effect} = typeof k === 'string' ? resolveKey(state, k, {}) : resolveKey(state, '', k)
    state = actions.reduce(dashboardReducer, state)
    if (effect) effects.push(effect)
  }
  return {state, effects}
}

const key = (id: string, name: string, status = 'active'): ApiKeyDto =>
  ({id, name, key_prefix: `th-${id}`, status, monthly_budget_usd: 10, current_spend_usd: 1, last_used_at: null, project: null}) as ApiKeyDto

describe('key table', () => {
  it('every command in the table is reachable and documented', () => {
    for (const binding of KEY_BINDINGS) {
      expect(binding.help.length).toBeGreaterThan(3)
      expect(binding.keys.length).toBeGreaterThan(0)
    }
  })

  it('modal scopes shadow screen keys, which shadow global ones', () => {
    expect(activeScopes({screen: 'events', help: false, modal: 'none'})).toEqual(['always', 'events', 'list', 'global'])
    expect(activeScopes({screen: 'events', help: false, modal: 'filter'})).toEqual(['always', 'filter', 'prompt'])
    expect(matchKey({screen: 'events', help: false, modal: 'filter'}, 'q', {})).toBeUndefined() // typed into the prompt
    expect(matchKey({screen: 'events', help: false, modal: 'filter'}, 'c', {ctrl: true})?.command).toBe('quit')
    expect(matchKey({screen: 'keys', help: false, modal: 'none'}, 'r', {})?.command).toBe('revoke')
    expect(matchKey({screen: 'logs', help: false, modal: 'none'}, 'r', {})).toBeUndefined()
    expect(matchKey({screen: 'overview', help: false, modal: 'none'}, '', {tab: true, shift: true})?.command).toBe('prev_screen')
  })

  it('the help overlay and the footer are generated from the same table', () => {
    const sections = helpSections({screen: 'events', help: true, modal: 'none'})
    expect(sections.map((s) => s.title)).toEqual(['Anywhere', 'Events', 'Lists (Events, Models, Keys, Logs)', 'Every screen'])
    const events = sections.find((s) => s.title === 'Events')!
    expect(events.rows.map((r) => r.label)).toEqual(['Space', '/', 'Enter'])
    expect(footerHints({screen: 'events', help: false, modal: 'none'})).toBe('Space pause  / filter  Enter detail  ↑↓ select  q quit  ? keys')
    expect(footerHints({screen: 'keys', help: false, modal: 'confirm_revoke'})).toBe('y yes  n no')
  })

  it('splits a burst of keys (typing fast, tmux send-keys) into single presses', () => {
    expect(splitInput('\u007f\u007f42\r', {})).toEqual([
      {input: '', key: {backspace: true}},
      {input: '', key: {backspace: true}},
      {input: '4', key: {shift: false}},
      {input: '2', key: {shift: false}},
      {input: '', key: {return: true}},
    ])
    expect(splitInput('q', {})).toEqual([{input: 'q', key: {}}])
  })
})

describe('navigation by keys', () => {
  it('number keys and Tab switch screens; q and Ctrl-C quit', () => {
    let {state} = press(fresh(), '3')
    expect(state.nav.screen).toBe('models')
    state = press(state, {tab: true}).state
    expect(state.nav.screen).toBe('keys')
    state = press(state, {tab: true}, {tab: true}).state
    expect(state.nav.screen).toBe('overview')
    state = press(state, {tab: true, shift: true}).state
    expect(state.nav.screen).toBe('logs')
    expect(press(state, 'q').effects).toEqual([{kind: 'quit'}])
    expect(resolveKey(state, 'c', {ctrl: true}).effect).toEqual({kind: 'quit'})
  })

  it('? toggles the key map and Esc closes it', () => {
    let {state} = press(fresh(), '?')
    expect(state.nav.help).toBe(true)
    state = press(state, {escape: true}).state
    expect(state.nav.help).toBe(false)
    expect(press(fresh(), '?', '?').state.nav.help).toBe(false)
  })

  it('behind the key map, the hidden screen takes no keys: r, Enter, arrows do nothing; q quits and digits switch', () => {
    let state = dashboardReducer(fresh(), {type: 'loaded', resource: 'keys', data: [key('k1', 'web')], at: 0})
    state = press(state, '4', '?').state
    const behind = press(state, 'r', {return: true}, {downArrow: true}, 's')
    expect(behind.state.nav).toMatchObject({screen: 'keys', help: true, modal: {kind: 'none'}})
    expect(behind.effects).toEqual([])
    expect(press(state, 'q').effects).toEqual([{kind: 'quit'}])
    expect(press(state, '5').state.nav).toMatchObject({screen: 'logs', help: false})
    // The overlay still lists the keys of the screen below it.
    expect(helpSections({screen: 'keys', help: true, modal: 'none'}).map((s) => s.title)).toContain('Keys')
  })

  it('a detail longer than the screen scrolls with the arrows and pages, within its length', () => {
    let state = dashboardReducer(fresh(), {type: 'events_received', events: [{type: 'route_success', id: 1, model_id: 'claude'}]})
    state = press(state, '2', {return: true}).state
    expect(state.nav.modal.kind).toBe('detail')
    const scroll = (flags: KeyFlags) => {
      const {actions} = resolveKey(state, '', flags, 10, 7)
      state = actions.reduce(dashboardReducer, state)
      return state.nav.modal.kind === 'detail' ? state.nav.modal.scroll : undefined
    }
    expect(scroll({downArrow: true})).toBe(1)
    expect(scroll({pageDown: true})).toBe(7)
    expect(scroll({downArrow: true})).toBe(7)
    expect(scroll({pageUp: true})).toBe(0)
    expect(scroll({upArrow: true})).toBe(0)
    state = press(state, {escape: true}).state
    expect(state.nav.modal.kind).toBe('none')
  })

  it('Backspace in a prompt removes the whole last character, an emoji or a combined one included', () => {
    let state = press(fresh(), '2', '/').state
    for (const char of ['日', '本', '😀', 'e\u0301']) state = press(state, char).state
    state = press(state, {backspace: true}).state
    expect(state.nav.modal).toMatchObject({kind: 'filter', draft: '日本😀'})
    state = press(state, {backspace: true}).state
    expect(state.nav.modal).toMatchObject({kind: 'filter', draft: '日本'})
  })

  it('events: space pauses, / filters, Enter opens the selected event, Esc closes then clears', () => {
    let state = dashboardReducer(fresh(), {type: 'events_received', events: [{type: 'route_success', id: 1, model_id: 'claude'}, {type: 'route_error', id: 2, model_id: 'cheap-gpt'}]})
    state = press(state, '2', ' ').state
    expect(state.events.frozen).not.toBeNull()
    state = press(state, ' ', '/', 'c', 'l', 'x', {backspace: true}, 'a').state
    expect(state.nav.modal).toEqual({kind: 'filter', draft: 'cla'})
    state = press(state, {return: true}).state
    expect(state.events.filter).toBe('cla')
    expect(state.nav.modal.kind).toBe('none')
    state = press(state, {return: true}).state
    expect(state.nav.modal).toMatchObject({kind: 'detail', title: 'event route_success'})
    expect(state.nav.modal.kind === 'detail' && state.nav.modal.fields).toContainEqual(['model_id', 'claude'])
    state = press(state, {escape: true}).state
    expect(state.nav.modal.kind).toBe('none')
    state = press(state, {escape: true}).state
    expect(state.events.filter).toBe('')
  })

  it('keys: r asks, n keeps, y revokes the selected key', () => {
    let state = dashboardReducer(fresh(), {type: 'loaded', resource: 'keys', data: [key('k1', 'web'), key('k2', 'batch')], at: NOW})
    state = press(state, '4', {downArrow: true}, 'r').state
    expect(state.nav.modal).toEqual({kind: 'confirm_revoke', keyId: 'k2', label: 'batch (th-k2)'})
    const no = press(state, 'n')
    expect(no.effects).toEqual([])
    expect(no.state.nav.modal.kind).toBe('none')
    const yes = press(state, 'y')
    expect(yes.effects).toEqual([{kind: 'revoke', keyId: 'k2', label: 'batch (th-k2)'}])
    // Other keys do nothing while asking (q does not quit by accident).
    expect(press(state, 'q').effects).toEqual([])
  })

  it('keys: an already revoked key is not asked about again', () => {
    let state = dashboardReducer(fresh(), {type: 'loaded', resource: 'keys', data: [key('k1', 'old', 'revoked')], at: NOW})
    state = press(state, '4', 'r').state
    expect(state.nav.modal.kind).toBe('none')
    expect(state.flash?.text).toContain('already revoked')
  })

  it('models: m cycles the mode, s takes digits and runs the simulation', () => {
    let {state} = press(fresh(), '3', 'm')
    expect(state.simulation.mode).toBe('cheap')
    state = press(state, 's').state
    expect(state.nav.modal).toEqual({kind: 'simulate', draft: '1000', fresh: true})
    // The first key typed replaces the suggested previous value (5000 after 1000 is 5000, not 10005000).
    expect(press(state, '5').state.nav.modal).toEqual({kind: 'simulate', draft: '5'})
    expect(press(state, {backspace: true}).state.nav.modal).toEqual({kind: 'simulate', draft: '', fresh: false})
    expect(press(state, {return: true}).effects).toEqual([{kind: 'simulate', mode: 'cheap', tokens: 1000}])
    const run = press(state, '5', 'x', '0', 'm', {return: true})
    expect(run.effects).toEqual([{kind: 'simulate', mode: 'high_confidence', tokens: 50}])
    expect(run.state.simulation).toMatchObject({running: true, tokens: 50, mode: 'high_confidence'})
    // With a result on screen, m re-runs in the next mode.
    const done = dashboardReducer(run.state, {type: 'simulation_done', result: {mode: 'high_confidence', token_count: 50, chosen: null, vault_locked: false, candidates: []}})
    expect(press(done, 'm').effects).toEqual([{kind: 'simulate', mode: 'fast', tokens: 50}])
    // A failed run clears the old ranking (it was for other inputs); m then only picks the mode.
    const failed = dashboardReducer(press(done, 'm').state, {type: 'simulation_failed', message: 'daemon unreachable'})
    expect(failed.simulation).toMatchObject({running: false, result: null, error: 'daemon unreachable', mode: 'fast'})
    const next = press(failed, 'm')
    expect(next.effects).toEqual([])
    expect(next.state.simulation.mode).toBe('planning')
    // The daemon back after an outage: the failure it caused goes (a live stream staying live changes nothing).
    const away = dashboardReducer(failed, {type: 'stream_state', stream: 'retrying', detail: 'ECONNREFUSED'})
    expect(dashboardReducer(away, {type: 'stream_state', stream: 'live', detail: 'connected'}).simulation.error).toBeNull()
    // The count takes at most 8 digits (the daemon simulates up to 100,000,000 tokens).
    expect(press(press(state, 's').state, '9', '9', '9', '9', '9', '9', '9', '9', '9').state.nav.modal).toMatchObject({draft: '99999999'})
  })

  it('the list cursor follows its row (by id) when a poll brings new rows on top', () => {
    const page = (ids: string[]) => ({type: 'loaded', resource: 'logs', data: ids.map((id) => ({request_id: id})), at: NOW}) as Action
    let state = dashboardReducer(fresh(), page(['r3', 'r2', 'r1']))
    // Untouched, the top row follows the newest request.
    state = press(state, '5').state
    state = dashboardReducer(state, page(['r4', 'r3', 'r2', 'r1']))
    expect(state.nav.cursor.logs).toBe(0)
    state = dashboardReducer(state, page(['r3', 'r2', 'r1']))
    state = press(state, {downArrow: true}).state
    expect(state.nav.cursor.logs).toBe(1)
    state = dashboardReducer(state, page(['r5', 'r4', 'r3', 'r2', 'r1']))
    expect(state.nav.cursor.logs).toBe(3)
    expect(press(state, {return: true}).state.nav.modal).toMatchObject({title: 'request r2'})
    // Esc lets go: back to the top, following the newest again.
    state = press(state, {escape: true}).state
    expect(state.nav.cursor.logs).toBe(0)
    // A held request gone from the list (aged out of the newest page): following the newest again, not an unrelated row.
    state = press(dashboardReducer(state, page(['r7', 'r6', 'r5'])), {downArrow: true}).state
    expect(state.nav.cursor.logs).toBe(1)
    state = dashboardReducer(state, page(['r9', 'r8']))
    expect(cursorOf(state, 'logs')).toBe(0)
    expect(state.nav.cursor.logs).toBe(0)
    state = dashboardReducer(state, page(['r10', 'r9', 'r8']))
    expect(state.nav.cursor.logs).toBe(0)
    // Keys follow by id as well.
    const keys = (ids: string[]) => ({type: 'loaded', resource: 'keys', data: ids.map((id) => key(id, id)), at: NOW}) as Action
    state = press(dashboardReducer(state, keys(['a', 'b'])), '4', {downArrow: true}).state
    state = dashboardReducer(state, keys(['c', 'a', 'b']))
    expect(state.nav.cursor.keys).toBe(2)
  })

  it('list cursors stay inside the list, PgDn moves a page', () => {
    const logs = Array.from({length: 30}, (_, i) => ({request_id: `r${i}`})) as never
    let state = dashboardReducer(fresh(), {type: 'loaded', resource: 'logs', data: logs, at: NOW} as Action)
    state = press(state, '5', {upArrow: true}).state
    expect(state.nav.cursor.logs).toBe(0)
    state = [resolveKey(state, '', {pageDown: true}, 12)].flatMap((r) => r.actions).reduce(dashboardReducer, state)
    expect(state.nav.cursor.logs).toBe(12)
    for (let i = 0; i < 5; i++) state = [resolveKey(state, '', {pageDown: true}, 12)].flatMap((r) => r.actions).reduce(dashboardReducer, state)
    expect(state.nav.cursor.logs).toBe(29)
  })

  it('R refreshes, everything else unknown does nothing', () => {
    expect(press(fresh(), 'R').effects).toEqual([{kind: 'refresh'}])
    const before = fresh()
    expect(press(before, 'z').state).toEqual(before)
  })
})

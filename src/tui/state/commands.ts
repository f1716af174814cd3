import {matchKey, type Command, type KeyContext, type KeyFlags} from './keymap.js'
import {nextSimulationMode} from './dashboard.js'
import {SCREENS, type Action, type DashboardState, type Effect} from './types.js'

export interface KeyResult {
  actions: Action[]
  effect?: Effect
}

export function keyContext(state: DashboardState): KeyContext {
  return {screen: state.nav.screen, help: state.nav.help, modal: state.nav.modal.kind}
}

/** What a command does in this state: reducer actions, and perhaps work for the data layer. */
export function runCommand(state: DashboardState, command: Command, page: number, helpMax = 0): KeyResult {
  const modal = state.nav.modal
  if (state.nav.help) {
    const delta = {up: -1, down: 1, page_up: -Math.max(1, page), page_down: Math.max(1, page)}[command as 'up']
    if (delta !== undefined) return {actions: [{type: 'scroll_help', delta, max: helpMax}]}
  }
  if (modal.kind === 'detail') {
    const delta = {up: -1, down: 1, page_up: -Math.max(1, page), page_down: Math.max(1, page)}[command as 'up']
    if (delta !== undefined) return {actions: [{type: 'scroll_detail', delta, max: helpMax}]}
  }
  switch (command) {
    case 'quit':
      return {actions: [], effect: {kind: 'quit'}}
    case 'suspend':
      return {actions: [], effect: {kind: 'suspend'}}
    case 'toggle_help':
      return {actions: [{type: 'toggle_help'}]}
    case 'next_screen':
      return {actions: [{type: 'cycle_screen', delta: 1}]}
    case 'prev_screen':
      return {actions: [{type: 'cycle_screen', delta: -1}]}
    case 'screen_1':
    case 'screen_2':
    case 'screen_3':
    case 'screen_4':
    case 'screen_5':
      return {actions: [{type: 'show_screen', screen: SCREENS[Number(command.slice(-1)) - 1]}]}
    case 'up':
      return {actions: [{type: 'move', delta: -1}]}
    case 'down':
      return {actions: [{type: 'move', delta: 1}]}
    case 'page_up':
      return {actions: [{type: 'move', delta: -Math.max(1, page)}]}
    case 'page_down':
      return {actions: [{type: 'move', delta: Math.max(1, page)}]}
    case 'open':
      return {actions: [{type: 'open_detail'}]}
    case 'back':
      return {actions: [{type: 'back'}]}
    case 'refresh':
      return {actions: [], effect: {kind: 'refresh'}}
    case 'toggle_pause':
      return {actions: [{type: 'toggle_pause'}]}
    case 'open_filter':
      return {actions: [{type: 'open_filter'}]}
    case 'simulate':
      return {actions: [{type: 'open_simulate'}]}
    case 'cycle_mode': {
      // With a result on screen, a new mode re-runs the simulation so the ranking follows.
      const actions: Action[] = [{type: 'cycle_mode'}]
      if (!state.simulation.result) return {actions}
      const mode = nextSimulationMode(state.simulation.mode)
      return {actions: [...actions, {type: 'simulation_started', mode, tokens: state.simulation.tokens}], effect: {kind: 'simulate', mode, tokens: state.simulation.tokens}}
    }
    case 'revoke':
      return {actions: [{type: 'ask_revoke'}]}
    case 'confirm_yes':
      if (modal.kind !== 'confirm_revoke') return {actions: []}
      return {actions: [{type: 'close_modal'}], effect: {kind: 'revoke', keyId: modal.keyId, label: modal.label}}
    case 'confirm_no':
      return {actions: [{type: 'close_modal'}]}
    case 'prompt_submit':
      if (modal.kind === 'filter') return {actions: [{type: 'apply_filter'}]}
      if (modal.kind === 'simulate') {
        const tokens = modal.draft === '' ? state.simulation.tokens : Number(modal.draft)
        const mode = state.simulation.mode
        return {actions: [{type: 'close_modal'}, {type: 'simulation_started', mode, tokens}], effect: {kind: 'simulate', mode, tokens}}
      }
      return {actions: []}
    case 'prompt_cancel':
      return {actions: [{type: 'close_modal'}]}
    case 'prompt_erase':
      return {actions: [{type: 'prompt_erase'}]}
    case 'prompt_mode':
      return {actions: [{type: 'cycle_mode'}]}
  }
}

/**
 * Turns a key press into actions and effects by looking it up in the key table. In a prompt,
 * keys the table does not claim are typed into it. `page` is how many rows a PgUp/PgDn moves.
 */
/** `helpMax`: how far the key map can scroll on this screen (see helpLayout). */
export function resolveKey(state: DashboardState, input: string, key: KeyFlags, page = 10, helpMax = 0): KeyResult {
  const context = keyContext(state)
  const binding = matchKey(context, input, key)
  if (binding) return runCommand(state, binding.command, page, helpMax)
  const prompt = context.modal === 'filter' || context.modal === 'simulate'
  if (prompt && input !== '' && !key.ctrl) return {actions: [{type: 'prompt_input', text: input}]}
  return {actions: []}
}

import type {ScreenId} from './types.js'

/**
 * The key table: every key the dashboard answers, with its help text. The dispatcher and the
 * `?` overlay and footer hints are all generated from this one list.
 */

export type Command =
  | 'quit'
  | 'suspend'
  | 'toggle_help'
  | 'next_screen'
  | 'prev_screen'
  | 'screen_1'
  | 'screen_2'
  | 'screen_3'
  | 'screen_4'
  | 'screen_5'
  | 'up'
  | 'down'
  | 'page_up'
  | 'page_down'
  | 'open'
  | 'back'
  | 'refresh'
  | 'toggle_pause'
  | 'open_filter'
  | 'simulate'
  | 'cycle_mode'
  | 'revoke'
  | 'confirm_yes'
  | 'confirm_no'
  | 'prompt_submit'
  | 'prompt_cancel'
  | 'prompt_erase'
  | 'prompt_mode'

/** Where a binding applies. `always` wins over everything, even prompts. */
export type Scope = 'always' | 'global' | ScreenId | 'list' | 'help' | 'detail' | 'filter' | 'simulate' | 'prompt' | 'confirm'

/** The subset of Ink's Key flags the table uses (so the state layer needs no Ink import). */
export interface KeyFlags {
  upArrow?: boolean
  downArrow?: boolean
  pageUp?: boolean
  pageDown?: boolean
  return?: boolean
  escape?: boolean
  tab?: boolean
  backspace?: boolean
  delete?: boolean
  ctrl?: boolean
  shift?: boolean
}

export type NamedKey = 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'return' | 'escape' | 'tab' | 'backspace' | 'delete'

export interface KeySpec {
  /** A printable character as Ink reports it (`input`). */
  input?: string
  key?: NamedKey
  ctrl?: boolean
  shift?: boolean
}

export interface KeyBinding {
  command: Command
  scope: Scope
  keys: KeySpec[]
  /** How the overlay writes the keys. */
  label: string
  help: string
  /** Short text for the footer; bindings without one are only in the overlay. */
  hint?: string
  /** The keys as the footer writes them (default: the first of `label`). */
  hintLabel?: string
}

export const KEY_BINDINGS: readonly KeyBinding[] = [
  {command: 'quit', scope: 'always', keys: [{input: 'c', ctrl: true}], label: 'Ctrl-C', help: 'quit'},
  {command: 'quit', scope: 'global', keys: [{input: 'q'}], label: 'q', help: 'quit', hint: 'quit'},
  {command: 'suspend', scope: 'always', keys: [{input: 'z', ctrl: true}], label: 'Ctrl-Z', help: 'suspend to the shell (fg resumes)'},
  {command: 'toggle_help', scope: 'global', keys: [{input: '?'}], label: '?', help: 'show or hide this key map', hint: 'keys'},
  {command: 'next_screen', scope: 'global', keys: [{key: 'tab', shift: false}], label: 'Tab', help: 'next screen'},
  {command: 'prev_screen', scope: 'global', keys: [{key: 'tab', shift: true}], label: 'Shift-Tab', help: 'previous screen'},
  {command: 'screen_1', scope: 'global', keys: [{input: '1'}], label: '1', help: 'Overview (health, charts)'},
  {command: 'screen_2', scope: 'global', keys: [{input: '2'}], label: '2', help: 'Events (live stream)'},
  {command: 'screen_3', scope: 'global', keys: [{input: '3'}], label: '3', help: 'Models (routing, simulate)'},
  {command: 'screen_4', scope: 'global', keys: [{input: '4'}], label: '4', help: 'Keys (budgets, revoke)'},
  {command: 'screen_5', scope: 'global', keys: [{input: '5'}], label: '5', help: 'Logs (recent requests)'},
  {command: 'refresh', scope: 'global', keys: [{input: 'R'}], label: 'R', help: 'refresh everything now'},
  {command: 'back', scope: 'global', keys: [{key: 'escape'}], label: 'Esc', help: 'close; clear filter, selection'},
  {command: 'up', scope: 'list', keys: [{key: 'upArrow'}, {input: 'k'}], label: '↑ k', help: 'select the previous row', hint: 'select', hintLabel: '↑↓'},
  {command: 'down', scope: 'list', keys: [{key: 'downArrow'}, {input: 'j'}], label: '↓ j', help: 'select the next row'},
  {command: 'page_up', scope: 'list', keys: [{key: 'pageUp'}], label: 'PgUp', help: 'one page up'},
  {command: 'page_down', scope: 'list', keys: [{key: 'pageDown'}], label: 'PgDn', help: 'one page down'},
  {command: 'up', scope: 'help', keys: [{key: 'upArrow'}, {input: 'k'}], label: '↑ k', help: 'scroll the key map up'},
  {command: 'down', scope: 'help', keys: [{key: 'downArrow'}, {input: 'j'}], label: '↓ j', help: 'scroll the key map down'},
  {command: 'page_up', scope: 'help', keys: [{key: 'pageUp'}], label: 'PgUp', help: 'key map: a page up'},
  {command: 'page_down', scope: 'help', keys: [{key: 'pageDown'}], label: 'PgDn', help: 'key map: a page down'},
  {command: 'toggle_pause', scope: 'events', keys: [{input: ' '}], label: 'Space', help: 'pause/resume (still counts)', hint: 'pause'},
  {command: 'open_filter', scope: 'events', keys: [{input: '/'}], label: '/', help: 'filter by event type, model or provider', hint: 'filter'},
  {command: 'open', scope: 'events', keys: [{key: 'return'}], label: 'Enter', help: 'show the selected event', hint: 'detail'},
  {command: 'open', scope: 'logs', keys: [{key: 'return'}], label: 'Enter', help: 'show the selected request', hint: 'detail'},
  {command: 'open', scope: 'keys', keys: [{key: 'return'}], label: 'Enter', help: 'show the selected key', hint: 'detail'},
  {command: 'revoke', scope: 'keys', keys: [{input: 'r'}], label: 'r', help: 'revoke the selected key (asks)', hint: 'revoke'},
  {command: 'open', scope: 'models', keys: [{key: 'return'}], label: 'Enter', help: 'show the selected model', hint: 'detail'},
  {command: 'simulate', scope: 'models', keys: [{input: 's'}], label: 's', help: 'simulate: tokens, then Enter', hint: 'simulate'},
  {command: 'cycle_mode', scope: 'models', keys: [{input: 'm'}], label: 'm', help: 'next routing mode for the simulation', hint: 'mode'},
  {command: 'back', scope: 'detail', keys: [{key: 'escape'}, {key: 'return'}], label: 'Esc Enter', help: 'close the detail view', hint: 'close'},
  {command: 'up', scope: 'detail', keys: [{key: 'upArrow'}, {input: 'k'}], label: '↑ k', help: 'scroll the detail up', hint: 'scroll', hintLabel: '↑↓'},
  {command: 'down', scope: 'detail', keys: [{key: 'downArrow'}, {input: 'j'}], label: '↓ j', help: 'scroll the detail down'},
  {command: 'page_up', scope: 'detail', keys: [{key: 'pageUp'}], label: 'PgUp', help: 'detail: a page up'},
  {command: 'page_down', scope: 'detail', keys: [{key: 'pageDown'}], label: 'PgDn', help: 'detail: a page down'},
  {command: 'prompt_submit', scope: 'filter', keys: [{key: 'return'}], label: 'Enter', help: 'apply the filter (empty shows all)', hint: 'apply'},
  {command: 'prompt_submit', scope: 'simulate', keys: [{key: 'return'}], label: 'Enter', help: 'run the simulation', hint: 'run'},
  {command: 'prompt_mode', scope: 'simulate', keys: [{input: 'm'}, {key: 'tab'}], label: 'm Tab', help: 'next routing mode', hint: 'mode'},
  {command: 'prompt_cancel', scope: 'prompt', keys: [{key: 'escape'}], label: 'Esc', help: 'cancel', hint: 'cancel'},
  {command: 'prompt_erase', scope: 'prompt', keys: [{key: 'backspace'}, {key: 'delete'}], label: 'Backspace', help: 'delete a character'},
  {command: 'confirm_yes', scope: 'confirm', keys: [{input: 'y'}, {input: 'Y'}], label: 'y', help: 'yes, do it', hint: 'yes'},
  {command: 'confirm_no', scope: 'confirm', keys: [{input: 'n'}, {input: 'N'}, {key: 'escape'}], label: 'n Esc', help: 'no, keep it', hint: 'no'},
]

export interface KeyContext {
  screen: ScreenId
  help: boolean
  modal: 'none' | 'filter' | 'simulate' | 'confirm_revoke' | 'detail'
}

/** Scopes in the order they are tried: modal ones shadow the screen's, which shadow global ones. */
export function activeScopes(context: KeyContext): Scope[] {
  // The key map covers the screen: only keys that close it, switch screens or quit act, not the
  // hidden screen's (r would ask to revoke a key the user cannot see).
  if (context.help && (context.modal === 'none' || context.modal === 'detail')) return ['always', 'help', 'global']
  switch (context.modal) {
    case 'confirm_revoke':
      return ['always', 'confirm']
    case 'filter':
      return ['always', 'filter', 'prompt']
    case 'simulate':
      return ['always', 'simulate', 'prompt']
    case 'detail':
      return ['always', 'detail', 'global']
    case 'none': {
      const list: Scope[] = context.screen === 'overview' ? [] : ['list']
      return ['always', context.screen, ...list, 'global']
    }
  }
}

function specMatches(spec: KeySpec, input: string, key: KeyFlags): boolean {
  if (Boolean(spec.ctrl) !== Boolean(key.ctrl)) return false
  if (spec.shift !== undefined && spec.shift !== Boolean(key.shift)) return false
  if (spec.key) return Boolean(key[spec.key])
  return spec.input === input
}

/** The binding a key press means in this context, if any. */
export function matchKey(context: KeyContext, input: string, key: KeyFlags, bindings: readonly KeyBinding[] = KEY_BINDINGS): KeyBinding | undefined {
  for (const scope of activeScopes(context)) {
    const found = bindings.find((binding) => binding.scope === scope && binding.keys.some((spec) => specMatches(spec, input, key)))
    if (found) return found
  }
  return undefined
}

export const SCOPE_TITLES: Partial<Record<Scope, string>> = {
  always: 'Anywhere',
  global: 'Every screen',
  list: 'Lists (Events, Models, Keys, Logs)',
  overview: 'Overview',
  events: 'Events',
  models: 'Models',
  keys: 'Keys',
  logs: 'Logs',
  detail: 'Detail view',
  filter: 'Filter prompt',
  simulate: 'Simulation prompt',
  prompt: 'Prompts',
  confirm: 'Confirmation',
}

/** The overlay's sections for this context: the active scopes first, each with its bindings. */
export function helpSections(context: KeyContext, bindings: readonly KeyBinding[] = KEY_BINDINGS): Array<{title: string; rows: Array<{label: string; help: string}>}> {
  const scopes = activeScopes({...context, help: false, modal: context.modal === 'none' || context.modal === 'detail' ? 'none' : context.modal})
  return scopes
    .map((scope) => ({
      title: SCOPE_TITLES[scope] ?? scope,
      rows: bindings.filter((binding) => binding.scope === scope).map((binding) => ({label: binding.label, help: binding.help})),
    }))
    .filter((section) => section.rows.length > 0)
}

/** Footer hints for this context, e.g. "Space pause  / filter  ? keys  q quit". */
export function footerHints(context: KeyContext, bindings: readonly KeyBinding[] = KEY_BINDINGS): string {
  const seen = new Set<string>()
  const hints: string[] = []
  for (const scope of activeScopes(context)) {
    for (const binding of bindings) {
      if (binding.scope !== scope || !binding.hint || seen.has(binding.hint)) continue
      seen.add(binding.hint)
      hints.push(`${binding.hintLabel ?? binding.label.split(' ')[0]} ${binding.hint}`)
    }
  }
  return hints.join('  ')
}

const CONTROL_KEYS: Record<string, KeyFlags> = {
  '\r': {return: true},
  '\n': {return: true},
  '\t': {tab: true},
  '\u007f': {backspace: true},
  '\b': {backspace: true},
}

/**
 * Ink hands over keys that arrive together (fast typing, a paste, tmux send-keys) as one string.
 * Split such a burst back into single key presses so "\u007f\u007f42\r" is two erases, two digits
 * and Enter rather than text. Escape sequences (arrows, PgUp) are already parsed by Ink.
 */
export function splitInput(input: string, key: KeyFlags): Array<{input: string; key: KeyFlags}> {
  const named = key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.escape || key.ctrl
  if (input.length <= 1 || named) return [{input, key}]
  return [...input].map((char) => (CONTROL_KEYS[char] ? {input: '', key: CONTROL_KEYS[char]} : {input: char, key: {shift: /[A-Z]/.test(char)}}))
}

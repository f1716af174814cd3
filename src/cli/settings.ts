/** Settings of the CLI itself (`tokenhub config set url ...`), kept with `conf` in ~/.config/tokenhub. */
import {homedir} from 'node:os'
import {join} from 'node:path'
import {ClientError} from '../client/errors.js'

export const SETTING_KEYS = ['url'] as const
export type SettingKey = (typeof SETTING_KEYS)[number]
export type Settings = Partial<Record<SettingKey, string>>

/** Where conf keeps the file: TOKENHUB_CONFIG_DIR, else $XDG_CONFIG_HOME/tokenhub (~/.config/tokenhub). */
export function settingsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOKENHUB_CONFIG_DIR) return join(env.TOKENHUB_CONFIG_DIR, 'config.json')
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'tokenhub', 'config.json')
}

/**
 * The settings, or a usage error naming the file when it is not valid JSON (a hand edit gone
 * wrong); `repair` starts from an empty file instead, for `config set` / `config unset`, which
 * rewrite it whole.
 */
async function open(repair = false) {
  // conf costs ~90 ms to import: load it only when a command needs a setting.
  const {default: Conf} = await import('conf')
  const options = {projectName: 'tokenhub', projectSuffix: '', configFileMode: 0o600, cwd: process.env.TOKENHUB_CONFIG_DIR || undefined}
  try {
    return new Conf<Settings>(options)
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    if (repair) return new Conf<Settings>({...options, clearInvalidConfig: true})
    throw new ClientError('USAGE', `the CLI settings file ${settingsPath()} is not valid JSON (${error.message})`, {
      suggestion: `Fix or delete it, or rewrite it with \`tokenhub config set url <url>\`.`,
    })
  }
}

export async function readSettings(): Promise<Settings & {path: string}> {
  const conf = await open()
  return {...conf.store, path: conf.path}
}

export async function writeSetting(key: SettingKey, value: string | undefined): Promise<Settings & {path: string}> {
  const conf = await open(true)
  // One write of the whole object: two set() calls are not atomic.
  const next: Settings = {...conf.store}
  if (value === undefined) delete next[key]
  else next[key] = value
  conf.store = next
  return {...conf.store, path: conf.path}
}

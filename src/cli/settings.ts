/** Settings of the CLI itself (`tokenhub config set url ...`), kept with `conf` in ~/.config/tokenhub. */

export const SETTING_KEYS = ['url'] as const
export type SettingKey = (typeof SETTING_KEYS)[number]
export type Settings = Partial<Record<SettingKey, string>>

async function open() {
  // conf costs ~90 ms to import: load it only when a command needs a setting.
  const {default: Conf} = await import('conf')
  return new Conf<Settings>({
    projectName: 'tokenhub',
    projectSuffix: '',
    configFileMode: 0o600,
    cwd: process.env.TOKENHUB_CONFIG_DIR || undefined,
  })
}

export async function readSettings(): Promise<Settings & {path: string}> {
  const conf = await open()
  return {...conf.store, path: conf.path}
}

export async function writeSetting(key: SettingKey, value: string | undefined): Promise<Settings & {path: string}> {
  const conf = await open()
  // One write of the whole object: two set() calls are not atomic.
  const next: Settings = {...conf.store}
  if (value === undefined) delete next[key]
  else next[key] = value
  conf.store = next
  return {...conf.store, path: conf.path}
}

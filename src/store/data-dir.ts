import {chmod, mkdir, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join, resolve} from 'node:path'

export const DATA_DIR_MODE = 0o700

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TOKENHUB_DATA_DIR
  return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : join(homedir(), '.tokenhub')
}

export const dataFiles = (dataDir: string) => ({
  store: join(dataDir, 'store.age'),
  storeKey: join(dataDir, 'store.key'),
  adminToken: join(dataDir, '.admin-token'),
  lock: join(dataDir, 'daemon.pid'),
})

/** Creates the data dir (0700) if missing and tightens its mode if it is wider. */
export async function ensureDataDir(dataDir: string): Promise<{created: boolean; tightened: boolean}> {
  const existing = await stat(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw error
  })
  if (!existing) {
    await mkdir(dataDir, {recursive: true, mode: DATA_DIR_MODE})
    await chmod(dataDir, DATA_DIR_MODE)
    return {created: true, tightened: false}
  }
  if (!existing.isDirectory()) throw new Error(`data dir ${dataDir} exists and is not a directory`)
  if ((existing.mode & 0o777) !== DATA_DIR_MODE) {
    await chmod(dataDir, DATA_DIR_MODE)
    return {created: false, tightened: true}
  }
  return {created: false, tightened: false}
}

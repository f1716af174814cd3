import {chmod, mkdir, readdir, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'

export const DATA_DIR_MODE = 0o700

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TOKENHUB_DATA_DIR
  return fromEnv && fromEnv.trim() !== '' ? dataDirPath(fromEnv) : join(homedir(), '.tokenhub')
}

/** An absolute data dir path; a leading `~/` is the home directory (an EnvironmentFile or `--data-dir=~/x` does not expand it). */
export function dataDirPath(path: string): string {
  if (path === '~') return homedir()
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : resolve(path)
}

/** The data dir cannot be created or used by this user: one line saying so, no stack. */
export class DataDirError extends Error {}

export const dataFiles = (dataDir: string) => ({
  store: join(dataDir, 'store.age'),
  storeKey: join(dataDir, 'store.key'),
  adminToken: join(dataDir, '.admin-token'),
  lock: join(dataDir, 'daemon.pid'),
})

/** Creates the data dir (0700) if missing and tightens its mode if it is wider. */
export async function ensureDataDir(dataDir: string): Promise<{created: boolean; tightened: boolean}> {
  try {
    return await prepareDataDir(dataDir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS' && code !== 'ENOTDIR') throw error
    const owner = await stat(dataDir).then(
      (s) => `; it is owned by uid ${s.uid}`,
      () => '',
    )
    const user = typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user'
    throw new DataDirError(
      `data dir ${dataDir} cannot be created or used by ${user} (${code})${owner}: create it for this user (install -d -m 0700 -o <user> ${dataDir}; under systemd, StateDirectory=tokenhub does it) or choose another with --data-dir`,
    )
  }
}

/**
 * mkdir, with its parents only when they are missing: a recursive mkdir that gets ENOENT although
 * the parent exists (a pseudo-filesystem such as /proc) retried for ever at full CPU instead of failing.
 */
async function makeDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, {mode: DATA_DIR_MODE})
  } catch (error) {
    // Another process (a second daemon started at the same moment) made it: the lock decides.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    const parentExists = await stat(dirname(dataDir)).then(
      () => true,
      () => false,
    )
    if (parentExists) throw error
    await mkdir(dataDir, {recursive: true, mode: DATA_DIR_MODE})
  }
}

async function prepareDataDir(dataDir: string): Promise<{created: boolean; tightened: boolean}> {
  const existing = await stat(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw error
  })
  if (!existing) {
    await makeDir(dataDir)
    await chmod(dataDir, DATA_DIR_MODE)
    return {created: true, tightened: false}
  }
  if (!existing.isDirectory()) throw new DataDirError(`data dir ${dataDir} exists and is not a directory`)
  if ((existing.mode & 0o777) !== DATA_DIR_MODE) {
    await chmod(dataDir, DATA_DIR_MODE)
    return {created: false, tightened: true}
  }
  return {created: false, tightened: false}
}

/**
 * Files directly in the data dir (the store, its key, the admin token, usage) and its
 * subdirectories, readable by others (copied in with another umask, restored from a backup):
 * tightened to 0600 / 0700. Returns what was changed, for the log.
 */
export async function tightenDataDirEntries(dataDir: string, prefix = '', depth = 0): Promise<string[]> {
  const changed: string[] = []
  for (const entry of await readdir(dataDir, {withFileTypes: true}).catch(() => [])) {
    // The admin token file has its own check, with its own message (resolveAdminToken).
    if ((!entry.isFile() && !entry.isDirectory()) || (depth === 0 && entry.name === '.admin-token')) continue
    const path = join(dataDir, entry.name)
    const mode = (await stat(path).catch(() => null))?.mode
    if (mode !== undefined && (mode & 0o077) !== 0) {
      await chmod(path, entry.isDirectory() ? DATA_DIR_MODE : 0o600).then(
        () => changed.push(`${prefix}${entry.name}`),
        () => {},
      )
    }
    // Restored journals (journal/<name>/*.jrnl) too: two levels down is all the data dir has.
    if (entry.isDirectory() && depth < 2) changed.push(...(await tightenDataDirEntries(path, `${prefix}${entry.name}/`, depth + 1)))
  }
  return changed
}

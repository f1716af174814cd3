import {readFile, stat, unlink, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(`another TokenHub daemon (pid ${pid}) is already using this data dir (lock file ${lockFile}); stop it first or use another --data-dir`)
    this.name = 'DataDirLockedError'
  }
}

/** True when a process with this pid exists and is not a zombie waiting to be reaped. */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  // Field 3 is the state; Z = zombie, X = dead. Unknown (no /proc): alive.
  const state = (await procStat(pid))?.[0]
  return state !== 'Z' && state !== 'X'
}

/** The fields of /proc/<pid>/stat from field 3 on (after the parenthesised command name); null when unreadable. */
async function procStat(pid: number): Promise<string[] | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** When the process started, in clock ticks since boot (field 22); null when unknown. */
async function processStart(pid: number): Promise<string | null> {
  return (await procStat(pid))?.[19] ?? null
}

export interface DataDirLock {
  release(): Promise<void>
  /** The pid of a dead daemon whose lock was taken over, if any. */
  tookOverFrom: number | null
  /**
   * Whether the lock is still ours: `ok`, `restored` (something removed the file; written again),
   * `lost` (it now names another daemon) or `failed` (it could not be written again).
   */
  check(): Promise<'ok' | 'restored' | 'lost' | 'failed'>
}

/**
 * Takes the data dir lock: a file created exclusively holding our pid, the data dir's identity
 * (device and inode: a copy has another, a rename keeps it) and our start time. It is stale, and
 * taken over, when its pid is dead, when that pid is now another process (a different start
 * time: pids are reused after a crash or reboot), or when it names another data dir (this one is
 * a copy of a running daemon's). Otherwise it refuses.
 */
export async function acquireLock(lockFile: string): Promise<DataDirLock> {
  const dir = await dirIdentity(dirname(lockFile))
  const content = `${process.pid}\n${dir}\n${(await processStart(process.pid)) ?? ''}\n`
  let tookOverFrom: number | null = null
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lockFile, content, {flag: 'wx', mode: 0o600})
      return {
        tookOverFrom,
        async release() {
          const current = await readFile(lockFile, 'utf8').catch(() => '')
          if (Number.parseInt(current, 10) === process.pid) await unlink(lockFile).catch(() => {})
        },
        async check() {
          const current = await readFile(lockFile, 'utf8').catch(() => null)
          if (current === content) return 'ok'
          if (current !== null) return 'lost'
          return writeFile(lockFile, content, {flag: 'wx', mode: 0o600}).then(
            () => 'restored' as const,
            (error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? 'lost' : 'failed'),
          )
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const [pidLine = '', lockedDir, started] = (await readFile(lockFile, 'utf8').catch(() => '')).split('\n')
    const holder = Number.parseInt(pidLine, 10)
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && (await heldBy(holder, dir, lockedDir, started))) {
      throw new DataDirLockedError(lockFile, holder)
    }
    tookOverFrom = Number.isInteger(holder) ? holder : null
    await unlink(lockFile).catch(() => {})
  }
  throw new Error(`could not take the lock file ${lockFile}: it keeps reappearing`)
}

/** A directory's device and inode ("2049:1835021"). */
async function dirIdentity(path: string): Promise<string> {
  const info = await stat(path)
  return `${info.dev}:${info.ino}`
}

/** Whether the daemon that wrote a lock still holds it (see acquireLock). */
async function heldBy(pid: number, dir: string, lockedDir: string | undefined, started: string | undefined): Promise<boolean> {
  if (!(await isProcessAlive(pid))) return false
  if (lockedDir && lockedDir !== dir) return false
  if (started) {
    const now = await processStart(pid)
    if (now !== null && now !== started) return false
  }
  return true
}

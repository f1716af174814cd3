import {readFile, unlink, writeFile} from 'node:fs/promises'

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
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Field 3 (after the parenthesised command name) is the state; Z = zombie, X = dead.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return true
  }
}

export interface DataDirLock {
  release(): Promise<void>
  /** The pid of a dead daemon whose lock was taken over, if any. */
  tookOverFrom: number | null
}

/**
 * Takes the data dir lock: a file created exclusively holding our pid. A lock whose pid is dead
 * is stale and taken over; a live one refuses.
 */
export async function acquireLock(lockFile: string): Promise<DataDirLock> {
  let tookOverFrom: number | null = null
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, {flag: 'wx', mode: 0o600})
      return {
        tookOverFrom,
        async release() {
          const current = await readFile(lockFile, 'utf8').catch(() => '')
          if (Number.parseInt(current, 10) === process.pid) await unlink(lockFile).catch(() => {})
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10)
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && (await isProcessAlive(holder))) {
      throw new DataDirLockedError(lockFile, holder)
    }
    tookOverFrom = Number.isInteger(holder) ? holder : null
    await unlink(lockFile).catch(() => {})
  }
  throw new Error(`could not take the lock file ${lockFile}: it keeps reappearing`)
}

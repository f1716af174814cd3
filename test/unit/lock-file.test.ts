import {spawn} from 'node:child_process'
import {readFile, rename, rm, stat, unlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {acquireLock, DataDirLockedError} from '../../src/store/lock-file.js'
import {tempDir} from '../helpers/paths.js'

let dir: {path: string; cleanup: () => Promise<void>}
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(() => dir.cleanup())

const identity = async (path: string) => {
  const info = await stat(path)
  return `${info.dev}:${info.ino}`
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid!
}

describe('data dir lock', () => {
  it('is exclusive while the holder lives', async () => {
    const file = join(dir.path, 'daemon.pid')
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'])
    try {
      await writeFile(file, `${sleeper.pid}\n`)
      const error = await acquireLock(file).catch((e) => e)
      expect(error).toBeInstanceOf(DataDirLockedError)
      expect(error.message).toContain(String(sleeper.pid))
    } finally {
      sleeper.kill('SIGKILL')
    }
  })

  it('takes over a lock left by a dead process', async () => {
    const file = join(dir.path, 'daemon.pid')
    const stale = await deadPid()
    await writeFile(file, `${stale}\n`)
    const lock = await acquireLock(file)
    expect(lock.tookOverFrom).toBe(stale)
    expect((await readFile(file, 'utf8')).split('\n')[0]).toBe(String(process.pid))
    await lock.release()
    await expect(readFile(file)).rejects.toThrow(/ENOENT/)
  })

  it('treats a garbage lock file as stale', async () => {
    const file = join(dir.path, 'daemon.pid')
    await writeFile(file, 'not a pid')
    const lock = await acquireLock(file)
    await lock.release()
  })

  it('is not fooled by a pid now used by another process, nor by a copy of a running daemon\'s data dir', async () => {
    const file = join(dir.path, 'daemon.pid')
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'])
    try {
      // The pid is alive, but it started at another time than the lock says: a reused pid.
      await writeFile(file, `${sleeper.pid}\n${await identity(dir.path)}\n12345\n`)
      const reused = await acquireLock(file)
      expect(reused.tookOverFrom).toBe(sleeper.pid)
      await reused.release()
      // Written by a live daemon for another data dir: this one is a copy.
      const own = await readFile(`/proc/${sleeper.pid}/stat`, 'utf8')
      const started = own.slice(own.lastIndexOf(')') + 2).split(' ')[19]
      await writeFile(file, `${sleeper.pid}\n1:2\n${started}\n`)
      const copied = await acquireLock(file)
      expect(copied.tookOverFrom).toBe(sleeper.pid)
      await copied.release()
      // The same pid, dir and start time: really held.
      await writeFile(file, `${sleeper.pid}\n${await identity(dir.path)}\n${started}\n`)
      await expect(acquireLock(file)).rejects.toBeInstanceOf(DataDirLockedError)
    } finally {
      sleeper.kill('SIGKILL')
    }
  })

  it('checks that the lock is still its own: written again when removed, lost when another daemon wrote it', async () => {
    const file = join(dir.path, 'daemon.pid')
    const lock = await acquireLock(file)
    expect(await lock.check()).toBe('ok')
    await unlink(file)
    expect(await lock.check()).toBe('restored')
    expect((await readFile(file, 'utf8')).split('\n')[0]).toBe(String(process.pid))
    await writeFile(file, '999999\n1:2\n3\n')
    expect(await lock.check()).toBe('lost')
    await unlink(file)
    await rm(dir.path, {recursive: true})
    expect(await lock.check()).toBe('failed')
  })

  it('a renamed data dir keeps its lock (same inode); a copy does not', async () => {
    const file = join(dir.path, 'daemon.pid')
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'])
    try {
      const own = await readFile(`/proc/${sleeper.pid}/stat`, 'utf8')
      const started = own.slice(own.lastIndexOf(')') + 2).split(' ')[19]
      await writeFile(file, `${sleeper.pid}\n${await identity(dir.path)}\n${started}\n`)
      const moved = `${dir.path}-moved`
      await rename(dir.path, moved)
      try {
        await expect(acquireLock(join(moved, 'daemon.pid'))).rejects.toBeInstanceOf(DataDirLockedError)
      } finally {
        await rename(moved, dir.path)
      }
    } finally {
      sleeper.kill('SIGKILL')
    }
  })
})

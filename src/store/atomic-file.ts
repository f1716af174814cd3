import {randomBytes} from 'node:crypto'
import {open, readdir, realpath, rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

const TEMP_SUFFIX = '.tmp'

/**
 * Writes a file so that readers and crashes only ever see the old or the new content:
 * temp file (0600) + fsync + rename + fsync of the directory. A symlink is followed: the file it
 * points at is replaced and the link stays (an operator who keeps store.age on another volume).
 */
export async function writeFileAtomic(to: string, data: Uint8Array | string | Uint8Array[], mode = 0o600): Promise<void> {
  const path = await realpath(to).catch(() => to)
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`)
  const file = await open(temp, 'wx', mode)
  try {
    // Pieces one after the other (writeFile continues at the handle's current position).
    for (const piece of Array.isArray(data) ? data : [data]) await file.writeFile(piece)
    await file.sync()
  } catch (error) {
    await file.close()
    await unlink(temp).catch(() => {})
    throw error
  }
  await file.close()
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
  await syncDirectory(dirname(path))
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Removes temp files a crash left behind (only ours: dot-prefixed, `.tmp` suffix). */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = []
  for (const name of await readdir(dir)) {
    if (name.startsWith('.') && name.endsWith(TEMP_SUFFIX)) {
      await unlink(join(dir, name)).catch(() => {})
      removed.push(name)
    }
  }
  return removed
}

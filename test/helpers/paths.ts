import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const binRun = join(repoRoot, 'bin', 'run.js')

/** A fresh temp dir; remove it with the returned cleanup. */
export async function tempDir(prefix = 'tokenhub-test-'): Promise<{path: string; cleanup: () => Promise<void>}> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return {path, cleanup: () => rm(path, {recursive: true, force: true})}
}

/** A port that was free a moment ago (for tests that must restart a daemon on the same port). */
export async function freePort(): Promise<number> {
  const {createServer} = await import('node:net')
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

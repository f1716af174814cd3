import {openSync, closeSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pino} from 'pino'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {createLogger} from '../../src/logging/logger.js'
import {tempDir} from '../helpers/paths.js'

let dir: {path: string; cleanup: () => Promise<void>}
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(() => dir.cleanup())

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))

describe('logger', () => {
  it('redacts secret-bearing fields', async () => {
    const file = join(dir.path, 'log')
    const fd = openSync(file, 'w')
    const logger = createLogger('info', fd)
    logger.info({api_key: 'sk-secret', headers: {authorization: 'Bearer x'}}, 'hello')
    // The writer is asynchronous: wait until the line is in the file.
    await vi.waitFor(() => expect(lines(file)[0]).toMatchObject({api_key: '[REDACTED]', headers: {authorization: '[REDACTED]'}, msg: 'hello'}))
    closeSync(fd)
  })

  it('a write failure drops lines instead of throwing or hanging, and writing resumes later saying how many were lost', async () => {
    const file = join(dir.path, 'log')
    const fd = openSync(file, 'w')
    const logger = createLogger('info', fd, {retryWritesMs: 100})
    logger.info('before')
    await new Promise<void>((resolve) => logger.flush(() => resolve()))
    // What sonic-boom does when a write fails with ENOSPC (no listener would make it an uncaught exception).
    const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as NodeJS.EventEmitter
    stream.emit('error', Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'}))
    for (let i = 0; i < 5; i++) logger.info({i}, 'dropped')
    // flushSync (pino's exit hook) must not loop on the failure.
    ;(stream as unknown as {flushSync(): void}).flushSync()
    await vi.waitFor(async () => {
      logger.info('after')
      await new Promise<void>((resolve) => logger.flush(() => resolve()))
      expect(lines(file).some((l) => l.msg === 'after')).toBe(true)
    })
    const written = lines(file)
    expect(written.map((l) => l.msg)).not.toContain('dropped')
    expect(written.find((l) => l.dropped_lines !== undefined)).toMatchObject({dropped_lines: expect.any(Number), msg: expect.stringContaining('lines were dropped')})
    expect(written.find((l) => l.dropped_lines !== undefined).dropped_lines).toBeGreaterThanOrEqual(5)
    closeSync(fd)
  })
})

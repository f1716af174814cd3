import {describe, expect, it} from 'vitest'
import {retryFinalWrites} from '../../daemon/run.js'

describe('retryFinalWrites (shutdown on a full disk)', () => {
  const logger = () => {
    const lines: string[] = []
    return {lines, error: (_fields: unknown, message?: string) => void lines.push(String(message))}
  }

  it('retries a failed write until it goes through, and then reports nothing lost', async () => {
    const log = logger()
    let failures = 2
    const lost = await retryFinalWrites(log as never, [{what: 'store', retry: async () => {
      if (failures-- > 0) throw new Error('ENOSPC')
    }}], {retries: 5, intervalMs: 1})
    expect(lost).toBeNull()
    expect(log.lines).toEqual(['final store write failed; retrying in 0.001 s', 'final store write failed; retrying in 0.001 s'])
  })

  it('a write with no retries (the store: a failed write was rolled back) fails at once', async () => {
    let tries = 0
    const lost = await retryFinalWrites(logger() as never, [{what: 'store', retries: 0, retry: async () => {
      tries++
      throw new Error('ENOSPC')
    }}], {retries: 5, intervalMs: 1})
    expect(lost?.message).toBe('ENOSPC')
    expect(tries).toBe(1)
  })

  it('gives up after the retries with the error, and still tries the other writes', async () => {
    const log = logger()
    let storeWritten = false
    const lost = await retryFinalWrites(
      log as never,
      [
        {what: 'usage and journals', first: new Error('ENOSPC'), retry: () => Promise.reject(new Error('ENOSPC'))},
        {what: 'store', retry: async () => void (storeWritten = true)},
      ],
      {retries: 2, intervalMs: 1},
    )
    expect(lost?.message).toBe('ENOSPC')
    expect(storeWritten).toBe(true)
    expect(log.lines.at(-1)).toBe('final usage and journals write failed: what was not written is lost')
  })
})

describe('effectiveSettings (the start-up log line)', () => {
  it('lists what is in effect and says whether each secret is set, never its value', async () => {
    const {effectiveSettings} = await import('../../daemon/run.js')
    const {resolveDaemonConfig} = await import('../../daemon/config.js')
    const config = resolveDaemonConfig({drainTimeoutSecs: 5}, {TOKENHUB_ADMIN_TOKEN: 'admin-token-secret-0123456789', TOKENHUB_VAULT_PASSWORD: 'vault-password-secret', TOKENHUB_METRICS_TOKEN: 'metrics-secret'})
    const settings = effectiveSettings(config)
    expect(settings).toMatchObject({drainTimeoutSecs: 5, providerTimeoutSecs: 60, admin_token_from_env: true, vault_password_from_env: true, metrics_token_set: true})
    expect(JSON.stringify(settings)).not.toMatch(/secret/)
  })
})

describe('diskProblem (a start that cannot write its data dir)', () => {
  it('words a full disk, a quota and a read-only file system, naming the data dir; other errors are not its business', async () => {
    const {diskProblem} = await import('../../daemon/process.js')
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
    expect(diskProblem(full, '/var/lib/tokenhub')).toBe('cannot write to the data dir /var/lib/tokenhub: the disk holding it is full (ENOSPC)')
    const readOnly = Object.assign(new Error('EROFS'), {code: 'EROFS', path: '/var/lib/tokenhub/store.age'})
    expect(diskProblem(readOnly, '/var/lib/tokenhub')).toContain('read-only file system (EROFS at /var/lib/tokenhub/store.age)')
    expect(diskProblem(Object.assign(new Error('x'), {code: 'EACCES'}), '/d')).toBeNull()
    expect(diskProblem(new Error('plain'), '/d')).toBeNull()
  })
})

import {mkdtempSync, rmSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {createStoreKey} from '../../src/store/store-key.js'
import {UsageLedger} from '../../src/store/usage-ledger.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, {recursive: true, force: true})))

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'))
  dirs.push(dir)
  const key = await createStoreKey(join(dir, 'store.key'), new Date())
  let clock = new Date('2026-11-30T23:59:59.000Z')
  const open = () => UsageLedger.open({file: join(dir, 'usage.age'), key, now: () => clock, flushIntervalMs: 60_000})
  return {dir, open, setClock: (d: string) => (clock = new Date(d))}
}

describe('UsageLedger', () => {
  it('adds spend per key, keeps it across a reopen, and ignores nonsense amounts', async () => {
    const {open} = await setup()
    const ledger = await open()
    ledger.addSpend('k1', 0.25)
    ledger.addSpend('k1', 0.5)
    ledger.addSpend('k1', -3)
    ledger.addSpend('k1', Number.NaN)
    ledger.addSpend('k2', 1)
    ledger.touch('k1', Date.parse('2026-11-30T12:00:00Z'))
    expect(ledger.spend('k1')).toBeCloseTo(0.75)
    await ledger.close()
    const again = await open()
    expect(again.spend('k1')).toBeCloseTo(0.75)
    expect(again.spend('k2')).toBe(1)
    expect(again.spend('unknown')).toBe(0)
    expect(again.lastUsed('k1')).toBe('2026-11-30T12:00:00.000Z')
    await again.close()
  })

  it('close() rejects while usage.age cannot be written, and a later close() writes it (the daemon retries at shutdown)', async () => {
    const {dir, open} = await setup()
    const ledger = await open()
    ledger.addSpend('k1', 0.054)
    const {mkdirSync, rmdirSync} = await import('node:fs')
    rmSync(join(dir, 'usage.age'), {force: true})
    mkdirSync(join(dir, 'usage.age'))
    await expect(ledger.close()).rejects.toThrow(/usage.age could not be written/)
    rmdirSync(join(dir, 'usage.age'))
    await ledger.close()
    const again = await open()
    expect(again.spend('k1')).toBeCloseTo(0.054)
    await again.close()
  })

  it('starts a new month at zero spend when the clock crosses into it, keeping last use', async () => {
    const {open, setClock} = await setup()
    const ledger = await open()
    ledger.addSpend('k1', 2)
    ledger.touch('k1', Date.parse('2026-11-30T23:59:00Z'))
    expect(ledger.month).toBe('2026-11')
    setClock('2026-12-01T00:00:00.000Z')
    expect(ledger.spend('k1')).toBe(0)
    expect(ledger.month).toBe('2026-12')
    ledger.addSpend('k1', 0.1)
    expect(ledger.spend('k1')).toBeCloseTo(0.1)
    expect(ledger.lastUsed('k1')).toBe('2026-11-30T23:59:00.000Z')
    await ledger.close()
  })

  it('never discards spend when the clock steps back across a month boundary (NTP step, RTC before sync)', async () => {
    const {open, setClock} = await setup()
    setClock('2027-01-01T00:00:05.000Z')
    const ledger = await open()
    ledger.addSpend('k1', 0.05)
    setClock('2026-12-31T23:59:58.000Z')
    expect(ledger.month).toBe('2027-01')
    expect(ledger.spend('k1')).toBeCloseTo(0.05)
    ledger.addSpend('k1', 0.01)
    setClock('2027-01-01T00:01:00.000Z')
    expect(ledger.month).toBe('2027-01')
    expect(ledger.spend('k1')).toBeCloseTo(0.06)
    await ledger.close()
    // A daemon started while the clock is still in the previous month keeps the file's month.
    setClock('2026-12-31T23:00:00.000Z')
    const early = await open()
    expect(early.spend('k1')).toBeCloseTo(0.06)
    early.touch('k1', Date.parse('2026-12-31T23:00:00Z'))
    await early.close()
    setClock('2027-01-15T00:00:00.000Z')
    const synced = await open()
    expect(synced.month).toBe('2027-01')
    expect(synced.spend('k1')).toBeCloseTo(0.06)
    // Forward still rolls.
    setClock('2027-02-01T00:00:00.000Z')
    expect(synced.spend('k1')).toBe(0)
    await synced.close()
  })

  it('holds reservations in memory only, per key, and releases them exactly', async () => {
    const {open} = await setup()
    const ledger = await open()
    ledger.reserve('k1', 0.3)
    ledger.reserve('k1', 0.2)
    expect(ledger.reservedFor('k1')).toBeCloseTo(0.5)
    ledger.release('k1', 0.3)
    ledger.release('k1', 0.2)
    expect(ledger.reservedFor('k1')).toBe(0)
    ledger.reserve('k1', 1)
    await ledger.close()
    const again = await open()
    expect(again.reservedFor('k1')).toBe(0)
    await again.close()
  })

  it('refuses a ledger file that is not one, without overwriting it', async () => {
    const {dir, open} = await setup()
    writeFileSync(join(dir, 'usage.age'), 'not an age file')
    const error = await open().catch((e) => e)
    expect(error.message).toContain(`${join(dir, 'usage.age')}: cannot be decrypted`)
    // It says what moving it aside costs.
    expect(error.message).toContain('resets every key\'s spend for this month to $0')
    expect(readFileSync(join(dir, 'usage.age'), 'utf8')).toBe('not an age file')
  })
})

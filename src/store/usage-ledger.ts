import {AgeJsonAdapter} from './age-json-adapter.js'
import {StoreOpenError} from './store-error.js'
import type {StoreKey} from './store-key.js'

interface LedgerFile {
  /** UTC month the spend figures belong to, "2026-11". */
  month: string
  spend_usd: Record<string, number>
  last_used_at: Record<string, string>
}

export interface UsageLedgerOptions {
  file: string
  key: StoreKey
  now?: () => Date
  flushIntervalMs?: number
  onError?: (error: Error) => void
}

const monthOf = (date: Date) => date.toISOString().slice(0, 7)

/**
 * Per-key spend for the current UTC month (the latest month the clock has reached: it never rolls
 * back) and last-use times. Updated in memory on the request
 * path; written (age-encrypted, atomically) at most once per interval when something changed and
 * on close, so at most about a second of accounting is at risk on a hard crash.
 */
export class UsageLedger {
  private dirty = false
  private monthStart = 0
  private monthEnd = 0
  /** Last use per key as epoch ms, merged into the file's ISO strings when it is written. */
  private readonly lastUse = new Map<string, number>()
  /** Money held for requests in flight (their maximum cost), per key; never persisted. */
  private readonly reserved = new Map<string, number>()
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()
  /** Epoch ms: rollMonth runs several times per request, and needs a Date only when the month turns. */
  private readonly nowMs: () => number

  private constructor(
    private state: LedgerFile,
    private readonly adapter: AgeJsonAdapter<LedgerFile>,
    private readonly options: UsageLedgerOptions,
  ) {
    const now = options.now
    this.nowMs = now ? () => now().getTime() : Date.now
  }

  static async open(options: UsageLedgerOptions): Promise<UsageLedger> {
    const adapter = new AgeJsonAdapter<LedgerFile>(options.file, options.key)
    // Only spend lives here: say what moving it aside costs, so nobody deletes it unawares.
    const remedy = 'restore it from a backup; or move it aside to start again, which resets every key\'s spend for this month to $0 (budgets count from zero)'
    const raw = await adapter.read().catch((error: unknown) => {
      throw error instanceof StoreOpenError ? new StoreOpenError(options.file, `${error.message.slice(options.file.length + 2)}; ${remedy}`) : error
    })
    if (raw !== null && (typeof raw !== 'object' || typeof raw.month !== 'string' || typeof raw.spend_usd !== 'object')) {
      throw new StoreOpenError(options.file, `decrypted, but does not hold a usage ledger; ${remedy}`)
    }
    const now = (options.now ?? (() => new Date()))()
    const state: LedgerFile = raw ?? {month: monthOf(now), spend_usd: {}, last_used_at: {}}
    state.last_used_at ??= {}
    const ledger = new UsageLedger(state, adapter, options)
    ledger.timer = setInterval(() => void ledger.flush(), options.flushIntervalMs ?? 1000)
    ledger.timer.unref()
    return ledger
  }

  /** Spend of the current UTC month. */
  spend(keyId: string): number {
    this.rollMonth()
    return Object.hasOwn(this.state.spend_usd, keyId) ? this.state.spend_usd[keyId] : 0
  }

  addSpend(keyId: string, usd: number): void {
    if (!(usd > 0) || !Number.isFinite(usd)) return
    this.rollMonth()
    this.state.spend_usd[keyId] = this.spend(keyId) + usd
    this.dirty = true
  }

  /** On every request: a map write, no date formatting. */
  reservedFor(keyId: string): number {
    return this.reserved.get(keyId) ?? 0
  }

  /** Holds a request's maximum cost until it settles, so parallel requests see each other. */
  reserve(keyId: string, usd: number): void {
    if (usd > 0 && Number.isFinite(usd)) this.reserved.set(keyId, this.reservedFor(keyId) + usd)
  }

  release(keyId: string, usd: number): void {
    if (!(usd > 0)) return
    const left = this.reservedFor(keyId) - usd
    if (left > 1e-12) this.reserved.set(keyId, left)
    else this.reserved.delete(keyId)
  }

  touch(keyId: string, at: number): void {
    this.lastUse.set(keyId, at)
    this.dirty = true
  }

  lastUsed(keyId: string): string | null {
    const at = this.lastUse.get(keyId)
    if (at !== undefined) return new Date(at).toISOString()
    return Object.hasOwn(this.state.last_used_at, keyId) ? this.state.last_used_at[keyId] : null
  }

  get month(): string {
    this.rollMonth()
    return this.state.month
  }

  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return
      this.dirty = false
      for (const [keyId, at] of this.lastUse) this.state.last_used_at[keyId] = new Date(at).toISOString()
      this.lastUse.clear()
      try {
        await this.adapter.write(this.state)
      } catch (error) {
        this.dirty = true
        this.options.onError?.(error as Error)
      }
    })
    return this.writing
  }

  /** Stops the timer and writes what is pending; rejects when that write fails (call again to retry). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.flush()
    if (this.dirty) throw new Error('usage.age could not be written: spend and last-use times since its last write are not on disk')
  }

  /**
   * Called per request: the month string is only recomputed once the clock leaves the cached month.
   * While the clock is behind the ledger's month, that month stays current.
   */
  private rollMonth(): void {
    const ms = this.nowMs()
    if (ms >= this.monthStart && ms < this.monthEnd) return
    const now = new Date(ms)
    this.monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
    this.monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)
    const month = monthOf(now)
    // Only forward ("YYYY-MM" compares lexically): a clock stepped back, or a daemon started before
    // NTP has synced, keeps the later month's spend instead of discarding it.
    if (month > this.state.month) {
      this.state = {month, spend_usd: {}, last_used_at: this.state.last_used_at}
      this.dirty = true
    }
  }
}

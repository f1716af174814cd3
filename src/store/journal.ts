import {identityToRecipient} from 'age-encryption'
import {open, readdir, rename, stat, unlink, type FileHandle} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {syncDirectory} from './atomic-file.js'
import {ensureDataDir} from './data-dir.js'
import {encodeFrame, encodeLine, readFrames} from './journal-frames.js'
import {NativeAgeDecrypter, NativeAgeEncrypter} from './native-age.js'
import {parseSegmentFileName, segmentFileName} from './journal-names.js'

export interface JournalOptions {
  /** e.g. <data dir>/journal; created 0700 if missing (and tightened if wider, like the data dir). */
  dir: string
  /** age X25519 recipient ("age1...") every frame is encrypted to. */
  recipient: string
  /** The matching "AGE-SECRET-KEY-1..." used when reading. */
  identity: string
  /** Background flush period; at most about this much data is at risk on a hard crash. Default 1000. */
  flushIntervalMs?: number
  /** Flush early once this many records are buffered; also the most records in one frame. Default 5000. */
  maxBufferedRecords?: number
  /**
   * Flush early once the buffered JSON reaches this size (UTF-16 units, about bytes); also the
   * largest frame. Encryption runs on the event loop without yielding, so frames stay small enough
   * to encrypt in a few milliseconds. Default 1 MiB.
   */
  maxBufferedBytes?: number
  /**
   * While writes keep failing, records pile up in memory; past this size new records are dropped
   * (counted in `droppedRecords`, reported once through onError) rather than growing until the
   * process dies and loses everything. Default 64 MiB.
   */
  maxPendingBytes?: number
  /** Start a new segment once the current one reaches this size. Default 16 MiB. */
  maxSegmentBytes?: number
  now?: () => Date
  /** Failures of flushes nobody awaits (timer, size trigger) and of segment renames; records stay buffered and the next flush retries. */
  onError?: (error: Error) => void
}

export interface JournalEntry {
  record: unknown
  /** When the journal accepted the record (its clock at append time), ISO 8601. */
  at: string
  /** Path of the segment file. */
  file: string
  /** Index of the encrypted batch in the file. */
  frame: number
}

export interface JournalReadIssue {
  file: string
  /** Byte offset of the frame (its length header) in the file. */
  offset: number
  message: string
}

export interface JournalSegment {
  file: string
  bytes: number
  /** Time of the segment's first record. */
  firstAt: string | null
  /** Time of its newest record; null when unknown (a segment left unsealed that cannot be decrypted). */
  lastAt: string | null
}

interface Pending {
  at: string
  line: string
}

interface ActiveSegment {
  seq: number
  path: string
  handle: FileHandle
  /** Bytes of complete, synced frames; a frame being written is not counted until it is synced. */
  bytes: number
  frames: number
  firstAt: string
  lastAt: string | null
}

interface ListedSegment {
  seq: number
  path: string
  firstAt: string
  lastAt: string | null
  sealed: boolean
}

interface ClosedSegment {
  seq: number
  path: string
  firstAt: string
  lastAt: string
}

const DEFAULTS = {
  flushIntervalMs: 1000,
  maxBufferedRecords: 5000,
  maxBufferedBytes: 1024 * 1024,
  maxPendingBytes: 64 * 1024 * 1024,
  maxSegmentBytes: 16 * 1024 * 1024,
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))
const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT'

/**
 * Append-only, age-encrypted, segmented log of high-volume records (request logs, audit entries,
 * metric points). `append` only queues in memory; batches are encrypted and written by a single
 * writer on a timer or when the buffer fills, one fsynced frame per batch, so a hard crash loses
 * at most about one flush interval and a clean `close()` nothing.
 *
 * Segments roll over by size and at UTC midnight (a segment holds one UTC day) so retention can
 * delete whole files. Each run writes to fresh segments: a file left by a crash may end in a torn
 * frame, and appending after it would bury good frames behind damage.
 */
export class Journal {
  /** Problems met while reading (including the recovery read at open), each reported once. */
  readonly issues: JournalReadIssue[] = []
  /** Records refused because writes kept failing and the buffer was full. */
  droppedRecords = 0

  private readonly dir: string
  private readonly now: () => Date
  private readonly onError: (error: Error) => void
  private readonly limits: typeof DEFAULTS
  private readonly encrypter: NativeAgeEncrypter
  private readonly decrypter: NativeAgeDecrypter

  /** Records not yet on disk, oldest first; a write cycle removes them only once their frame is synced. */
  private buffer: Pending[] = []
  private bufferedBytes = 0
  private appended = 0
  private written = 0
  private cycle: Promise<void> | null = null
  private failing = false
  private dropReported = false
  private backgroundRunning = false
  private earlyFlushScheduled = false
  private current: ActiveSegment | null = null
  /** Segments closed but not yet renamed to their sealed name (in progress, or the rename failed). */
  private readonly unsealed = new Map<number, ClosedSegment>()
  private lastSeq = 0
  private timer: NodeJS.Timeout | null = null
  private closed = false
  private closing: Promise<void> | null = null
  private readonly issueKeys = new Set<string>()

  private constructor(options: JournalOptions) {
    this.dir = options.dir
    this.now = options.now ?? (() => new Date())
    this.onError = options.onError ?? (() => {})
    this.limits = {
      flushIntervalMs: options.flushIntervalMs ?? DEFAULTS.flushIntervalMs,
      maxBufferedRecords: options.maxBufferedRecords ?? DEFAULTS.maxBufferedRecords,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      maxPendingBytes: options.maxPendingBytes ?? DEFAULTS.maxPendingBytes,
      maxSegmentBytes: options.maxSegmentBytes ?? DEFAULTS.maxSegmentBytes,
    }
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`journal option ${name} must be a positive integer, got ${value}`)
    }
    this.encrypter = new NativeAgeEncrypter(options.recipient)
    this.decrypter = new NativeAgeDecrypter(options.identity)
  }

  static async open(options: JournalOptions): Promise<Journal> {
    // A mismatched pair would write a journal that can never be read back; refuse it up front.
    if ((await identityToRecipient(options.identity)) !== options.recipient) {
      throw new Error(`journal identity does not match recipient ${options.recipient}`)
    }
    const journal = new Journal(options)
    await ensureDataDir(options.dir)
    await journal.recover()
    journal.timer = setInterval(() => {
      if (journal.buffer.length > 0) journal.flushInBackground()
    }, journal.limits.flushIntervalMs)
    // The journal must not keep a process alive; close() is what guarantees the final flush.
    journal.timer.unref()
    return journal
  }

  /**
   * Queues a record; never waits and never throws for I/O reasons. The record is serialized now,
   * so later changes to the object are not journaled. Throws only for programming errors: a
   * record JSON cannot represent (cycles, BigInt) or a closed journal. With `type`, the stored
   * record is `{type, ...record}` (read back with its "type" field first).
   */
  append(record: object, type?: string): void {
    if (this.closed) throw new Error('journal is closed')
    let json = JSON.stringify(record) as string | undefined
    if (json === undefined) throw new TypeError('journal record does not serialize to JSON')
    // {"type": ..., ...record} without copying the record's fields into a new object first.
    if (type !== undefined) {
      if (json[0] !== '{') throw new TypeError('a typed journal record must serialize to a JSON object')
      json = json === '{}' ? `{"type":${JSON.stringify(type)}}` : `{"type":${JSON.stringify(type)},${json.slice(1)}`
    }
    const at = this.now().toISOString()
    const line = encodeLine(at, json)
    if (this.bufferedBytes + line.length > this.limits.maxPendingBytes) {
      this.droppedRecords++
      if (!this.dropReported) {
        this.dropReported = true
        this.report(new Error(`journal buffer is full (${this.bufferedBytes} bytes not yet on disk); dropping new records until a write succeeds`))
      }
      return
    }
    this.buffer.push({at, line})
    this.bufferedBytes += line.length
    this.appended++
    if (this.overThreshold() && !this.failing && !this.earlyFlushScheduled) {
      // Not inline: encryption would then run inside the caller's request handler.
      this.earlyFlushScheduled = true
      setImmediate(() => {
        this.earlyFlushScheduled = false
        this.flushInBackground()
      })
    }
  }

  /** Resolves once every record appended before the call is synced to disk; rejects if a write fails. */
  async flush(): Promise<void> {
    const target = this.appended
    while (this.written < target) {
      const before = this.written
      // One writer at a time: callers arriving during a cycle wait for it, then share the next.
      this.cycle ??= this.writeCycle().finally(() => {
        this.cycle = null
      })
      await this.cycle
      if (this.written === before && this.buffer.length === 0) break
    }
  }

  /**
   * Stops the timer, flushes and seals the current segment. Idempotent; if the final flush fails
   * it rejects, the records stay buffered, and calling close() again retries.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown().catch((error: unknown) => {
      this.closing = null
      throw error
    })
    return this.closing
  }

  /**
   * Every record on disk in append order, oldest segment first (buffered records are not on disk
   * yet: flush first to include them). With `since`, only records at or after it; sealed segments
   * whose newest record is older are skipped without being opened. Damage is reported in `issues`
   * and skipped. Never modifies files.
   */
  async *read(options: {since?: Date} = {}): AsyncGenerator<JournalEntry> {
    const since = options.since?.toISOString()
    for (const segment of await this.listSegments()) {
      if (since !== undefined && segment.lastAt !== null && segment.lastAt < since) continue
      for await (const entry of this.readSegment(segment)) {
        if (since === undefined || entry.at >= since) yield entry
      }
    }
  }

  /**
   * The newest `count` records on disk (at or after `since`), oldest first. Segments are read
   * newest first and reading stops once `count` are found, so the cost follows `count` (plus at
   * most one segment), not the size of the journal: a daemon restarts as fast after a busy month
   * as after a quiet day.
   */
  async readLatest(count: number, options: {since?: Date} = {}): Promise<JournalEntry[]> {
    const since = options.since?.toISOString()
    const newestFirst: JournalEntry[][] = []
    let found = 0
    const segments = await this.listSegments()
    for (let i = segments.length - 1; i >= 0 && found < count; i--) {
      const segment = segments[i]
      if (since !== undefined && segment.lastAt !== null && segment.lastAt < since) continue
      const entries: JournalEntry[] = []
      for await (const entry of this.readSegment(segment)) if (since === undefined || entry.at >= since) entries.push(entry)
      newestFirst.push(entries)
      found += entries.length
    }
    const all = newestFirst.reverse().flat()
    return all.length > count ? all.slice(all.length - count) : all
  }

  /** Deletes whole segments whose newest record is older than `olderThan`; never the one being written. */
  async prune(olderThan: Date): Promise<{removed: string[]}> {
    const cutoff = olderThan.toISOString()
    const removed: string[] = []
    for (const segment of await this.listSegments()) {
      // Unknown ranges (unsealed and undecryptable) are kept: they may be someone's evidence.
      if (segment.seq === this.current?.seq || segment.lastAt === null || segment.lastAt >= cutoff) continue
      try {
        await unlink(segment.path)
      } catch (error) {
        // Renamed by a seal since the listing: the next prune sees it under its new name.
        if (isMissing(error)) continue
        // Not a file (a directory under a segment's name): left alone, and reported by a read.
        if ((error as NodeJS.ErrnoException).code === 'EISDIR' || (error as NodeJS.ErrnoException).code === 'EPERM') continue
        throw error
      }
      this.unsealed.delete(segment.seq)
      removed.push(segment.path)
    }
    if (removed.length > 0) await syncDirectory(this.dir)
    return {removed}
  }

  async segments(): Promise<JournalSegment[]> {
    const result: JournalSegment[] = []
    for (const segment of await this.listSegments()) {
      let bytes: number
      if (segment.seq === this.current?.seq) bytes = this.current.bytes
      else {
        const info = await stat(segment.path).catch((error: unknown) => {
          if (isMissing(error)) return null
          throw error
        })
        if (!info) continue
        bytes = info.size
      }
      result.push({file: segment.path, bytes, firstAt: segment.firstAt, lastAt: segment.lastAt})
    }
    return result
  }

  private overThreshold(): boolean {
    return this.buffer.length >= this.limits.maxBufferedRecords || this.bufferedBytes >= this.limits.maxBufferedBytes
  }

  private report(error: unknown): void {
    try {
      this.onError(asError(error))
    } catch {
      // A throwing error handler must not turn into an unhandled rejection.
    }
  }

  private flushInBackground(): void {
    if (this.backgroundRunning) return
    this.backgroundRunning = true
    void (async () => {
      try {
        do {
          await this.flush()
        } while (!this.failing && this.overThreshold())
      } catch (error) {
        this.report(error)
      } finally {
        this.backgroundRunning = false
      }
    })()
  }

  /** Writes the records buffered when the cycle starts; records appended meanwhile wait for the next. */
  private async writeCycle(): Promise<void> {
    try {
      await this.retrySeals()
      let left = this.buffer.length
      while (left > 0) {
        const count = this.frameLength(left)
        const batch = this.buffer.slice(0, count)
        await this.writeFrame(batch)
        this.buffer.splice(0, count)
        for (const pending of batch) this.bufferedBytes -= pending.line.length
        this.written += count
        left -= count
        if (this.current && this.current.bytes >= this.limits.maxSegmentBytes) await this.sealCurrent()
      }
      this.failing = false
      this.dropReported = false
    } catch (error) {
      this.failing = true
      throw asError(error)
    }
  }

  /** How many of the first `available` buffered records go in the next frame: one UTC day, bounded size. */
  private frameLength(available: number): number {
    const day = this.buffer[0].at.slice(0, 10)
    let bytes = this.buffer[0].line.length
    let count = 1
    while (count < available && count < this.limits.maxBufferedRecords) {
      const next = this.buffer[count]
      if (next.at.slice(0, 10) !== day || bytes + next.line.length > this.limits.maxBufferedBytes) break
      bytes += next.line.length
      count++
    }
    return count
  }

  private async writeFrame(batch: Pending[]): Promise<void> {
    // node:crypto's native ChaCha20 (NativeAgeEncrypter): the pure-JS age library costs ~10x more per record.
    const ciphertext = this.encrypter.encrypt(Buffer.from(batch.map((pending) => pending.line).join('\n') + '\n'))
    const frame = encodeFrame(ciphertext)
    let segment = await this.segmentFor(batch[0].at)
    // Its file was deleted under us (a cleanup, an operator freeing space): what went there is
    // gone with it, and nothing more is written into the void: a new segment (and directory) instead.
    if ((await segment.handle.stat()).nlink === 0) {
      this.current = null
      await segment.handle.close().catch(() => {})
      this.report(new Error(`journal segment ${segment.path} was deleted while in use; the records in it are lost, new ones go to a new segment`))
      segment = await this.segmentFor(batch[0].at)
    }
    const start = segment.bytes
    try {
      await writeAll(segment.handle, frame, start)
      await segment.handle.datasync()
    } catch (error) {
      // Cut the partial frame off so the retry starts on a frame boundary; if even that fails,
      // leave this segment (its tail reads as a torn frame) and retry in a new one.
      await segment.handle.truncate(start).catch(() => this.sealCurrent())
      throw error
    }
    segment.bytes += frame.length
    segment.frames++
    for (const pending of batch) {
      if (segment.lastAt === null || pending.at > segment.lastAt) segment.lastAt = pending.at
    }
  }

  /** The segment the frame starting with a record stamped `at` belongs in: a new one on a new UTC day. */
  private async segmentFor(at: string): Promise<ActiveSegment> {
    if (this.current && this.current.firstAt.slice(0, 10) !== at.slice(0, 10)) await this.sealCurrent()
    if (this.current) return this.current
    let remade = false
    for (;;) {
      const seq = ++this.lastSeq
      const path = join(this.dir, segmentFileName(at, seq))
      let handle: FileHandle
      try {
        handle = await open(path, 'wx', 0o600)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
        // The journal directory was removed while running: made again.
        // Only the journal's own directories: a data dir that is gone stays gone (made again here
        // it would hold journals and, at the next admin change, a store without its store.key).
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !remade && (await isDirectory(dirname(dirname(this.dir))))) {
          remade = true
          this.report(new Error(`journal directory ${this.dir} was removed while in use; it is made again`))
          await ensureDataDir(this.dir)
          continue
        }
        throw error
      }
      try {
        await syncDirectory(this.dir)
      } catch (error) {
        await handle.close().catch(() => {})
        await unlink(path).catch(() => {})
        throw error
      }
      this.current = {seq, path, handle, bytes: 0, frames: 0, firstAt: at, lastAt: null}
      return this.current
    }
  }

  /** Closes the current segment and renames it to carry its time range. Never throws. */
  private async sealCurrent(): Promise<void> {
    const segment = this.current
    if (!segment) return
    this.current = null
    const closed = segment.lastAt === null ? null : {seq: segment.seq, path: segment.path, firstAt: segment.firstAt, lastAt: segment.lastAt}
    // Registered before any await so listings meanwhile still know its range.
    if (closed) this.unsealed.set(closed.seq, closed)
    await segment.handle.close().catch((error: unknown) => this.report(error))
    if (closed) await this.seal(closed)
    // No frame ever reached the disk; the file holds nothing.
    else await unlink(segment.path).catch(() => {})
  }

  private async seal(segment: ClosedSegment): Promise<void> {
    this.unsealed.set(segment.seq, segment)
    try {
      await rename(segment.path, join(this.dir, segmentFileName(segment.firstAt, segment.seq, segment.lastAt)))
      this.unsealed.delete(segment.seq)
      await syncDirectory(this.dir)
    } catch (error) {
      // Pruned meanwhile: nothing left to name.
      if (isMissing(error)) this.unsealed.delete(segment.seq)
      else this.report(new Error(`cannot seal journal segment ${segment.path} (retried at the next flush): ${asError(error).message}`))
    }
  }

  private async retrySeals(): Promise<void> {
    for (const segment of [...this.unsealed.values()]) await this.seal(segment)
  }

  /**
   * Seals segments a crash left unsealed: their time range is only inside the ciphertext, so it
   * is read once here and put in the name. Empty files (created, never written) are removed.
   */
  private async recover(): Promise<void> {
    const segments = await this.listSegments()
    for (const segment of segments) this.lastSeq = Math.max(this.lastSeq, segment.seq)
    for (const segment of segments) {
      if (segment.sealed) continue
      if ((await stat(segment.path)).size === 0) {
        await unlink(segment.path)
        continue
      }
      let newest: string | null = null
      for await (const entry of this.readSegment(segment)) {
        if (newest === null || entry.at > newest) newest = entry.at
      }
      if (newest !== null) await this.seal({seq: segment.seq, path: segment.path, firstAt: segment.firstAt, lastAt: newest})
    }
  }

  /** Segments on disk in append order, with ranges this process knows but has not yet put in a name. */
  private async listSegments(): Promise<ListedSegment[]> {
    const segments: ListedSegment[] = []
    for (const name of await readdir(this.dir)) {
      const parsed = parseSegmentFileName(name)
      if (!parsed) continue
      const known = parsed.lastAt ?? (this.current?.seq === parsed.seq ? this.current.lastAt : (this.unsealed.get(parsed.seq)?.lastAt ?? null))
      segments.push({seq: parsed.seq, path: join(this.dir, name), firstAt: parsed.firstAt, lastAt: known, sealed: parsed.lastAt !== null})
    }
    return segments.sort((a, b) => a.seq - b.seq || a.path.localeCompare(b.path))
  }

  private async *readSegment(segment: ListedSegment): AsyncGenerator<JournalEntry> {
    let path = segment.path
    let sealed = segment.sealed
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (error) {
      if (!isMissing(error)) throw error
      // Sealed (renamed) since it was listed, or pruned.
      const renamed = (await this.listSegments()).find((candidate) => candidate.seq === segment.seq)
      if (!renamed) return
      path = renamed.path
      sealed = renamed.sealed
      handle = await open(path, 'r')
    }
    try {
      // The segment being written may hold a frame in flight; read only what is synced.
      const stat = await handle.stat()
      const size = this.current?.seq === segment.seq ? this.current.bytes : stat.size
      const issue = (offset: number, message: string) => this.addIssue({file: path, offset, message})
      if (stat.isDirectory()) {
        issue(0, 'a directory where a journal segment should be; skipped')
        return
      }
      // A segment gets its sealed name only after holding records: empty, they were lost (truncated).
      if (sealed && size === 0) issue(0, 'sealed segment is empty (truncated): the records it held are lost')
      for await (const {record, at, frame} of readFrames(handle, size, this.decrypter, issue)) {
        yield {record, at, file: path, frame}
      }
    } finally {
      await handle.close()
    }
  }

  private addIssue(issue: JournalReadIssue): void {
    const key = `${issue.file}\0${issue.offset}\0${issue.message}`
    if (this.issueKeys.has(key)) return
    this.issueKeys.add(key)
    this.issues.push(issue)
  }

  private async shutdown(): Promise<void> {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.flush()
    await this.sealCurrent()
    await this.retrySeals()
  }
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0
  while (done < data.length) {
    const {bytesWritten} = await handle.write(data, done, data.length - done, position + done)
    done += bytesWritten
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  )
}

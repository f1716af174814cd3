import {generateX25519Identity, identityToRecipient} from 'age-encryption'
import {appendFile, copyFile, mkdtemp, open, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest'
import {Journal, type JournalEntry, type JournalOptions} from '../../src/store/journal.js'
import {parseSegmentFileName} from '../../src/store/journal-names.js'

let identity: string
let recipient: string
let root: string
let dir: string
const opened: Journal[] = []

beforeAll(async () => {
  identity = await generateX25519Identity()
  recipient = await identityToRecipient(identity)
})

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokenhub-journal-'))
  dir = join(root, 'journal')
})

afterEach(async () => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  for (const journal of opened.splice(0)) await journal.close().catch(() => {})
  await rm(root, {recursive: true, force: true})
})

afterAll(() => {
  vi.restoreAllMocks()
})

/** A clock the test moves by hand. */
function manualClock(iso: string) {
  let time = new Date(iso).getTime()
  return {
    now: () => new Date(time),
    set: (next: string) => {
      time = new Date(next).getTime()
    },
  }
}

async function openJournal(options: Partial<JournalOptions> = {}): Promise<Journal> {
  const journal = await Journal.open({dir, recipient, identity, ...options})
  opened.push(journal)
  return journal
}

async function collect(iterable: AsyncIterable<JournalEntry>): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = []
  for await (const entry of iterable) entries.push(entry)
  return entries
}

const ids = (entries: JournalEntry[]) => entries.map((entry) => (entry.record as {i: number}).i)
const range = (from: number, to: number) => Array.from({length: to - from}, (_, k) => from + k)

async function segmentFiles(where = dir): Promise<string[]> {
  return (await readdir(where)).filter((name) => name.endsWith('.jrnl')).sort()
}

/** Byte offsets of the frames of a segment, from their length headers. */
function frameOffsets(bytes: Buffer): number[] {
  const offsets: number[] = []
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4 + bytes.readUInt32BE(offset)) offsets.push(offset)
  return offsets
}

/** The prototype of fs FileHandle objects, to make a disk operation fail on demand. */
async function fileHandlePrototype() {
  const handle = await open(join(root, 'probe'), 'w')
  await handle.close()
  return Object.getPrototypeOf(handle) as {datasync: () => Promise<void>; truncate: (len?: number) => Promise<void>; write: (...args: unknown[]) => Promise<{bytesWritten: number}>}
}

const ioError = (code: string) => Object.assign(new Error(`${code}: simulated disk failure`), {code})

describe('Journal', () => {
  it('returns every record in append order after close and reopen', async () => {
    const journal = await openJournal()
    for (const i of range(0, 50)) journal.append({i, kind: 'request'})
    await journal.flush()
    for (const i of range(50, 120)) journal.append({i, kind: 'request'})
    await journal.close()
    await journal.close() // idempotent

    const reopened = await openJournal()
    const entries = await collect(reopened.read())
    expect(ids(entries)).toEqual(range(0, 120))
    expect(entries[0].record).toEqual({i: 0, kind: 'request'})
    expect(entries[0].frame).toBe(0)
    expect(entries[119].frame).toBe(1)
    expect(entries[0].file.startsWith(dir)).toBe(true)
    expect(reopened.issues).toEqual([])
  })

  it('snapshots a record at append time', async () => {
    const journal = await openJournal()
    const record = {i: 1, status: 'pending'}
    journal.append(record)
    record.status = 'changed later'
    await journal.flush()
    expect((await collect(journal.read()))[0].record).toEqual({i: 1, status: 'pending'})
  })

  it('stores a typed record as {type, ...record}, empty records included', async () => {
    const journal = await openJournal()
    journal.append({request_id: 'r1', status_code: 200}, 'request')
    journal.append({}, 'audit')
    await journal.flush()
    const records = (await collect(journal.read())).map((e) => e.record)
    expect(records).toEqual([{type: 'request', request_id: 'r1', status_code: 200}, {type: 'audit'}])
    expect(Object.keys(records[0] as object)[0]).toBe('type')
    expect(() => journal.append([1, 2] as unknown as object, 'request')).toThrow(TypeError)
  })

  it('writes to a new segment after reopening and seals the old one with its time range', async () => {
    const clock = manualClock('2026-11-23T12:45:01.123Z')
    const first = await openJournal({now: clock.now})
    first.append({i: 0})
    clock.set('2026-11-23T13:00:00.000Z')
    first.append({i: 1})
    await first.close()
    expect(await segmentFiles()).toEqual(['20261123T124501.123Z-00000001_20261123T130000.000Z.jrnl'])

    clock.set('2026-11-23T14:00:00.000Z')
    const second = await openJournal({now: clock.now})
    second.append({i: 2})
    await second.flush()
    const segments = await second.segments()
    expect(segments.map((segment) => [segment.firstAt, segment.lastAt])).toEqual([
      ['2026-11-23T12:45:01.123Z', '2026-11-23T13:00:00.000Z'],
      ['2026-11-23T14:00:00.000Z', '2026-11-23T14:00:00.000Z'],
    ])
    expect(segments[1].file).toBe(join(dir, '20261123T140000.000Z-00000002.jrnl'))
    expect(segments[1].bytes).toBe((await stat(segments[1].file)).size)
    expect(ids(await collect(second.read()))).toEqual([0, 1, 2])
  })

  it('keeps records appended while a flush is in progress, in order, with one writer at a time', async () => {
    const journal = await openJournal()
    // Hold the first frame's fsync open; every frame goes through it, one writer at a time.
    const proto = await fileHandlePrototype()
    const original = proto.datasync as (this: unknown) => Promise<void>
    let inFlight = 0
    let maxInFlight = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let started!: () => void
    const firstEncryptStarted = new Promise<void>((resolve) => {
      started = resolve
    })
    vi.spyOn(proto, 'datasync').mockImplementation(async function (this: unknown) {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      started()
      await gate
      try {
        return await original.call(this)
      } finally {
        inFlight--
      }
    } as never)

    for (const i of range(0, 100)) journal.append({i})
    const firstFlush = journal.flush()
    await firstEncryptStarted
    for (const i of range(100, 200)) journal.append({i})
    const concurrent = [journal.flush(), journal.flush()]
    for (const i of range(200, 250)) journal.append({i})
    release()
    await Promise.all([firstFlush, ...concurrent])
    await journal.flush()

    expect(maxInFlight).toBe(1)
    expect(ids(await collect(journal.read()))).toEqual(range(0, 250))
  })

  it('a segment or the whole directory deleted while in use: reported, and later records go to a new segment (they were written into the void)', async () => {
    const onError = vi.fn()
    const journal = await openJournal({onError})
    journal.append({i: 0})
    await journal.flush()
    for (const name of await segmentFiles()) await rm(join(dir, name))
    journal.append({i: 1})
    await journal.flush()
    expect(onError.mock.calls.map(([error]) => error.message).join('\n')).toContain('was deleted while in use')
    expect(ids(await collect(journal.read()))).toEqual([1])
    await rm(dir, {recursive: true})
    journal.append({i: 2})
    await journal.flush()
    expect(onError.mock.calls.map(([error]) => error.message).join('\n')).toContain('was removed while in use; it is made again')
    expect(ids(await collect(journal.read()))).toEqual([2])
    expect(await segmentFiles()).toHaveLength(1)
  })

  it('a data dir that is gone is not made again by the journal (it would end up with a store and no store.key)', async () => {
    const onError = vi.fn()
    const dataDir = join(root, 'data')
    const journal = await openJournal({dir: join(dataDir, 'journal', 'requests'), onError})
    journal.append({i: 0})
    await journal.flush()
    await rm(dataDir, {recursive: true})
    journal.append({i: 1})
    await expect(journal.flush()).rejects.toThrow(/ENOENT/)
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/)
  })

  it('reports a failed background flush through onError, keeps the records and writes them on the next flush', async () => {
    const onError = vi.fn()
    const journal = await openJournal({onError, maxBufferedRecords: 10})
    const proto = await fileHandlePrototype()
    vi.spyOn(proto, 'datasync').mockRejectedValueOnce(ioError('EIO'))

    for (const i of range(0, 10)) journal.append({i}) // reaching maxBufferedRecords triggers a background flush
    await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1))
    expect(onError.mock.calls[0][0].message).toContain('EIO')

    await journal.flush()
    const entries = await collect(journal.read())
    expect(ids(entries)).toEqual(range(0, 10))
    // The frame whose sync failed was cut off again: the file holds exactly one frame.
    expect(new Set(entries.map((entry) => entry.frame))).toEqual(new Set([0]))
    expect(journal.issues).toEqual([])
  })

  it('rejects an explicit flush that fails and succeeds on retry without duplicates or torn frames', async () => {
    const journal = await openJournal()
    journal.append({i: 0})
    await journal.flush()
    const proto = await fileHandlePrototype()
    const write = proto.write
    // Half a frame reaches the disk, then the disk is full.
    vi.spyOn(proto, 'write').mockImplementationOnce(async function (this: unknown, ...args: unknown[]) {
      const [buffer, offset, length, position] = args as [Buffer, number, number, number]
      await write.call(this, buffer, offset, Math.floor(length / 2), position)
      throw ioError('ENOSPC')
    })
    journal.append({i: 1})
    await expect(journal.flush()).rejects.toThrow('ENOSPC')
    journal.append({i: 2})
    await journal.flush()
    expect(ids(await collect(journal.read()))).toEqual([0, 1, 2])
    expect(journal.issues).toEqual([])
  })

  it('moves to a new segment when a failed frame cannot be cut off', async () => {
    const journal = await openJournal()
    journal.append({i: 0})
    await journal.flush()
    const proto = await fileHandlePrototype()
    const write = proto.write
    vi.spyOn(proto, 'write').mockImplementationOnce(async function (this: unknown, ...args: unknown[]) {
      const [buffer, offset, length, position] = args as [Buffer, number, number, number]
      await write.call(this, buffer, offset, Math.floor(length / 2), position)
      throw ioError('EIO')
    })
    vi.spyOn(proto, 'truncate').mockRejectedValueOnce(ioError('EIO'))
    journal.append({i: 1})
    await expect(journal.flush()).rejects.toThrow('EIO')
    await journal.flush()
    await journal.close()

    const files = await segmentFiles()
    expect(files).toHaveLength(2)
    expect(files.every((name) => parseSegmentFileName(name)?.lastAt !== null)).toBe(true)
    const reader = await openJournal()
    expect(ids(await collect(reader.read()))).toEqual([0, 1])
    expect(reader.issues).toHaveLength(1)
    expect(reader.issues[0].file).toBe(join(dir, files[0]))
    expect(reader.issues[0].message).toContain('truncated final frame')
  })

  it('reports a sealed segment emptied (truncated to 0 bytes) and a directory among the segments, instead of skipping them silently', async () => {
    const journal = await openJournal()
    journal.append({i: 0})
    await journal.close()
    const [sealed] = await segmentFiles()
    const {truncate, mkdir} = await import('node:fs/promises')
    await truncate(join(dir, sealed), 0)
    await mkdir(join(dir, '20261201T000000.000Z-00000099_20261201T000001.000Z.jrnl'))
    const reader = await openJournal()
    expect(await collect(reader.read())).toEqual([])
    expect(reader.issues.map((issue) => issue.message)).toEqual([
      'sealed segment is empty (truncated): the records it held are lost',
      'a directory where a journal segment should be; skipped',
    ])
    // Pruning passes over the directory instead of failing on it.
    expect((await reader.prune(new Date('2030-01-01T00:00:00Z'))).removed).toEqual([join(dir, sealed)])
    await reader.close()
  })

  it('flushes on its timer', async () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    const journal = await openJournal({flushIntervalMs: 1000})
    journal.append({i: 0})
    expect(await journal.segments()).toEqual([])
    vi.advanceTimersByTime(1000)
    await vi.waitFor(async () => expect((await journal.segments())[0]?.bytes).toBeGreaterThan(0))
    expect(ids(await collect(journal.read()))).toEqual([0])
  })

  it('starts a new segment when the current one passes maxSegmentBytes', async () => {
    const journal = await openJournal({maxSegmentBytes: 600})
    for (const batch of range(0, 5)) {
      for (const i of range(batch * 3, batch * 3 + 3)) journal.append({i, padding: 'x'.repeat(100)})
      await journal.flush()
    }
    await journal.close()
    const segments = await journal.segments()
    expect(segments.length).toBeGreaterThan(1)
    for (const segment of segments) {
      // A segment only rolls over after passing the limit, so all but the last exceed it.
      if (segment !== segments[segments.length - 1]) expect(segment.bytes).toBeGreaterThanOrEqual(600)
      expect(parseSegmentFileName(segment.file.slice(dir.length + 1))?.lastAt).not.toBeNull()
    }
    expect(ids(await collect(journal.read()))).toEqual(range(0, 15))
  })

  it('starts a new segment at UTC midnight, even inside one batch', async () => {
    const clock = manualClock('2026-11-23T23:59:59.500Z')
    const journal = await openJournal({now: clock.now})
    journal.append({i: 0})
    clock.set('2026-11-24T00:00:00.250Z')
    journal.append({i: 1})
    await journal.flush()
    clock.set('2026-11-24T08:00:00.000Z')
    journal.append({i: 2})
    await journal.close()

    const segments = await journal.segments()
    expect(segments.map((segment) => [segment.firstAt, segment.lastAt])).toEqual([
      ['2026-11-23T23:59:59.500Z', '2026-11-23T23:59:59.500Z'],
      ['2026-11-24T00:00:00.250Z', '2026-11-24T08:00:00.000Z'],
    ])
    const entries = await collect(journal.read())
    expect(ids(entries)).toEqual([0, 1, 2])
    expect(entries.map((entry) => entry.at)).toEqual(['2026-11-23T23:59:59.500Z', '2026-11-24T00:00:00.250Z', '2026-11-24T08:00:00.000Z'])
  })

  it('prunes segments whose newest record is older than the date, never the one being written', async () => {
    const clock = manualClock('2026-11-01T10:00:00.000Z')
    const journal = await openJournal({now: clock.now})
    for (const [i, day] of ['2026-11-01', '2026-11-02', '2026-11-03'].entries()) {
      clock.set(`${day}T10:00:00.000Z`)
      journal.append({i})
      await journal.flush()
    }
    const [day1, day2, day3] = await journal.segments()

    expect(await journal.prune(new Date('2026-11-01T10:00:00.000Z'))).toEqual({removed: []}) // not older, equal
    expect(await journal.prune(new Date('2026-11-02T12:00:00.000Z'))).toEqual({removed: [day1.file, day2.file]})
    // The segment being written survives any cutoff.
    expect(await journal.prune(new Date('2030-01-01T00:00:00.000Z'))).toEqual({removed: []})
    expect((await journal.segments()).map((segment) => segment.file)).toEqual([day3.file])
    expect(ids(await collect(journal.read()))).toEqual([2])

    await journal.close()
    expect((await journal.prune(new Date('2030-01-01T00:00:00.000Z'))).removed).toHaveLength(1)
    expect(await segmentFiles()).toEqual([])
  })

  it('reads only records at or after `since` and does not open segments that ended before it', async () => {
    const clock = manualClock('2026-11-01T10:00:00.000Z')
    const journal = await openJournal({now: clock.now})
    journal.append({i: 0})
    await journal.flush()
    clock.set('2026-11-02T09:00:00.000Z')
    journal.append({i: 1})
    clock.set('2026-11-02T11:00:00.000Z')
    journal.append({i: 2})
    await journal.close()

    // Spoil the old segment: a read that opened it would report issues.
    const [old] = await journal.segments()
    await writeFile(old.file, Buffer.alloc(old.bytes, 0xff))
    const entries = await collect(journal.read({since: new Date('2026-11-02T10:00:00.000Z')}))
    expect(ids(entries)).toEqual([2])
    expect(journal.issues).toEqual([])
  })

  it('readLatest gives the newest records oldest first and opens only the segments it needs', async () => {
    const journal = await openJournal({maxSegmentBytes: 600})
    for (const batch of range(0, 6)) {
      for (const i of range(batch * 3, batch * 3 + 3)) journal.append({i, padding: 'x'.repeat(100)})
      await journal.flush()
    }
    await journal.close()
    const segments = await journal.segments()
    expect(segments.length).toBeGreaterThan(3)
    // Spoil the oldest segment: reading the newest few records must not open it.
    await writeFile(segments[0].file, Buffer.alloc(segments[0].bytes, 0xff))
    expect(ids(await journal.readLatest(4))).toEqual([14, 15, 16, 17])
    expect(ids(await journal.readLatest(1))).toEqual([17])
    expect(journal.issues).toEqual([])
    expect(await journal.readLatest(0)).toEqual([])
    // Asking for more than there is reads everything (reporting the spoiled segment) and keeps the order.
    const all = ids(await journal.readLatest(1000))
    expect(all).toEqual([...all].sort((a, b) => a - b))
    expect(all.at(-1)).toBe(17)
    expect(journal.issues.length).toBeGreaterThan(0)
  })

  it('readLatest honours `since`', async () => {
    const clock = manualClock('2026-11-01T10:00:00.000Z')
    const journal = await openJournal({now: clock.now})
    journal.append({i: 0})
    await journal.flush()
    clock.set('2026-11-02T11:00:00.000Z')
    journal.append({i: 1})
    journal.append({i: 2})
    await journal.close()
    expect(ids(await journal.readLatest(10, {since: new Date('2026-11-02T00:00:00.000Z')}))).toEqual([1, 2])
    expect(ids(await journal.readLatest(10))).toEqual([0, 1, 2])
  })

  it('reports a damaged middle frame with its file and offset and still reads the other frames, without modifying the file', async () => {
    const journal = await openJournal()
    for (const frame of range(0, 3)) {
      for (const i of range(frame * 10, frame * 10 + 10)) journal.append({i})
      await journal.flush()
    }
    await journal.close()
    const [file] = (await journal.segments()).map((segment) => segment.file)
    const bytes = await readFile(file)
    const offsets = frameOffsets(bytes)
    expect(offsets).toHaveLength(3)
    const middle = offsets[1]
    bytes[middle + 4 + Math.floor(bytes.readUInt32BE(middle) / 2)] ^= 0x01
    await writeFile(file, bytes)
    const before = await stat(file)

    const reader = await openJournal()
    const entries = await collect(reader.read())
    expect(ids(entries)).toEqual([...range(0, 10), ...range(20, 30)])
    expect(entries.slice(10).every((entry) => entry.frame === 2)).toBe(true)
    expect(reader.issues).toHaveLength(1)
    expect(reader.issues[0]).toMatchObject({file, offset: middle})
    expect(reader.issues[0].message).toContain('cannot be decrypted')

    await collect(reader.read())
    expect(reader.issues).toHaveLength(1) // reported once, not per read
    expect((await readFile(file)).equals(bytes)).toBe(true)
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs)
  })

  it('ends a file at an implausible frame length', async () => {
    const journal = await openJournal()
    for (const frame of range(0, 3)) {
      journal.append({i: frame})
      await journal.flush()
    }
    await journal.close()
    const [file] = (await journal.segments()).map((segment) => segment.file)
    const bytes = await readFile(file)
    const second = frameOffsets(bytes)[1]
    bytes.writeUInt32BE(0x7fffffff, second)
    await writeFile(file, bytes)

    const reader = await openJournal()
    expect(ids(await collect(reader.read()))).toEqual([0])
    expect(reader.issues).toEqual([{file, offset: second, message: expect.stringContaining('implausible frame length')}])
  })

  it('recovers a segment left by a crash: seals it, reports and ignores its torn final frame', async () => {
    const crashed = join(root, 'crashed')
    const clock = manualClock('2026-11-23T10:00:00.000Z')
    const journal = await openJournal({now: clock.now})
    journal.append({i: 0})
    clock.set('2026-11-23T10:00:01.000Z')
    journal.append({i: 1})
    await journal.flush()
    journal.append({i: 2})
    await journal.flush()
    // What a hard crash leaves: the segment unsealed, its last frame half written.
    const [name] = await segmentFiles()
    const bytes = await readFile(join(dir, name))
    const last = frameOffsets(bytes)[1]
    await rm(crashed, {recursive: true, force: true})
    await openJournal({dir: crashed}).then((other) => other.close())
    await copyFile(join(dir, name), join(crashed, name))
    await writeFile(join(crashed, name), bytes.subarray(0, last + 40))
    await appendFile(join(crashed, 'unrelated.txt'), 'not a segment')

    const recovered = await openJournal({dir: crashed, now: clock.now})
    const [segment] = await recovered.segments()
    expect(segment.file).toBe(join(crashed, '20261123T100000.000Z-00000001_20261123T100001.000Z.jrnl'))
    expect(segment.lastAt).toBe('2026-11-23T10:00:01.000Z')
    expect(recovered.issues).toEqual([{file: join(crashed, name), offset: last, message: expect.stringContaining('truncated final frame')}])
    expect(ids(await collect(recovered.read()))).toEqual([0, 1])
    expect(recovered.issues.at(-1)).toMatchObject({file: segment.file, offset: last})

    recovered.append({i: 3})
    await recovered.flush()
    const files = (await recovered.segments()).map((s) => s.file)
    expect(files).toHaveLength(2)
    expect(files[1]).toContain('-00000002.jrnl')
  })

  it('creates the dir 0700 and segments 0600, and writes no record content in plaintext', async () => {
    const canary = `canary-${Math.random().toString(36).slice(2)}-secret`
    const journal = await openJournal()
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    for (const i of range(0, 20)) journal.append({i, prompt: canary, nested: {value: canary}})
    await journal.close()

    const files = await readdir(dir)
    expect(files.length).toBeGreaterThan(0)
    for (const name of files) {
      expect(name).not.toContain(canary)
      expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600)
      const raw = await readFile(join(dir, name))
      expect(raw.includes(Buffer.from(canary))).toBe(false)
      expect(raw.includes(Buffer.from('canary'))).toBe(false)
      expect(raw.includes(Buffer.from('"prompt"'))).toBe(false)
    }
    expect((await collect(journal.read()))[0].record).toMatchObject({prompt: canary})
  })

  it('drops records beyond maxPendingBytes of unwritten data, and says so once', async () => {
    const onError = vi.fn()
    const journal = await openJournal({onError, maxPendingBytes: 200})
    for (const i of range(0, 20)) journal.append({i, padding: 'x'.repeat(20)})
    expect(journal.droppedRecords).toBeGreaterThan(0)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0][0].message).toContain('dropping')
    await journal.flush()
    const kept = 20 - journal.droppedRecords
    expect(ids(await collect(journal.read()))).toEqual(range(0, kept))
  })

  it('refuses appends after close, records JSON cannot hold, and a mismatched key pair', async () => {
    const journal = await openJournal()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(() => journal.append(circular)).toThrow(TypeError)
    await journal.close()
    expect(() => journal.append({i: 0})).toThrow('closed')

    const otherRecipient = await identityToRecipient(await generateX25519Identity())
    await expect(Journal.open({dir, recipient: otherRecipient, identity})).rejects.toThrow('does not match')
  })
})

import {access, readdir} from 'node:fs/promises'
import {join} from 'node:path'
import {Low} from 'lowdb'
import {AgeJsonAdapter} from './age-json-adapter.js'
import {dataFiles} from './data-dir.js'
import {emptyDocument, type StoreDocument} from './document.js'
import {StoreOpenError} from './store-error.js'
import {TokenHubError} from '../core/errors.js'
import {createStoreKey, readStoreKey, type StoreKey} from './store-key.js'

/** The document's id-keyed maps. */
export type MapField = 'providers' | 'models' | 'aliases' | 'api_keys'

export interface ConfigStoreOptions {
  dataDir: string
  now?: () => Date
  /** Called when a background write fails (the next change retries it). */
  onWriteError?: (error: Error) => void
}

/**
 * The config document (providers, models, keys, vault, settings) in memory, persisted as one
 * age-encrypted lowdb file. Changes are applied synchronously in memory; `commit()` resolves once
 * they are on disk. Commits arriving together share one encryption and one write.
 */
export class ConfigStore {
  private requestedVersion = 0
  private savedVersion = 0
  private writeLoop: Promise<void> | null = null
  private readonly waiters: Array<{version: number; resolve: () => void; reject: (error: Error) => void}> = []
  /** Told how long each write (encrypt + fsync + rename) took, in seconds (for /metrics). */
  writeObserver: ((seconds: number) => void) | null = null

  private constructor(
    private readonly db: Low<StoreDocument>,
    readonly file: string,
    /** The store's age identity; the journal and usage ledger are encrypted to it too. */
    readonly key: StoreKey,
    private readonly onWriteError: (error: Error) => void,
  ) {}

  static async open(options: ConfigStoreOptions): Promise<ConfigStore> {
    const files = dataFiles(options.dataDir)
    const now = options.now ?? (() => new Date())
    let key = await readStoreKey(files.storeKey)
    const storeExists = await access(files.store).then(
      () => true,
      () => false,
    )
    if (!key) {
      if (storeExists) {
        throw new StoreOpenError(files.store, `exists but its key ${files.storeKey} is missing; restore store.key from a backup (a new key would not decrypt it)`)
      }
      key = await createStoreKey(files.storeKey, now())
    } else if (!storeExists && (await hasBeenUsed(options.dataDir))) {
      // An empty store would silently replace providers, models and keys that a restore missed.
      throw new StoreOpenError(
        files.store,
        `is missing, but this data dir has been used (store.key, usage.age or journals are here); restore store.age from a backup, or move store.key, usage.age and journal/ aside to start over empty`,
      )
    }
    const db = new Low<StoreDocument>(new AgeJsonAdapter<StoreDocument>(files.store, key), emptyDocument())
    await db.read()
    db.data = normalizeDocument(db.data, files.store)
    const store = new ConfigStore(db, files.store, key, options.onWriteError ?? (() => {}))
    if (!storeExists) await store.commit()
    return store
  }

  get data(): StoreDocument {
    return this.db.data
  }

  private readonly idCache = new Map<MapField, {version: number; ids: string[]}>()

  /**
   * The ids of one of the document's maps, in document order, remembered until the next change
   * (every change goes through update/commit): listing 100,000 API keys costs ~30 ms, which a
   * page of the key list or a dashboard poll must not pay each time.
   */
  ids(field: MapField): readonly string[] {
    const cached = this.idCache.get(field)
    if (cached?.version === this.requestedVersion) return cached.ids
    const ids = Object.keys(this.db.data[field])
    this.idCache.set(field, {version: this.requestedVersion, ids})
    return ids
  }

  /**
   * Applies a change in memory and resolves once it (and anything before it) is on disk.
   * Replace a record of a large map (api_keys) with a new object rather than editing it in place:
   * a write in progress serializes those maps slice by slice from the references it took at its
   * start (see document-json.ts).
   */
  async update<T>(change: (doc: StoreDocument) => T): Promise<T> {
    const steps: Array<() => void> = []
    let result: T
    try {
      result = change(recording(this.db.data, steps))
    } catch (error) {
      // A change that throws part-way leaves nothing behind either.
      for (const step of steps.reverse()) step()
      throw error
    }
    const done = this.commit()
    if (steps.length > 0) this.undoLog.push({version: this.requestedVersion, steps})
    try {
      await done
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error))
      const reason = (cause as NodeJS.ErrnoException).code ? `${(cause as NodeJS.ErrnoException).code}: ${cause.message.replace(/^\w+: /, '')}` : cause.message
      throw new TokenHubError('STORE_WRITE_FAILED', `the change could not be saved (${reason}), so it was undone`, {
        suggestion: `Free space or fix permissions where ${this.file} lives, then try again.`,
        cause,
      })
    }
    return result
  }

  /** Called after a failed write undid the changes that were not saved (derived caches rebuild). */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener)
  }

  private readonly undoLog: Array<{version: number; steps: Array<() => void>}> = []
  private readonly rollbackListeners: Array<() => void> = []

  /** Puts back what every change not yet on disk replaced, newest first. */
  private rollBack(): void {
    for (const entry of this.undoLog.splice(0).reverse()) for (const step of entry.steps.reverse()) step()
    this.idCache.clear()
    for (const listener of this.rollbackListeners) listener()
  }

  /** Resolves once the document as it is now has been written. */
  commit(): Promise<void> {
    const version = ++this.requestedVersion
    const done = new Promise<void>((resolve, reject) => this.waiters.push({version, resolve, reject}))
    this.writeLoop ??= this.runWriteLoop().finally(() => {
      this.writeLoop = null
    })
    return done
  }

  /** Waits for pending writes; used at shutdown. */
  async flush(): Promise<void> {
    if (this.savedVersion < this.requestedVersion) await this.commit()
  }

  private async runWriteLoop(): Promise<void> {
    // Let changes made in the same tick join this write.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.savedVersion < this.requestedVersion) {
      const version = this.requestedVersion
      try {
        const started = performance.now()
        await this.db.write()
        this.writeObserver?.((performance.now() - started) / 1000)
        this.savedVersion = version
        while (this.undoLog.length > 0 && this.undoLog[0].version <= version) this.undoLog.shift()
        this.settle(version)
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error))
        this.onWriteError(failure)
        // Nothing unsaved stays in effect: memory goes back to what is on disk, and everyone
        // waiting learns of the failure. The next change writes the whole document again.
        this.rollBack()
        this.savedVersion = this.requestedVersion
        this.settle(this.requestedVersion, failure)
        return
      }
    }
  }

  private settle(upTo: number, error?: Error): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]
      if (waiter.version > upTo) continue
      this.waiters.splice(i, 1)
      if (error) waiter.reject(error)
      else waiter.resolve()
    }
  }
}

/** Spend or journal records next to a store key: a store has been used here. */
async function hasBeenUsed(dataDir: string): Promise<boolean> {
  if (await access(join(dataDir, 'usage.age')).then(() => true, () => false)) return true
  for (const kind of ['requests', 'audit', 'metrics']) {
    const entries = await readdir(join(dataDir, 'journal', kind)).catch(() => [])
    if (entries.length > 0) return true
  }
  return false
}

const MAP_FIELDS = new Set<string | symbol>(['providers', 'models', 'aliases', 'api_keys'])

/**
 * The document as a change sees it, noting how to undo each assignment and deletion: of top-level
 * fields, and of entries of the id-keyed maps. Changes replace records rather than edit them in
 * place (see update), so that is every change there is.
 */
function recording(doc: StoreDocument, steps: Array<() => void>): StoreDocument {
  const track = <O extends object>(target: O, nested: (key: string | symbol, value: unknown) => unknown): O =>
    new Proxy(target, {
      get: (object, key) => nested(key, Reflect.get(object, key)),
      set: (object, key, value) => {
        const had = Object.hasOwn(object, key)
        const previous = Reflect.get(object, key)
        steps.push(() => (had ? Reflect.set(object, key, previous) : Reflect.deleteProperty(object, key)))
        return Reflect.set(object, key, value)
      },
      deleteProperty: (object, key) => {
        if (!Object.hasOwn(object, key)) return true
        const previous = Reflect.get(object, key)
        steps.push(() => Reflect.set(object, key, previous))
        return Reflect.deleteProperty(object, key)
      },
    })
  return track(doc, (key, value) => (MAP_FIELDS.has(key) && value && typeof value === 'object' ? track(value as object, (_, entry) => entry) : value))
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Fills fields added since the file was written; refuses documents that are not ours. */
function normalizeDocument(raw: unknown, file: string): StoreDocument {
  if (!isPlainObject(raw)) throw new StoreOpenError(file, 'decrypted, but does not hold a TokenHub store document')
  if (raw.schema_version !== 1) throw new StoreOpenError(file, `has schema_version ${String(raw.schema_version)}, which this TokenHub version does not understand`)
  const doc = {...emptyDocument(), ...raw} as StoreDocument
  for (const field of ['providers', 'models', 'aliases', 'api_keys', 'admin_token', 'settings'] as const) {
    if (!isPlainObject(doc[field])) throw new StoreOpenError(file, `field "${field}" is damaged (expected an object)`)
  }
  return doc
}

import {readFile} from 'node:fs/promises'
import type {Adapter} from 'lowdb'
import {writeFileAtomic} from './atomic-file.js'
import {documentJsonPieces, nextLoopTurn} from './document-json.js'
import {NativeAgeDecrypter, NativeAgeEncrypter} from './native-age.js'
import {StoreOpenError} from './store-error.js'
import type {StoreKey} from './store-key.js'

/**
 * lowdb adapter that keeps the document as compact JSON encrypted with age to the store's X25519
 * recipient (node:crypto, see native-age.ts: `age -d -i store.key` reads it). Writes are atomic
 * and fsynced; reads never modify the file.
 */
export class AgeJsonAdapter<T> implements Adapter<T> {
  constructor(
    private readonly path: string,
    private readonly key: StoreKey,
    /** Awaited between slices of a large document (tests count it). */
    private readonly pause: () => Promise<void> = nextLoopTurn,
  ) {}

  async read(): Promise<T | null> {
    let ciphertext: Uint8Array
    try {
      ciphertext = await readFile(this.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw new StoreOpenError(this.path, `cannot read: ${(error as Error).message}`)
    }
    let plaintext: string
    try {
      plaintext = new NativeAgeDecrypter(this.key.identity).decrypt(ciphertext).toString('utf8')
    } catch (error) {
      throw new StoreOpenError(this.path, `cannot be decrypted with the store key (${(error as Error).message}); the file is corrupt or belongs to another store.key`)
    }
    try {
      return JSON.parse(plaintext) as T
    } catch (error) {
      throw new StoreOpenError(this.path, `decrypted but is not valid JSON (${(error as Error).message})`)
    }
  }

  /**
   * Serializes (the snapshot is taken at the call, see document-json.ts) and encrypts slice by
   * slice, giving the event loop a turn between slices, then writes the file atomically.
   */
  async write(data: T): Promise<void> {
    const stream = new NativeAgeEncrypter(this.key.recipient).stream()
    const ciphertext: Buffer[] = []
    for await (const piece of documentJsonPieces(data as Record<string, unknown>, this.pause)) {
      ciphertext.push(...stream.push(Buffer.from(piece)))
    }
    ciphertext.push(...stream.end())
    await writeFileAtomic(this.path, ciphertext, 0o600)
  }
}

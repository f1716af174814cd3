import {generateX25519Identity, identityToRecipient} from 'age-encryption'
import {readFile} from 'node:fs/promises'
import {writeFileAtomic} from './atomic-file.js'
import {StoreOpenError} from './store-error.js'

export interface StoreKey {
  identity: string
  recipient: string
}

/** Reads the store identity (age-keygen format: comment lines, then AGE-SECRET-KEY-1...). */
export async function readStoreKey(path: string): Promise<StoreKey | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new StoreOpenError(path, `cannot read the store key: ${(error as Error).message}`)
  }
  const identity = text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('AGE-SECRET-KEY-1'))
  if (!identity) throw new StoreOpenError(path, 'the store key file holds no AGE-SECRET-KEY-1 identity')
  try {
    return {identity, recipient: await identityToRecipient(identity)}
  } catch (error) {
    throw new StoreOpenError(path, `the store key is not a valid age identity: ${(error as Error).message}`)
  }
}

export async function createStoreKey(path: string, now: Date): Promise<StoreKey> {
  const identity = await generateX25519Identity()
  const recipient = await identityToRecipient(identity)
  const text = `# TokenHub store key: decrypts store.age. Keep it private (0600) and back it up with the store.\n# created: ${now.toISOString()}\n# public key: ${recipient}\n${identity}\n`
  await writeFileAtomic(path, text, 0o600)
  return {identity, recipient}
}

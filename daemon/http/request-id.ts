import {randomBytes} from 'node:crypto'

/**
 * Request ids: unique, 16 hex characters, cheap. A random per-process prefix plus a counter:
 * ids are for correlation, not secrets, so no per-request randomness is needed.
 */
const prefix = randomBytes(4).toString('hex')
let counter = 0

export function newRequestId(): string {
  counter = (counter + 1) % 0x1_0000_0000
  return prefix + counter.toString(16).padStart(8, '0')
}

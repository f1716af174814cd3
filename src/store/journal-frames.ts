import type {FileHandle} from 'node:fs/promises'

/**
 * A journal segment is a sequence of frames: a 4-byte big-endian length, then that many bytes of
 * a binary age file whose plaintext is one batch as JSON Lines, one `{"at": ISO time, "record":
 * ...}` per line. One age file per batch, not per record: age's per-file header and key agreement
 * cost milliseconds, which a request path cannot pay per record.
 */

export const FRAME_HEADER_BYTES = 4
const AGE_MAGIC = Buffer.from('age-encryption.org/v1\n')

export function encodeFrame(ciphertext: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + ciphertext.length)
  frame.writeUInt32BE(ciphertext.length, 0)
  frame.set(ciphertext, FRAME_HEADER_BYTES)
  return frame
}

/** One batch line; `line` already is its JSON text. */
export function encodeLine(at: string, recordJson: string): string {
  return `{"at":${JSON.stringify(at)},"record":${recordJson}}`
}

export interface FrameRecord {
  at: string
  record: unknown
  /** Index of the frame in its file, counting damaged frames too. */
  frame: number
}

export type IssueSink = (offset: number, message: string) => void

/**
 * Yields the records of the first `size` bytes of a segment in order. Damage never throws: a
 * frame that does not decrypt or a line that does not parse is reported and skipped; a length
 * that runs past `size` ends the file (after it, frame boundaries are unknown). Read-only.
 */
/** Decrypts one whole age file (NativeAgeDecrypter). */
export interface FrameDecrypter {
  decrypt(file: Uint8Array): Buffer
}

export async function* readFrames(handle: FileHandle, size: number, decrypter: FrameDecrypter, issue: IssueSink): AsyncGenerator<FrameRecord> {
  const header = Buffer.alloc(FRAME_HEADER_BYTES)
  let offset = 0
  for (let frame = 0; offset < size; frame++) {
    const remaining = size - offset - FRAME_HEADER_BYTES
    if (remaining < 0) {
      issue(offset, `truncated frame header (${size - offset} bytes at the end of the file, a write cut short); ignored`)
      return
    }
    if ((await readAt(handle, header, offset)) < FRAME_HEADER_BYTES) {
      issue(offset, 'the file ended while reading a frame header; ignored')
      return
    }
    const length = header.readUInt32BE(0)
    if (length === 0 || length > remaining) {
      issue(offset, await describeBadLength(handle, offset, length, remaining))
      return
    }
    const body = Buffer.alloc(length)
    if ((await readAt(handle, body, offset + FRAME_HEADER_BYTES)) < length) {
      issue(offset, `frame ${frame} ends early (the file shrank while being read); ignored`)
      return
    }
    let text: string
    try {
      text = decrypter.decrypt(body).toString('utf8')
    } catch (error) {
      issue(offset, `frame ${frame} cannot be decrypted (${(error as Error).message}); skipped`)
      offset += FRAME_HEADER_BYTES + length
      continue
    }
    const lines = text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '') continue
      const parsed = parseLine(lines[i])
      if (typeof parsed === 'string') issue(offset, `frame ${frame} line ${i + 1}: ${parsed}; skipped`)
      else yield {...parsed, frame}
    }
    offset += FRAME_HEADER_BYTES + length
  }
}

/**
 * A torn tail (crash mid-write) is the last thing in the file and still starts with age's header.
 * A damaged length, by contrast, usually has further frames after it: the rest holds another header.
 */
async function describeBadLength(handle: FileHandle, offset: number, length: number, remaining: number): Promise<string> {
  const rest = Buffer.alloc(Math.max(remaining, 0))
  const got = await readAt(handle, rest, offset + FRAME_HEADER_BYTES)
  const prefix = Math.min(got, AGE_MAGIC.length)
  const torn = length > 0 && AGE_MAGIC.subarray(0, prefix).equals(rest.subarray(0, prefix)) && rest.subarray(0, got).indexOf(AGE_MAGIC, 1) === -1
  if (torn) return `truncated final frame (${remaining} of ${length} bytes present, a write cut short by a crash); ignored`
  return `implausible frame length ${length} (${remaining} bytes remain); the length is damaged, the rest of the file cannot be framed and is skipped`
}

function parseLine(line: string): {at: string; record: unknown} | string {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`
  }
  if (value === null || typeof value !== 'object' || typeof (value as {at?: unknown}).at !== 'string' || !('record' in value)) {
    return 'not a journal line (expected {"at", "record"})'
  }
  const {at, record} = value as {at: string; record: unknown}
  return {at, record}
}

/** Reads up to buffer.length bytes at position; returns how many it got (fewer only at EOF). */
async function readAt(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let filled = 0
  while (filled < buffer.length) {
    const {bytesRead} = await handle.read(buffer, filled, buffer.length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled
}

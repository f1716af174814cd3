/**
 * Journal segment file names. They carry the segment's time range so that pruning and `since`
 * need neither decryption nor a separate index file that could fall out of step with the
 * segments (a rename is atomic; an index update next to it is not):
 *
 *   20261123T124501.123Z-00000007.jrnl                        being written (or left by a crash)
 *   20261123T124501.123Z-00000007_20261123T235959.987Z.jrnl   sealed: first record _ newest record
 *
 * The leading stamp makes `ls` order time order; the sequence number is the append order (it
 * only grows), which is what readers sort by, so a wall clock stepping back cannot reorder
 * segments. Stamps keep milliseconds so a range is exact, not rounded.
 */

export const SEGMENT_SUFFIX = '.jrnl'

const STAMP = String.raw`\d{8}T\d{6}\.\d{3}Z`
const SEGMENT_NAME = new RegExp(String.raw`^(${STAMP})-(\d{8,})(?:_(${STAMP}))?\.jrnl$`)
const ISO_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

export interface ParsedSegmentName {
  seq: number
  /** ISO time of the segment's first record. */
  firstAt: string
  /** ISO time of its newest record; null until the segment is sealed. */
  lastAt: string | null
}

/** `2026-11-23T12:45:01.123Z` -> `20261123T124501.123Z` */
function compact(iso: string): string {
  if (!ISO_STAMP.test(iso)) throw new RangeError(`journal time ${iso} is outside the years 0000-9999`)
  return iso.replace(/[-:]/g, '')
}

/** `20261123T124501.123Z` -> `2026-11-23T12:45:01.123Z` */
function expand(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13)}`
}

export function segmentFileName(firstAt: string, seq: number, lastAt: string | null = null): string {
  const head = `${compact(firstAt)}-${String(seq).padStart(8, '0')}`
  return lastAt === null ? `${head}${SEGMENT_SUFFIX}` : `${head}_${compact(lastAt)}${SEGMENT_SUFFIX}`
}

/** Null for names that are not journal segments (they are left alone). */
export function parseSegmentFileName(name: string): ParsedSegmentName | null {
  const match = SEGMENT_NAME.exec(name)
  if (!match) return null
  return {seq: Number(match[2]), firstAt: expand(match[1]), lastAt: match[3] === undefined ? null : expand(match[3])}
}

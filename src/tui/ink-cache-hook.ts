/**
 * A module hook (node:module register) that loads Ink's text caches bounded: see ink-caches.ts.
 * Registered by `tokenhub tui` before it loads the dashboard.
 */
import {boundInkCaches} from './ink-caches.js'

interface LoadResult {
  format?: string | null
  source?: string | ArrayBuffer | ArrayBufferView | null
  shortCircuit?: boolean
}
type NextLoad = (url: string, context: unknown) => Promise<LoadResult>

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context)
  if (!url.includes('/ink/build/') || result.source === null || result.source === undefined) return result
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as ArrayBuffer).toString('utf8')
  const bounded = boundInkCaches(url, source)
  return bounded === null ? result : {...result, source: bounded}
}

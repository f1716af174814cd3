/**
 * Ink 6 remembers every text it measured or wrapped, in two module caches that never let go
 * (ink/build/measure-text.js, ink/build/wrap-text.js): the Events view draws a new line for every
 * event, so a dashboard left open on a busy gateway grew by ~0.8 KB an event (~0.5 GB an hour at
 * 700 events/s). Ink 7 bounds them but needs Node 22; on Node 20 the dashboard loads Ink through a
 * module hook (ink-cache-hook.ts) that bounds both caches the same way: cleared when full.
 *
 * Pure: the source of one of those modules in, the bounded source out; null when the text is not
 * what this was written against (another Ink version), so nothing is changed blindly.
 */

/** Entries each cache keeps before it starts again (a screen holds a few hundred distinct texts). */
export const INK_CACHE_LIMIT = 2000

/** Set by the bounded modules as they load: the dashboard's test can see the hook worked. */
export const BOUNDED_MARKER = '__tokenhubInkCachesBounded'

const mark = `globalThis.${BOUNDED_MARKER} = (globalThis.${BOUNDED_MARKER} ?? 0) + 1;\n`

export function boundInkCaches(url: string, source: string): string | null {
  if (url.endsWith('/ink/build/measure-text.js')) {
    const set = 'cache.set(text, dimensions);'
    if (!source.includes('const cache = new Map();') || !source.includes(set)) return null
    return mark + source.replace(set, `if (cache.size >= ${INK_CACHE_LIMIT}) cache.clear();\n    ${set}`)
  }
  if (url.endsWith('/ink/build/wrap-text.js')) {
    const parts = ['const cache = {};', 'const cachedText = cache[cacheKey];', 'cache[cacheKey] = wrappedText;', 'const cacheKey = text + String(maxWidth) + String(wrapType);']
    if (!parts.every((part) => source.includes(part))) return null
    return (
      mark +
      source
        .replace(parts[0], 'const cache = new Map();')
        .replace(parts[1], 'const cachedText = cache.get(cacheKey);')
        .replace(parts[2], `if (cache.size >= ${INK_CACHE_LIMIT}) cache.clear();\n    cache.set(cacheKey, wrappedText);`)
        // A delimited key: "ab" + 12 and "ab1" + 2 were the same entry.
        .replace(parts[3], "const cacheKey = `${maxWidth}\\u0000${wrapType}\\u0000${text}`;")
    )
  }
  return null
}

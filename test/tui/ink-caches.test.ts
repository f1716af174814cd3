import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {BOUNDED_MARKER, boundInkCaches, INK_CACHE_LIMIT} from '../../src/tui/ink-caches.js'
import {repoRoot as root} from '../helpers/paths.js'

const inkBuild = dirname(createRequire(import.meta.url).resolve('ink'))
const source = (name: string) => readFileSync(join(inkBuild, name), 'utf8')
const url = (name: string) => pathToFileURL(join(inkBuild, name)).href

describe("Ink's text caches", () => {
  it('the installed Ink is the one the bounding was written against: both caches get a limit (an Ink upgrade that changes them fails here)', () => {
    const measure = boundInkCaches(url('measure-text.js'), source('measure-text.js'))
    expect(measure).toContain(`if (cache.size >= ${INK_CACHE_LIMIT}) cache.clear();`)
    const wrap = boundInkCaches(url('wrap-text.js'), source('wrap-text.js'))
    expect(wrap).toContain('const cache = new Map();')
    expect(wrap).toContain(`if (cache.size >= ${INK_CACHE_LIMIT}) cache.clear();`)
    expect(wrap).not.toContain('cache[cacheKey]')
    // Anything else, or text it does not recognise, is left alone.
    expect(boundInkCaches(url('render.js'), source('render.js'))).toBeNull()
    expect(boundInkCaches(url('measure-text.js'), 'export default () => 0')).toBeNull()
  })

  it('the dashboard\'s module hook loads Ink with both caches bounded (as `tokenhub tui` registers it)', () => {
    const hook = pathToFileURL(join(root, 'dist', 'src', 'tui', 'ink-cache-hook.js')).href
    const script = `import {register} from 'node:module'; register(${JSON.stringify(hook)}); await import('ink'); console.log(globalThis.${BOUNDED_MARKER})`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: root, encoding: 'utf8'})
    expect(run.stderr).toBe('')
    expect(run.stdout.trim()).toBe('2')
  })
})

import {describe, expect, it} from 'vitest'
import {bundleModules, summariseProfile, type CpuProfile} from '../../bench/profile-summary.mjs'

const bundle = ['// node_modules/undici/lib/core/request.js', 'function a() {}', '// node_modules/@scope/pkg/index.js', 'function b() {}', '// dist/daemon/gateway/gateway.js', 'function c() {}'].join('\n')
const frame = (functionName: string, url: string, lineNumber = 0) => ({functionName, url, lineNumber})

/** A profile whose samples each take `us` microseconds, one sample per listed node id. */
function profile(samples: number[], us = 10): CpuProfile {
  return {
    startTime: 1000,
    nodes: [
      {id: 1, callFrame: frame('(root)', '')},
      {id: 2, callFrame: frame('(idle)', '')},
      {id: 3, callFrame: frame('(garbage collector)', '')},
      {id: 4, callFrame: frame('request', 'file:///x/dist/daemon/process.bundle.js', 1)},
      {id: 5, callFrame: frame('b', 'file:///x/dist/daemon/process.bundle.js', 3)},
      {id: 6, callFrame: frame('handle', 'file:///x/dist/daemon/process.bundle.js', 5)},
      {id: 7, callFrame: frame('writev', '')},
      {id: 8, callFrame: frame('emit', 'node:events', 10)},
    ],
    samples,
    timeDeltas: samples.map(() => us),
  }
}

describe('bench CPU profile summary', () => {
  it('finds the module of a bundle line from esbuild module comments', () => {
    const moduleAt = bundleModules(bundle)
    expect(moduleAt(1)).toBe('node_modules/undici/lib/core/request.js')
    expect(moduleAt(3)).toBe('node_modules/@scope/pkg/index.js')
    expect(moduleAt(5)).toBe('dist/daemon/gateway/gateway.js')
  })

  it('groups self time per request by package, TokenHub module, GC, native and node core, without idle', () => {
    const summary = summariseProfile(profile([4, 4, 5, 6, 6, 6, 3, 7, 8, 2, 2]), {requests: 10, moduleAt: bundleModules(bundle)})
    expect(summary.groups).toEqual([
      {name: 'tokenhub daemon/gateway/gateway.js', us_per_request: 3},
      {name: 'npm undici', us_per_request: 2},
      {name: 'npm @scope/pkg', us_per_request: 1},
      {name: 'garbage collection (main thread)', us_per_request: 1},
      {name: 'native writev', us_per_request: 1},
      {name: 'node core (streams, buffers, timers, crypto)', us_per_request: 1},
    ])
    expect(summary.busy_us_per_request).toBe(9)
    expect(summary.tokenhub_us_per_request).toBe(3)
    expect(summary.idle_share).toBeCloseTo(2 / 11, 3)
  })

  it('counts only the samples inside the load window and folds the tail into "other"', () => {
    // Samples end at 1010, 1020, ... 1060: the window 1015-1045 keeps the 2nd to 4th.
    const summary = summariseProfile(profile([3, 4, 4, 6, 7, 7]), {requests: 1, fromUs: 1015, toUs: 1045, moduleAt: bundleModules(bundle), top: 1})
    expect(summary.busy_us_per_request).toBe(30)
    expect(summary.groups).toEqual([
      {name: 'npm undici', us_per_request: 20},
      {name: 'other (1 more group)', us_per_request: 10},
    ])
  })

  it('names a bundle line without module comments by its file', () => {
    const summary = summariseProfile(profile([6]), {requests: 1})
    expect(summary.groups[0].name).toBe('tokenhub daemon/process.bundle.js')
  })
})

// Summarises a V8 CPU profile (`node --cpu-prof`) of the daemon under load: self time per
// request, grouped by where the code comes from (a TokenHub module, an npm package, Node's core,
// garbage collection, a native function such as the socket write). Used by `npm run bench --
// --profile`; pure, so it is tested without a daemon.

/**
 * Finds the module of a line of the daemon bundle from the comments esbuild puts before each
 * module's code (`// dist/daemon/gateway/gateway.js`, `// node_modules/undici/lib/...`).
 * Returns a function of a 0-based line number.
 */
export function bundleModules(bundleText) {
  const marks = []
  const lines = bundleText.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^\/\/ ((?:node_modules|dist)\/\S+)$/.exec(lines[i])
    if (match) marks.push([i, match[1]])
  }
  return (line) => {
    let lo = 0
    let hi = marks.length - 1
    let found = null
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (marks[mid][0] <= line) {
        found = marks[mid][1]
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
}

/** `node_modules/@scope/name/x.js` -> `@scope/name`; `node_modules/name/x.js` -> `name`. */
function packageOf(path) {
  const parts = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/')
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
}

/** The group a profile node's self time is counted in. */
function groupOf(callFrame, moduleAt) {
  const {url, functionName, lineNumber} = callFrame
  if (functionName === '(garbage collector)') return 'garbage collection (main thread)'
  if (functionName === '(program)') return 'V8 and native code outside JavaScript'
  if (url.startsWith('node:')) return 'node core (streams, buffers, timers, crypto)'
  if (url === '') return functionName.startsWith('wasm') ? 'wasm (undici HTTP parser)' : `native ${functionName || '(anonymous)'}`
  if (url.endsWith('.bundle.js') && moduleAt) {
    const module = moduleAt(lineNumber)
    if (module?.startsWith('node_modules/')) return `npm ${packageOf(module)}`
    if (module?.startsWith('dist/')) return `tokenhub ${module.slice('dist/'.length)}`
  }
  if (url.includes('/node_modules/')) return `npm ${packageOf(url)}`
  return `tokenhub ${url.replace(/^file:\/\//, '').replace(/^.*?\/dist\//, '')}`
}

/**
 * Self time per request of each group, within [fromUs, toUs] of the profile's clock (V8's
 * monotonic clock, the one `process.hrtime` reads), over `requests` requests.
 */
export function summariseProfile(profile, {requests, fromUs = -Infinity, toUs = Infinity, moduleAt = null, top = 16}) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const totals = new Map()
  let idle = 0
  let busy = 0
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (at < fromUs || at > toUs) continue
    const {callFrame} = byId.get(profile.samples[i])
    if (callFrame.functionName === '(idle)') {
      idle += delta
      continue
    }
    busy += delta
    const group = groupOf(callFrame, moduleAt)
    totals.set(group, (totals.get(group) ?? 0) + delta)
  }
  const perRequest = (us) => Math.round((us / Math.max(1, requests)) * 10) / 10
  const sorted = [...totals].sort((a, b) => b[1] - a[1])
  const groups = sorted.slice(0, top).map(([name, us]) => ({name, us_per_request: perRequest(us)}))
  const rest = sorted.slice(top).reduce((sum, [, us]) => sum + us, 0)
  const more = sorted.length - top
  if (rest > 0) groups.push({name: `other (${more} more group${more === 1 ? '' : 's'})`, us_per_request: perRequest(rest)})
  const tokenhub = sorted.filter(([name]) => name.startsWith('tokenhub ')).reduce((sum, [, us]) => sum + us, 0)
  return {
    requests,
    busy_us_per_request: perRequest(busy),
    tokenhub_us_per_request: perRequest(tokenhub),
    idle_share: busy + idle > 0 ? Math.round((idle / (busy + idle)) * 1000) / 1000 : null,
    groups,
  }
}

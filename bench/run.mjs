// npm run bench: measures what the gateway adds over calling the upstream directly, on this
// machine, in one run. See README "Benchmark" for how to read it. Installs nothing at run time.
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, tmpdir, totalmem} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Pool} from 'undici'
import {bundleModules, summariseProfile} from './profile-summary.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const quick = process.argv.includes('--quick')
// --only 1,3 runs just those scenarios (numbered as in the table); default: all six.
const onlyArg = process.argv.find((_, i, all) => all[i - 1] === '--only') ?? process.argv.find((a) => a.startsWith('--only='))?.slice(7)
const only = onlyArg ? new Set(onlyArg.split(',').map(Number)) : null
const want = (n) => !only || only.has(n)
// --profile: also a CPU profile of the daemon under scenario 2's load, summarised (README "Benchmark").
const profiling = process.argv.includes('--profile')
const ROUNDS = quick ? 2 : 3
const LATENCY_SAMPLES = quick ? 300 : 1500
const WRK_SECONDS = quick ? 3 : 6
const results = {machine: machine(), started_at: new Date().toISOString(), quick, scenarios: {}, missing: []}
const cleanups = []

function machine() {
  return {cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}`}
}

function which(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], {stdio: 'pipe'})
    return true
  } catch {
    return false
  }
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null
}
const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null
}
const round = (v, d = 3) => (v === null || v === undefined ? null : Number(v.toFixed(d)))

/** Spawns a process that prints "listening on http://..." and resolves with its URL. */
function start(name, command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {cwd: root, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}\n${err}`)), 60_000)
    child.stdout.on('data', (d) => {
      out += d
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve({url: match[1], pid: child.pid, child, startMs: performance.now() - started})
      }
    })
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code}:\n${out}\n${err}`))
    })
    cleanups.push(() => child.kill('SIGKILL'))
  })
}

async function stop(proc) {
  if (proc.child.exitCode !== null) return
  const exited = new Promise((resolve) => proc.child.once('exit', resolve))
  proc.child.kill('SIGTERM')
  await exited
}

function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
  } catch {
    return null
  }
}

async function admin(daemon, token, method, path, body) {
  const response = await fetch(`${daemon.url}${path}`, {
    method,
    headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
  return json
}

const chatBody = (extra = {}) => JSON.stringify({model: 'bench-a', messages: [{role: 'user', content: 'Say hello in five words.'}], max_tokens: 16, ...extra})

/** Sequential requests, one in flight, alternating the arms in random order each iteration. */
async function latencyRounds(arms) {
  const pools = Object.fromEntries(Object.entries(arms).map(([name, arm]) => [name, new Pool(arm.origin, {connections: 1, pipelining: 1})]))
  const perRound = []
  for (let round = 0; round < ROUNDS + 1; round++) {
    const samples = Object.fromEntries(Object.keys(arms).map((n) => [n, []]))
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const order = Object.keys(arms).sort(() => Math.random() - 0.5)
      for (const name of order) {
        const t0 = process.hrtime.bigint()
        const response = await pools[name].request({path: arms[name].path, method: 'POST', headers: arms[name].headers, body: arms[name].body})
        await response.body.text()
        if (response.statusCode !== 200) throw new Error(`${name} answered ${response.statusCode}`)
        samples[name].push(Number(process.hrtime.bigint() - t0) / 1e6)
      }
    }
    if (round > 0) perRound.push(samples) // round 0 warms up
  }
  await Promise.all(Object.values(pools).map((p) => p.close()))
  const summary = {}
  for (const name of Object.keys(arms)) {
    summary[name] = {
      p50_ms: median(perRound.map((r) => percentile(r[name], 50))),
      p99_ms: median(perRound.map((r) => percentile(r[name], 99))),
    }
  }
  return summary
}

/** One streaming request: time to first chunk and each chunk's delay from the upstream's send. */
async function streamOnce(pool, arm, chunks) {
  const t0 = process.hrtime.bigint()
  const response = await pool.request({path: arm.path, method: 'POST', headers: arm.headers, body: arm.streamBody(chunks)})
  let first = null
  const delays = []
  let buffer = ''
  let count = 0
  for await (const piece of response.body) {
    const now = process.hrtime.bigint()
    buffer += piece.toString('utf8')
    let index
    while ((index = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, index)
      buffer = buffer.slice(index + 2)
      const match = /"t":"(\d+)"/.exec(frame)
      if (!match) continue
      if (first === null) first = Number(now - t0) / 1e6
      delays.push(Number(now - BigInt(match[1])) / 1e6)
      count++
    }
  }
  if (count !== chunks) throw new Error(`expected ${chunks} chunks, got ${count}`)
  return {ttft: first, delays}
}

async function streamRounds(arms, chunks, requests) {
  const pools = Object.fromEntries(Object.entries(arms).map(([name, arm]) => [name, new Pool(arm.origin, {connections: 1})]))
  const perRound = []
  for (let round = 0; round < ROUNDS + 1; round++) {
    const samples = Object.fromEntries(Object.keys(arms).map((n) => [n, {ttft: [], delays: []}]))
    for (let i = 0; i < requests; i++) {
      for (const name of Object.keys(arms).sort(() => Math.random() - 0.5)) {
        const {ttft, delays} = await streamOnce(pools[name], arms[name], chunks)
        samples[name].ttft.push(ttft)
        samples[name].delays.push(...delays)
      }
    }
    if (round > 0) perRound.push(samples)
  }
  await Promise.all(Object.values(pools).map((p) => p.close()))
  return Object.fromEntries(
    Object.keys(arms).map((name) => [
      name,
      {ttft_p50_ms: median(perRound.map((r) => percentile(r[name].ttft, 50))), chunk_delay_p50_ms: median(perRound.map((r) => percentile(r[name].delays, 50))), chunk_delay_p99_ms: median(perRound.map((r) => percentile(r[name].delays, 99)))},
    ]),
  )
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100
  } catch {
    return 100
  }
})()

/** CPU time (user + system, us) of a process and of its main thread so far, from /proc; null where there is none. */
function cpuUs(pid) {
  const read = (path) => {
    const stat = readFileSync(path, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // from field 3 (state) on; utime and stime are 14 and 15
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS
  }
  try {
    return {total: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`)}
  } catch {
    return null
  }
}

/** One wrk run; with `arm.pid`, also the CPU that process spent per request (whole process and main thread). */
function wrk(arm, connections, seconds) {
  const dir = mkdtempSync(join(tmpdir(), 'tokenhub-wrk-'))
  const script = join(dir, 'post.lua')
  const headers = Object.entries(arm.headers)
    .map(([k, v]) => `wrk.headers["${k}"] = "${v}"`)
    .join('\n')
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(arm.body)}\n${headers}\n`)
  const before = arm.pid ? cpuUs(arm.pid) : null
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, `${arm.origin}${arm.path}`], {encoding: 'utf8'})
  const after = arm.pid ? cpuUs(arm.pid) : null
  rmSync(dir, {recursive: true, force: true})
  const unit = (value, suffix) => Number(value) * ({us: 0.001, ms: 1, s: 1000}[suffix] ?? 1)
  const lat = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out)
    return m ? unit(m[1], m[2]) : null
  }
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0)
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0)
  const perRequest = (key) => (before && after && requests > 0 ? round((after[key] - before[key]) / requests, 1) : null)
  return {rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]), p50_ms: lat(50), p99_ms: lat(99), errors, requests, cpu_us_per_request: perRequest('total'), main_thread_us_per_request: perRequest('main')}
}

function wrkRounds(arms, connections, {rounds = ROUNDS, seconds = WRK_SECONDS} = {}) {
  const perRound = []
  for (const arm of Object.values(arms)) wrk(arm, connections, 2) // every arm warmed up (JIT, pools, a fresh daemon's first GCs)
  for (let round = 0; round < rounds; round++) {
    const sample = {}
    for (const name of Object.keys(arms).sort(() => Math.random() - 0.5)) sample[name] = wrk(arms[name], connections, seconds)
    perRound.push(sample)
  }
  return Object.fromEntries(
    Object.keys(arms).map((name) => [
      name,
      {
        rps: median(perRound.map((r) => r[name].rps)),
        p50_ms: median(perRound.map((r) => r[name].p50_ms)),
        p99_ms: median(perRound.map((r) => r[name].p99_ms)),
        errors: perRound.reduce((s, r) => s + r[name].errors, 0),
        cpu_us_per_request: median(perRound.map((r) => r[name].cpu_us_per_request).filter((v) => v !== null)),
        main_thread_us_per_request: median(perRound.map((r) => r[name].main_thread_us_per_request).filter((v) => v !== null)),
      },
    ]),
  )
}

/**
 * The daemon's event-loop delay p99 in ms, from /metrics (scraping resets the histogram).
 * prom-client's `nodejs_eventloop_lag_*` figures are the intervals between ticks of a 10 ms
 * timer (perf_hooks.monitorEventLoopDelay at the daemon's 10 ms resolution): an idle loop reads
 * ~10 ms. The delay is what exceeds the resolution; both are reported.
 */
const EVENT_LOOP_RESOLUTION_MS = 10
async function scrapeEventLoopP99(daemon) {
  const text = await (await fetch(`${daemon.url}/metrics`)).text()
  const match = /tokenhub_nodejs_eventloop_lag_p99_seconds\s+([\d.e+-]+)/.exec(text)
  if (!match) return null
  const interval = Number(match[1]) * 1000
  return {interval, delay: Math.max(0, interval - EVENT_LOOP_RESOLUTION_MS)}
}

/** Writes a store straight through the project's own store code, before the daemon starts. */
async function seedStore(dataDir, {keys, models, upstreamUrl}) {
  const {ConfigStore} = await import(join(root, 'dist/src/store/config-store.js'))
  const {generateApiKey} = await import(join(root, 'dist/src/auth/secrets.js'))
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  const store = await ConfigStore.open({dataDir})
  const now = new Date().toISOString()
  let benchKey = null
  await store.update((doc) => {
    doc.providers.bench = {id: 'bench', type: 'vllm', base_url: upstreamUrl, enabled: true, api_key_enc: null, created_at: now, updated_at: now}
    for (let i = 0; i < models; i++) {
      const id = i === 0 ? 'bench-a' : i === 1 ? 'bench-b' : `filler-${i}`
      doc.models[id] = {id, provider_id: 'bench', upstream_model: 'bench-model', kind: 'chat', weight: i === 0 ? 8 : 5, max_context_tokens: 32768, max_output_tokens: 4096, input_per_1k: 0.001, output_per_1k: 0.002, enabled: true, pricing_source: 'manual', created_at: now, updated_at: now}
    }
    for (let i = 0; i < keys; i++) {
      const secret = generateApiKey()
      if (i === keys - 1) benchKey = secret.key
      const id = `k${i.toString(16).padStart(12, '0')}`
      doc.api_keys[id] = {id, name: `bench-${i}`, key_prefix: secret.prefix, key_hash: secret.hash, scopes: ['chat', 'embeddings'], allowed_models: null, allowed_providers: null, project: null, expires_at: null, monthly_budget_usd: 0, rate_limit_rpm: 0, rate_limit_tpm: 0, rotation_days: 0, enabled: true, created_at: now, updated_at: now, rotated_at: null, revoked_at: null, last_used_at: null}
    }
  })
  await store.flush()
  return benchKey
}

function daemonEnv(dataDir) {
  return {TOKENHUB_DATA_DIR: dataDir, TOKENHUB_LISTEN_ADDR: '127.0.0.1:0', TOKENHUB_LOG_LEVEL: 'warn', TOKENHUB_ADMIN_TOKEN: 'bench-admin-token-0123456789', TOKENHUB_VAULT_PASSWORD: ''}
}

function arms(upstream, floor, gateway, key) {
  const json = {'content-type': 'application/json'}
  // pid: the process whose CPU per request scenario 2 reports (direct: the upstream's own).
  const make = (proc, headers) => {
    const url = new URL(proc.url)
    return {origin: url.origin, path: '/v1/chat/completions', headers, body: chatBody(), streamBody: (n) => chatBody({stream: true, bench_chunks: n}), pid: proc.pid}
  }
  return {
    direct: make(upstream, json),
    floor: make(floor, json),
    gateway: make(gateway, {...json, authorization: `Bearer ${key}`}),
  }
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '-').length)))
  return rows.map((r) => r.map((c, i) => String(c ?? '-').padEnd(widths[i])).join('  ')).join('\n')
}

async function main() {
  if (!existsSync(join(root, 'dist/commands'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)')
  const hasWrk = which('wrk')
  if (!hasWrk) results.missing.push('wrk (Debian: apt-get install wrk): throughput scenarios 2 and 5 skipped')
  const work = mkdtempSync(join(tmpdir(), 'tokenhub-bench-'))
  cleanups.push(() => rmSync(work, {recursive: true, force: true}))

  const upstream = await start('fake upstream', process.execPath, ['bench/fake-upstream.mjs', '0'])
  const floor = await start('floor proxy', process.execPath, ['bench/floor-proxy.mjs', '0', new URL(upstream.url).origin])
  const dataDir = join(work, 'small')
  const key = await seedStore(dataDir, {keys: 1, models: 2, upstreamUrl: upstream.url})
  let gateway = await start('daemon', process.execPath, ['bin/run.js', 'daemon'], daemonEnv(dataDir))
  let a = arms(upstream, floor, gateway, key)
  console.error(`bench: upstream ${upstream.url}, floor ${floor.url}, gateway ${gateway.url} (${ROUNDS} rounds${quick ? ', quick' : ''})`)

  // 1. One request in flight: added latency.
  if (want(1)) {
  console.error('bench: 1/6 latency at concurrency 1')
  const s1 = await latencyRounds(a)
  results.scenarios.latency_c1 = {
    ...s1,
    added_p50_us: round((s1.gateway.p50_ms - s1.direct.p50_ms) * 1000, 1),
    added_p99_us: round((s1.gateway.p99_ms - s1.direct.p99_ms) * 1000, 1),
    floor_added_p50_us: round((s1.floor.p50_ms - s1.direct.p50_ms) * 1000, 1),
    target: 'added p50 <= 100 us, added p99 <= 1000 us',
  }
  }

  // 2. Throughput at concurrency 50.
  if (hasWrk && want(2)) {
    console.error('bench: 2/6 throughput at concurrency 50 (wrk)')
    const s2 = wrkRounds(a, 50)
    results.scenarios.throughput_c50 = {...s2, ratio_gateway_direct: round(s2.gateway.rps / s2.direct.rps), target: 'gateway >= 0.5 x direct'}
  }

  // 3. Streams of 20 chunks.
  if (want(3)) {
  console.error('bench: 3/6 streaming, 20 chunks')
  const s3 = await streamRounds(a, 20, quick ? 50 : 200)
  results.scenarios.streaming_20 = {
    ...s3,
    added_ttft_ms: round(s3.gateway.ttft_p50_ms - s3.direct.ttft_p50_ms),
    added_chunk_p50_ms: round(s3.gateway.chunk_delay_p50_ms - s3.direct.chunk_delay_p50_ms),
    floor_added_ttft_ms: round(s3.floor.ttft_p50_ms - s3.direct.ttft_p50_ms),
    floor_added_chunk_p50_ms: round(s3.floor.chunk_delay_p50_ms - s3.direct.chunk_delay_p50_ms),
    target: 'added time to first chunk <= 0.3 ms; added per-chunk latency <= 0.1 ms median',
  }
  }

  // 4. 1,000 open streams at once.
  if (want(4)) {
  console.error('bench: 4/6 1,000 concurrent streams')
  // V8 keeps the heap it grew under the earlier load; the streams are measured on a fresh daemon.
  const loadedRss = rssMb(gateway.pid)
  await stop(gateway)
  gateway = await start('daemon', process.execPath, ['bin/run.js', 'daemon'], daemonEnv(dataDir))
  a = arms(upstream, floor, gateway, key)
  for (let i = 0; i < 20; i++) await (await fetch(`${gateway.url}/v1/chat/completions`, {method: 'POST', headers: a.gateway.headers, body: a.gateway.body})).text() // warm: tokenizer, JIT, pools
  const idleRss = rssMb(gateway.pid)
  await scrapeEventLoopP99(gateway) // resets the event-loop histogram
  const pool = new Pool(a.gateway.origin, {connections: 1000})
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(gateway.pid) ?? 0)), 250)
  const streams = await Promise.allSettled(
    Array.from({length: 1000}, async () => {
      const response = await pool.request({path: a.gateway.path, method: 'POST', headers: a.gateway.headers, body: chatBody({stream: true, bench_chunks: 20, bench_delay_ms: 100})})
      let frames = 0
      for await (const piece of response.body) frames += (piece.toString().match(/\n\n/g) ?? []).length
      return frames
    }),
  )
  clearInterval(sampler)
  const loopP99 = await scrapeEventLoopP99(gateway)
  await pool.close()
  await new Promise((r) => setTimeout(r, 2000))
  results.scenarios.open_streams_1000 = {
    completed: streams.filter((s) => s.status === 'fulfilled' && s.value >= 21).length,
    rss_after_scenarios_1_3_mb: round(loadedRss, 1),
    idle_rss_mb: round(idleRss, 1),
    peak_rss_mb: round(peak, 1),
    rss_after_mb: round(rssMb(gateway.pid), 1),
    event_loop_p99_ms: round(loopP99?.delay, 2),
    event_loop_tick_interval_p99_ms: round(loopP99?.interval, 2),
    target: 'RSS <= 250 MB; event-loop delay p99 <= 20 ms',
  }
  }

  // 5. A big store: 100,000 keys and 200 models.
  if (hasWrk && want(5)) {
    console.error('bench: 5/6 100,000 keys and 200 models (seeding the store)')
    const bigDir = join(work, 'big')
    const bigKey = await seedStore(bigDir, {keys: quick ? 20_000 : 100_000, models: 200, upstreamUrl: upstream.url})
    await stop(gateway)
    const big = await start('daemon (big store)', process.execPath, ['bin/run.js', 'daemon'], daemonEnv(bigDir))
    const bigArm = {...arms(upstream, floor, big, bigKey).gateway}
    const small = await start('daemon', process.execPath, ['bin/run.js', 'daemon'], daemonEnv(dataDir))
    const smallArm = arms(upstream, floor, small, key).gateway
    // A ratio of two daemons on a shared VM drifts with the minute: more, shorter alternating
    // rounds give its median more samples in the same time.
    const s5 = wrkRounds({small_store: smallArm, big_store: bigArm}, 50, {rounds: quick ? 3 : 8, seconds: quick ? 2 : 3})
    results.scenarios.big_store = {...s5, keys: quick ? 20_000 : 100_000, models: 200, ratio_big_small: round(s5.big_store.rps / s5.small_store.rps), target: '>= 0.95 x the small store'}
    await stop(big)
    await stop(small)
  } else {
    await stop(gateway)
  }

  // 6. Cold start.
  if (want(6)) {
  console.error('bench: 6/6 cold start')
  const versionRuns = []
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now()
    execFileSync(process.execPath, ['bin/run.js', '--version'], {cwd: root, stdio: 'pipe'})
    versionRuns.push(performance.now() - t0)
  }
  const mbDir = join(work, 'mb')
  await seedStore(mbDir, {keys: 2600, models: 20, upstreamUrl: upstream.url})
  const storeBytes = readFileSync(join(mbDir, 'store.age')).length
  const listenRuns = []
  for (let i = 0; i < 5; i++) {
    const d = await start('daemon (1 MB store)', process.execPath, ['bin/run.js', 'daemon'], daemonEnv(mbDir))
    listenRuns.push(d.startMs)
    await stop(d)
  }
  results.scenarios.cold_start = {version_ms: round(median(versionRuns), 1), daemon_listening_ms: round(median(listenRuns), 1), store_bytes: storeBytes, target: '--version <= 200 ms; listening <= 700 ms with a 1 MB store'}
  }

  if (profiling) {
    if (hasWrk) results.profile = await profileDaemon(dataDir, key, upstream, floor)
    else results.missing.push('wrk: --profile skipped')
  }

  await stop(upstream)
  await stop(floor)
  report()
}

/**
 * `--profile`: a fresh daemon under `node --cpu-prof`, warmed, then scenario 2's load for one
 * round; the profile is cut to the load's window and summarised per request. The profiler's own
 * sampling adds a few percent, so the busy total reads a little above scenario 2's CPU figure.
 */
async function profileDaemon(dataDir, key, upstream, floor) {
  console.error('bench: profile of the daemon under scenario 2 load (--profile)')
  const dir = join(root, 'bench', 'results', 'profile')
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  const daemon = await start('daemon (profiled)', process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, 'bin/run.js', 'daemon'], daemonEnv(dataDir))
  const arm = arms(upstream, floor, daemon, key).gateway
  wrk(arm, 50, 2) // JIT, pools
  const fromUs = Number(process.hrtime.bigint() / 1000n)
  const run = wrk(arm, 50, WRK_SECONDS)
  const toUs = Number(process.hrtime.bigint() / 1000n)
  await stop(daemon) // the profile is written as the daemon exits
  const written = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!written) throw new Error(`the profiled daemon wrote no profile into ${dir}`)
  const file = join(dir, 'daemon.cpuprofile')
  renameSync(join(dir, written), file)
  const bundle = join(root, 'dist', 'daemon', 'process.bundle.js')
  const moduleAt = existsSync(bundle) ? bundleModules(readFileSync(bundle, 'utf8')) : null
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), {requests: run.requests, fromUs, toUs, moduleAt})
  return {...summary, seconds: WRK_SECONDS, rps: run.rps, cpu_us_per_request: run.cpu_us_per_request, main_thread_us_per_request: run.main_thread_us_per_request, file: 'bench/results/profile/daemon.cpuprofile'}
}

function report() {
  const s = results.scenarios
  const rows = [['scenario', 'figure', 'direct', 'floor', 'gateway', 'result', 'target']]
  if (s.latency_c1) {
    rows.push(['1 latency c=1', 'p50 ms', round(s.latency_c1.direct.p50_ms), round(s.latency_c1.floor.p50_ms), round(s.latency_c1.gateway.p50_ms), `+${s.latency_c1.added_p50_us} us`, '<= +100 us'])
    rows.push(['', 'p99 ms', round(s.latency_c1.direct.p99_ms), round(s.latency_c1.floor.p99_ms), round(s.latency_c1.gateway.p99_ms), `+${s.latency_c1.added_p99_us} us`, '<= +1000 us'])
  }
  if (s.throughput_c50) {
    rows.push(['2 throughput c=50', 'req/s', round(s.throughput_c50.direct.rps, 0), round(s.throughput_c50.floor.rps, 0), round(s.throughput_c50.gateway.rps, 0), `x${s.throughput_c50.ratio_gateway_direct}`, '>= x0.5'])
    rows.push(['', 'p50/p99 ms', `${s.throughput_c50.direct.p50_ms}/${s.throughput_c50.direct.p99_ms}`, `${s.throughput_c50.floor.p50_ms}/${s.throughput_c50.floor.p99_ms}`, `${s.throughput_c50.gateway.p50_ms}/${s.throughput_c50.gateway.p99_ms}`, `errors ${s.throughput_c50.gateway.errors}`, ''])
    const cpu = (arm) => (arm.cpu_us_per_request === null ? null : `${arm.cpu_us_per_request} (${arm.main_thread_us_per_request})`)
    rows.push(['', 'CPU us/req (main thread)', cpu(s.throughput_c50.direct), cpu(s.throughput_c50.floor), cpu(s.throughput_c50.gateway), 'direct: the upstream', ''])
  }
  if (s.streaming_20) {
    rows.push(['3 streaming 20 chunks', 'first chunk ms', round(s.streaming_20.direct.ttft_p50_ms), round(s.streaming_20.floor.ttft_p50_ms), round(s.streaming_20.gateway.ttft_p50_ms), `+${s.streaming_20.added_ttft_ms} ms`, '<= +0.3 ms'])
    rows.push(['', 'chunk delay p50 ms', round(s.streaming_20.direct.chunk_delay_p50_ms), round(s.streaming_20.floor.chunk_delay_p50_ms), round(s.streaming_20.gateway.chunk_delay_p50_ms), `+${s.streaming_20.added_chunk_p50_ms} ms`, '<= +0.1 ms'])
  }
  if (s.open_streams_1000) {
    const o = s.open_streams_1000
    rows.push(['4 1000 open streams', 'RSS MB idle/peak/after', '', '', `${o.idle_rss_mb}/${o.peak_rss_mb}/${o.rss_after_mb}`, `${o.completed}/1000 done`, '<= 250 MB'])
    rows.push(['', 'RSS MB after scenarios 1-3', '', '', o.rss_after_scenarios_1_3_mb, 'first daemon', ''])
    rows.push(['', 'event-loop delay p99 ms', '', '', o.event_loop_p99_ms, `10 ms ticks: ${o.event_loop_tick_interval_p99_ms}`, '<= 20 ms'])
  }
  if (s.big_store) {
    rows.push(['5 100k keys, 200 models', 'req/s small/big', '', '', `${round(s.big_store.small_store.rps, 0)}/${round(s.big_store.big_store.rps, 0)}`, `x${s.big_store.ratio_big_small}`, '>= x0.95'])
    if (s.big_store.small_store.cpu_us_per_request !== null) rows.push(['', 'CPU us/req small/big', '', '', `${s.big_store.small_store.cpu_us_per_request}/${s.big_store.big_store.cpu_us_per_request}`, '', ''])
  }
  if (s.cold_start) {
    rows.push(['6 cold start', '--version ms', '', '', s.cold_start.version_ms, '', '<= 200 ms'])
    rows.push(['', 'daemon listening ms', '', '', s.cold_start.daemon_listening_ms, `store ${Math.round(s.cold_start.store_bytes / 1024)} KiB`, '<= 700 ms'])
  }
  console.log(`TokenHub benchmark: ${results.machine.cores} cores (${results.machine.cpu}), Node ${results.machine.node}\n`)
  console.log(table(rows))
  if (results.profile) {
    const p = results.profile
    console.log(`\nprofile: the daemon under wrk -c50 for ${p.seconds} s, ${p.requests} requests (${round(p.rps, 0)} req/s, profiler on); main-thread self time per request:`)
    for (const group of p.groups) console.log(`${group.us_per_request.toFixed(1).padStart(9)} us  ${group.name}`)
    console.log(`${p.busy_us_per_request.toFixed(1).padStart(9)} us  busy in all, TokenHub's own modules ${p.tokenhub_us_per_request} us; idle ${Math.round(p.idle_share * 100)}% of the window`)
    if (p.cpu_us_per_request !== null) console.log(`${String(p.cpu_us_per_request).padStart(9)} us  process CPU per request from /proc (main thread ${p.main_thread_us_per_request}; the rest is V8's GC helpers and libuv threads)`)
    console.log(`written: ${p.file} (Chrome DevTools > Performance > Load profile, or speedscope)`)
  }
  for (const missing of results.missing) console.log(`missing: ${missing}`)
  const dir = join(root, 'bench', 'results')
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\nwritten: bench/results/latest.json`)
}

try {
  await main()
} catch (error) {
  console.error(`bench failed: ${error.stack ?? error}`)
  process.exitCode = 1
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup()
    } catch {}
  }
}

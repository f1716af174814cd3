#!/usr/bin/env node
// `tokenhub --version` is answered before oclif loads (oclif's import alone costs ~100 ms),
// with the same text oclif prints; `tokenhub daemon` starts without oclif too (~200 ms sooner
// listening); everything else, and a daemon's help or bad flags, goes through oclif.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.oclif.bin}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // React's development build (the default without NODE_ENV) keeps a performance record of every
  // render: the dashboard's memory grew without bound under traffic. Production unless told otherwise.
  process.env.NODE_ENV ??= 'production'
  // tokenhubctl's plural topics run every verb through hidden aliases; their help (`providers --help`,
  // `help apikeys`) is the singular topic's, which lists its commands (an alias's help would not).
  const asksHelp = process.argv[2] === 'help' || (process.argv.length === 4 && ['--help', '-h'].includes(process.argv[3]))
  const topic = process.argv[2] === 'help' ? 3 : 2
  const singular = asksHelp ? {providers: 'provider', models: 'model', apikeys: 'apikey', aliases: 'alias'}[process.argv[topic]] : undefined
  if (singular) process.argv[topic] = singular
  if (!(process.argv[2] === 'daemon' && (await startDaemonFast(process.argv.slice(3))))) {
    const {execute} = await import('@oclif/core')
    const {fileURLToPath} = await import('node:url')
    // No user plugins: oclif would look for them in $TOKENHUB_DATA_DIR/package.json (its own
    // <BIN>_DATA_DIR convention), which is the daemon's data dir here.
    await execute({loadOptions: {root: fileURLToPath(import.meta.url), userPlugins: false}})
  }
}

/** True when the daemon started from flags it could read itself; false leaves it to oclif. */
async function startDaemonFast(args) {
  const {startDaemonFast} = await import('../dist/daemon/fast-start.js')
  return startDaemonFast(args)
}

#!/usr/bin/env node
// `tokenhub --version` is answered before oclif loads (oclif's import alone costs ~100 ms),
// with the same text oclif prints; everything else goes through oclif.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.oclif.bin}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // React's development build (the default without NODE_ENV) keeps a performance record of every
  // render: the dashboard's memory grew without bound under traffic. Production unless told otherwise.
  process.env.NODE_ENV ??= 'production'
  const {execute} = await import('@oclif/core')
  const {fileURLToPath} = await import('node:url')
  // No user plugins: oclif would look for them in $TOKENHUB_DATA_DIR/package.json (its own
  // <BIN>_DATA_DIR convention), which is the daemon's data dir here.
  await execute({loadOptions: {root: fileURLToPath(import.meta.url), userPlugins: false}})
}

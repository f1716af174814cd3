// Bundles the daemon (dist/daemon/process.js and everything it imports) into one ES module after
// the TypeScript build. Loading one file instead of ~700 modules takes ~150-250 ms off the
// daemon's time to listening on a 2-core machine. The CLI's other commands stay unbundled.
import {build} from 'esbuild'

await build({
  entryPoints: ['dist/daemon/process.js'],
  outfile: 'dist/daemon/process.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native (uWebSockets.js), optional native helpers of ws, and the tokenizer, which loads after listening.
  external: ['uWebSockets.js', 'bufferutil', 'utf-8-validate', 'gpt-tokenizer'],
  // CommonJS dependencies inside an ES module still need require/__dirname.
  banner: {
    js: [
      "import {createRequire as __tokenhubCreateRequire} from 'node:module'",
      "import {dirname as __tokenhubDirname} from 'node:path'",
      "import {fileURLToPath as __tokenhubFileURLToPath} from 'node:url'",
      'const require = __tokenhubCreateRequire(import.meta.url)',
      'const __filename = __tokenhubFileURLToPath(import.meta.url)',
      'const __dirname = __tokenhubDirname(__filename)',
    ].join('\n'),
  },
})

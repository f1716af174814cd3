// Removes build output before a build, so deleted sources never linger as stale commands in dist/.
import {rmSync} from 'node:fs'
rmSync(new URL('../dist', import.meta.url), {recursive: true, force: true})
rmSync(new URL('../oclif.manifest.json', import.meta.url), {force: true})

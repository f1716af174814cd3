#!/usr/bin/env -S node --import tsx
import {rmSync} from 'node:fs'
import {execute} from '@oclif/core'

// The manifest `npm run build` writes describes dist/; in development commands come from the sources.
rmSync(new URL('../oclif.manifest.json', import.meta.url), {force: true})
await execute({development: true, dir: import.meta.url})

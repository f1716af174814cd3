import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

function findPackageRoot(start: string): string {
  let dir = start
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`package.json not found above ${start}`)
    dir = parent
  }
  return dir
}

/** The installed package's root (works from src/ under tsx and from dist/ alike). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)))
export const dataPath = (name: string): string => join(packageRoot, 'data', name)

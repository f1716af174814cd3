import {readFileSync} from 'node:fs'
import {dataPath} from '../paths.js'

export interface CatalogEntry {
  kind?: 'chat' | 'embedding'
  max_context_tokens?: number
  max_output_tokens?: number
  input_per_1k?: number
  output_per_1k?: number
}

let catalog: Record<string, CatalogEntry> | undefined

/** Known public models (data/model-catalog.json), used to fill fields `model add` left out. */
export function catalogEntry(modelId: string): CatalogEntry | undefined {
  catalog ??= (JSON.parse(readFileSync(dataPath('model-catalog.json'), 'utf8')) as {models: Record<string, CatalogEntry>}).models
  const base = modelId.includes('/') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId
  // A dated snapshot (claude-sonnet-4-5-20250929, gpt-4o-mini-2024-07-18) is priced as its model.
  const undated = base.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2})$/, '')
  for (const name of [modelId, base, undated]) if (Object.hasOwn(catalog, name)) return catalog[name]
  return undefined
}

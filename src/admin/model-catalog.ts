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
  return Object.hasOwn(catalog, modelId) ? catalog[modelId] : Object.hasOwn(catalog, base) ? catalog[base] : undefined
}

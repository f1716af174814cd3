import type {AliasPruneDto} from '../client/admin-client.js'

/** The sentence a delete prints about the aliases it changed ('' when none). */
export function aliasNote(result: AliasPruneDto): string {
  const parts: string[] = []
  if (result.updated_aliases.length) parts.push(`removed from alias(es) ${result.updated_aliases.join(', ')}`)
  if (result.deleted_aliases.length) parts.push(`alias(es) left empty and deleted: ${result.deleted_aliases.join(', ')}`)
  return parts.length ? ` ${parts.join('; ')}.` : ''
}

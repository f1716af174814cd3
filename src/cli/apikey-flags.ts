import {Flags} from '@oclif/core'
import {numberFlag} from './flags.js'
import {ClientError} from '../client/errors.js'
import {parseDuration} from '../core/duration.js'
import {isoDateTime} from '../core/schemas/apikey.js'
import {allowList, splitList} from './json-arg.js'

/** Flags shared by `apikey create` and `apikey edit`, mapped to the API's field names. */
export const apiKeyFieldFlags = {
  name: Flags.string({description: 'A name that says who uses the key'}),
  scopes: Flags.string({description: 'Comma-separated scopes: chat, embeddings, plan'}),
  'allowed-models': Flags.string({description: 'Comma-separated model ids this key may use, or "all"'}),
  'allowed-providers': Flags.string({description: 'Comma-separated provider ids this key may use, or "all"'}),
  'expires-in': Flags.string({description: 'Lifetime, e.g. 90d, 720h, 2w'}),
  'expires-at': Flags.string({description: 'Expiry as ISO 8601, e.g. 2027-01-31T00:00:00Z'}),
  'monthly-budget-usd': numberFlag('Monthly spend limit in USD (0 = unlimited)', {min: 0}),
  'rate-limit-rpm': numberFlag('Requests per minute (0 = unlimited)', {min: 0, integer: true}),
  'rate-limit-tpm': numberFlag('Tokens per minute (0 = unlimited)', {min: 0, integer: true}),
  project: Flags.string({description: 'Project the key belongs to'}),
}

/** `apikey create`: the same flags, with what a new key gets when one is left out (an edit keeps what the key has). */
export const apiKeyCreateFlags = {
  ...apiKeyFieldFlags,
  scopes: Flags.string({description: 'Comma-separated scopes: chat, embeddings, plan [default: chat,embeddings]'}),
  'allowed-models': Flags.string({description: 'Comma-separated model ids this key may use, or "all" [default: all]'}),
  'allowed-providers': Flags.string({description: 'Comma-separated provider ids this key may use, or "all" [default: all]'}),
}

export function apiKeyBodyFromFlags(flags: {
  name?: string
  scopes?: string
  'allowed-models'?: string
  'allowed-providers'?: string
  'expires-in'?: string
  'expires-at'?: string
  'monthly-budget-usd'?: number
  'rate-limit-rpm'?: number
  'rate-limit-tpm'?: number
  project?: string
}): Record<string, unknown> {
  return {
    name: flags.name,
    scopes: splitList(flags.scopes, '--scopes'),
    allowed_models: allowList(flags['allowed-models'], '--allowed-models'),
    allowed_providers: allowList(flags['allowed-providers'], '--allowed-providers'),
    expires_in: checkedExpiresIn(flags['expires-in']),
    expires_at: checkedExpiresAt(flags['expires-at']),
    monthly_budget_usd: flags['monthly-budget-usd'],
    rate_limit_rpm: flags['rate-limit-rpm'],
    rate_limit_tpm: flags['rate-limit-tpm'],
    project: flags.project,
  }
}

/** A lifetime the daemon would refuse is a usage error here (exit 2, nothing sent), as --since is. */
function checkedExpiresIn(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    parseDuration(value)
  } catch (error) {
    throw new ClientError('USAGE', `--expires-in: ${(error as Error).message}`)
  }
  return value
}

function checkedExpiresAt(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  // The daemon's own rule (a date-time with a time zone), so what passes here passes there.
  if (!isoDateTime.safeParse(value).success) {
    throw new ClientError('USAGE', `--expires-at: "${value}" is not an ISO 8601 date-time with a time zone, e.g. 2027-01-31T00:00:00Z`)
  }
  return value
}

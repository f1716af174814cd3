import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {countFlag, sinceFlag} from '../src/cli/flags.js'
import {auditTable} from '../src/cli/render/observability.js'
import {emptyPageMessage} from '../src/cli/table.js'
import type {AuditDto} from '../src/core/api-types.js'

export default class Audit extends BaseCommand {
  static override summary = 'The audit trail: every admin change, who made it, from where, in which request'
  static override flags = {
    limit: countFlag('How many (at most 1000) [default: 50]', {min: 1, max: 1000}),
    offset: countFlag('Skip this many of the newest'),
    action: Flags.string({description: 'Only this action or resource type, e.g. provider.create or api_key'}),
    resource: Flags.string({description: 'Only entries about this resource id'}),
    outcome: Flags.string({description: 'ok or denied', options: ['ok', 'denied']}),
    since: sinceFlag('Only entries since a time (ISO 8601) or a duration back (1h, 7d)'),
  }

  static override examples = ['<%= config.bin %> audit', '<%= config.bin %> audit --limit 200 --since 7d', '<%= config.bin %> audit --outcome denied --json']

  async run(): Promise<AuditDto[]> {
    const {flags} = await this.parse(Audit)
    const filters = {action: flags.action, resource: flags.resource, outcome: flags.outcome, since: flags.since}
    const result = await (await this.client(flags)).audit({limit: flags.limit ?? 50, offset: flags.offset, ...filters})
    const filtered = Object.values(filters).some((v) => v !== undefined)
    this.print(auditTable(result.logs, emptyPageMessage({total: result.total, offset: flags.offset}, filtered, 'entries', 'No admin actions recorded yet.')))
    // An empty page already says how many match.
    if (result.logs.length > 0 && result.total > result.logs.length) this.note(`(${result.logs.length} of ${result.total} shown; use --limit / --offset)`)
    return result.logs
  }
}

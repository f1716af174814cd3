import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {countFlag, numberFlag, sinceFlag} from '../src/cli/flags.js'
import {logsTable} from '../src/cli/render/runtime.js'
import {emptyPageMessage} from '../src/cli/table.js'
import type {RequestLogDto} from '../src/core/api-types.js'

export default class Logs extends BaseCommand {
  static override summary = 'Recent /v1 requests, newest first (no prompt or completion text)'
  static override description = 'The table and --json read the recent-requests buffer (the last 10,000). --csv exports every matching record still in the journal (TOKENHUB_JOURNAL_RETENTION_DAYS), oldest first.'
  static override flags = {
    limit: {...countFlag('How many (at most 1000) [default: 50]', {min: 1, max: 1000}), exclusive: ['csv']},
    offset: countFlag('Skip this many of the newest'),
    model: Flags.string({description: 'Only requests for this model (routed or requested)'}),
    key: Flags.string({description: 'Only requests of this API key (id or name)'}),
    status: numberFlag('Only requests that ended with this HTTP status', {min: 100, max: 599, integer: true}),
    since: sinceFlag('Only requests since a time (ISO 8601) or a duration back (15m, 24h, 7d)'),
    csv: Flags.boolean({description: 'Print CSV (the whole journal history that matches)', exclusive: ['json', 'offset']}),
  }

  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs --limit 200 --model gpt-4o --since 1h',
    '<%= config.bin %> logs --status 429 --json',
    '<%= config.bin %> logs --csv --since 7d > requests.csv',
  ]

  async run(): Promise<RequestLogDto[] | void> {
    const {flags} = await this.parse(Logs)
    const client = await this.client(flags)
    const filters = {model: flags.model, api_key_id: flags.key, status: flags.status, since: flags.since}
    if (flags.csv) {
      process.stdout.write(await client.logsCsv(filters))
      return
    }
    const result = await client.logs({limit: flags.limit ?? 50, offset: flags.offset, ...filters})
    const filtered = Object.values(filters).some((v) => v !== undefined)
    this.print(logsTable(result.logs, emptyPageMessage({total: result.total, offset: flags.offset}, filtered, 'requests', 'No requests yet.')))
    // An empty page already says how many match.
    if (result.logs.length > 0 && result.total > result.logs.length) this.note(`(${result.logs.length} of ${result.total} shown; use --limit / --offset)`)
    return result.logs
  }
}

import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {numberFlag} from '../src/cli/flags.js'
import {logsTable} from '../src/cli/render/runtime.js'
import type {RequestLogDto} from '../src/core/api-types.js'

export default class Logs extends BaseCommand {
  static override summary = 'Recent /v1 requests, newest first (no prompt or completion text)'
  static override flags = {
    limit: numberFlag('How many [default: 50]'),
    offset: numberFlag('Skip this many of the newest'),
    model: Flags.string({description: 'Only requests for this model (routed or requested)'}),
    key: Flags.string({description: 'Only requests of this API key id'}),
    status: numberFlag('Only requests that ended with this HTTP status'),
  }

  static override examples = ['<%= config.bin %> logs', '<%= config.bin %> logs --limit 200 --model gpt-4o', '<%= config.bin %> logs --status 429 --json']

  async run(): Promise<RequestLogDto[]> {
    const {flags} = await this.parse(Logs)
    const result = await (await this.client(flags)).logs({limit: flags.limit ?? 50, offset: flags.offset, model: flags.model, api_key_id: flags.key, status: flags.status})
    this.print(logsTable(result.logs))
    if (result.total > result.logs.length) this.note(`(${result.logs.length} of ${result.total} shown; use --limit / --offset)`)
    return result.logs
  }
}

import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {parseDuration} from '../../src/core/duration.js'
import {yesFlag} from '../../src/cli/flags.js'
import {confirm} from '../../src/cli/prompt.js'

/** 14 days, 36 hours, 90 minutes: the largest whole unit, else hours with a fraction. */
function humanRetention(ms: number): string {
  const days = ms / 86_400_000
  if (Number.isInteger(days)) return `${days} day${days === 1 ? '' : 's'}`
  const hours = ms / 3_600_000
  return `${Number.isInteger(hours) ? hours : hours.toFixed(2)} hours`
}

export default class TsdbRetention extends BaseCommand {
  static override summary = 'Show or set how long time-series data is kept (persists across restarts)'
  static override args = {retention: Args.string({ignoreStdin: true, description: 'New retention, e.g. 14d, 72h, or a number of days (1 hour to 400 days)'})}
  static override flags = {yes: yesFlag}
  static override examples = ['<%= config.bin %> tsdb retention', '<%= config.bin %> tsdb retention 14d', '<%= config.bin %> tsdb retention 1d --yes']

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(TsdbRetention)
    const client = await this.client(flags)
    if (args.retention === undefined) {
      const {retention_ms} = await client.tsdbMetrics()
      this.print(`retention: ${humanRetention(retention_ms)}`)
      return {retention_ms, retention_days: retention_ms / 86_400_000}
    }
    // A bare number is days (the unit retention is spoken of in), never seconds.
    const retention = /^\d+(\.\d+)?$/.test(args.retention.trim()) ? `${args.retention.trim()}d` : args.retention
    let ms: number
    try {
      ms = parseDuration(retention)
    } catch {
      return this.usageError(`"${args.retention}" is not a retention: use 14d, 72h or a number of days`)
    }
    if (ms < 3_600_000 || ms > 400 * 86_400_000) return this.usageError('retention must be between 1 hour and 400 days')
    // Shorter deletes the older history at once: asked first, like any deletion.
    if (!flags.yes) {
      const {retention_ms: current} = await client.tsdbMetrics()
      if (ms < current && !(await confirm(`Shorten retention from ${humanRetention(current)} to ${humanRetention(ms)}? Older time series are deleted at once.`))) {
        this.usageError('cancelled; retention unchanged')
      }
    }
    const result = await client.tsdbRetention({retention})
    this.print(`retention: ${humanRetention(result.retention_days * 86_400_000)}`)
    return result
  }
}

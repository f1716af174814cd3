import {BaseCommand} from '../src/cli/base-command.js'
import {renderFields} from '../src/cli/table.js'
import type {InfoDto} from '../src/core/api-types.js'

export default class Status extends BaseCommand {
  static override summary = 'Show the daemon: address, version, uptime, vault state, provider/model/key counts'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', 'TOKENHUB_URL=http://gw.internal:8080 <%= config.bin %> status']

  async run(): Promise<InfoDto & {url: string}> {
    const {flags} = await this.parse(Status)
    const client = await this.client(flags)
    const info = await client.info()
    this.print(
      renderFields([
        ['server', client.url],
        ['version', info.version],
        ['uptime', formatUptime(info.uptime_s)],
        ['vault', info.vault_initialized ? (info.vault_locked ? 'locked' : 'unlocked') : 'not set up (tokenhub vault unlock)'],
        ['providers', info.providers],
        ['models', info.models],
        ['api keys', info.api_keys],
      ]),
    )
    return {url: client.url, ...info}
  }
}

function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return [d && `${d}d`, (d || h) && `${h}h`, (d || h || m) && `${m}m`, `${s}s`].filter(Boolean).join(' ')
}

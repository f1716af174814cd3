import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {resolveConnection} from '../src/cli/connection.js'
import {formatEvent} from '../src/cli/render/events.js'
import {colorEnabled, inert, inertJson} from '../src/cli/style.js'
import {followEvents} from '../src/client/event-stream.js'
import {EVENT_TYPES} from '../src/events/types.js'

export default class Events extends BaseCommand {
  protected override jsonLines = true

  static override summary = 'Follow the live event stream until Ctrl-C (reconnects by itself)'
  static override description =
    'Prints one line per event: UTC time, type, then key=value fields, a value with spaces or quotes in double quotes (with --json: one JSON object per line). A daemon that cannot be reached at the start is exit 3, a wrong token exit 1. Once following, when the daemon restarts or the network drops, it says so on stderr and resumes with Last-Event-ID; it never times out.'
  static override flags = {
    type: Flags.string({description: 'Only this event type (repeatable), e.g. route_error, failover, health_change', multiple: true, options: [...EVENT_TYPES]}),
    'since-id': Flags.integer({description: 'Replay the kept events after this id first', min: 0, max: Number.MAX_SAFE_INTEGER}),
    backlog: Flags.integer({description: 'Replay the newest N kept events (of the chosen types) first, at most 1000', min: 0, max: 1000, exclusive: ['since-id']}),
    count: Flags.integer({description: 'Exit after printing N events (a script waiting for the first error: --type route_error --count 1)', min: 1}),
  }

  static override examples = ['<%= config.bin %> events', '<%= config.bin %> events --backlog 50', '<%= config.bin %> events --type route_error --type failover', '<%= config.bin %> events --json | jq .', '<%= config.bin %> events --type route_error --json --count 1']

  async run(): Promise<void> {
    const {flags} = await this.parse(Events)
    const connection = await resolveConnection(flags)
    // Unreachable or a wrong token at the start is an answer (exit 3 / 1), as for every command;
    // once following, drops are retried for as long as it runs.
    await (await this.client(flags)).info()
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    // The reader went away (`| head -1`, `| grep -m1`): done, as other Unix tools are.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') stop()
    })
    const json = this.jsonEnabled()
    const color = colorEnabled()
    let disconnected = false
    let printed = 0
    await followEvents({
      url: connection.url,
      token: connection.token,
      types: flags.type,
      lastEventId: flags['since-id'],
      backlog: flags.backlog,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'connected') return
        // The daemon ending the stream (shutdown, admin token rotated) is connection news, like the reconnects: stderr.
        if (event.type === 'closing') {
          process.stderr.write(`the daemon ended the stream: ${inert(String(event.reason ?? ''))}\n`)
          return
        }
        if (controller.signal.aborted) return
        process.stdout.write(json ? `${inertJson(event)}\n` : `${formatEvent(event, color)}\n`)
        if (flags.count !== undefined && ++printed >= flags.count) stop()
      },
      onState: (state, detail) => {
        if (state === 'disconnected') {
          disconnected = true
          process.stderr.write(`disconnected from ${connection.url} (${detail})\n`)
        } else if (disconnected) {
          disconnected = false
          process.stderr.write(`reconnected to ${detail}\n`)
        }
      },
    })
  }
}

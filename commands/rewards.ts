import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {countFlag} from '../src/cli/flags.js'
import {rewardsView} from '../src/cli/render/observability.js'
import type {RewardsDto} from '../src/core/api-types.js'

export default class Rewards extends BaseCommand {
  static override summary = 'Thompson-sampling rewards and the current posterior per model and size bucket'
  static override flags = {
    limit: countFlag('Recent rewards to show (at most 1000) [default: 20]', {min: 1, max: 1000}),
    model: Flags.string({description: 'Only this model'}),
  }

  static override examples = ['<%= config.bin %> rewards', '<%= config.bin %> rewards --model gpt-4o --limit 100 --json']

  async run(): Promise<RewardsDto> {
    const {flags} = await this.parse(Rewards)
    const result = await (await this.client(flags)).rewards({limit: flags.limit ?? 20, model: flags.model})
    this.print(rewardsView(result))
    return result
  }
}

import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {passwordPairFrom} from '../../src/cli/passwords.js'
import type {VaultStateDto} from '../../src/core/api-types.js'

export default class VaultRotate extends BaseCommand {
  static override summary = 'Change the vault password (stored secrets stay as they are)'
  static override args = {
    old: Args.string({ignoreStdin: true, description: 'Current password'}),
    new: Args.string({ignoreStdin: true, description: 'New password (min. 8 characters)'}),
  }

  static override flags = {'password-stdin': Flags.boolean({description: 'Read the old and the new password from stdin, one per line'})}
  static override examples = ['<%= config.bin %> vault rotate', '$ printf "%s\\n%s\\n" "$OLD" "$NEW" | <%= config.bin %> vault rotate --password-stdin', '<%= config.bin %> vault rotate old-password new-password']

  async run(): Promise<VaultStateDto> {
    const {args, flags} = await this.parse(VaultRotate)
    const client = await this.client(flags)
    const [oldPassword, newPassword] = await passwordPairFrom({old: args.old, next: args.new, stdin: flags['password-stdin']})
    const result = await client.vaultRotate(oldPassword, newPassword)
    this.print('Vault password changed.')
    if (result.warning) this.note(`Warning: ${result.warning}`)
    return result
  }
}

import {BaseCommand} from '../../src/cli/base-command.js'
import type {VaultStateDto} from '../../src/core/api-types.js'

export default class VaultLock extends BaseCommand {
  static override summary = 'Lock the vault: provider keys become unusable until the next unlock'
  static override examples = ['<%= config.bin %> vault lock']

  async run(): Promise<VaultStateDto> {
    const {flags} = await this.parse(VaultLock)
    const result = await (await this.client(flags)).vaultLock()
    this.print(result.already_locked ? 'Vault was already locked.' : 'Vault locked.')
    return result
  }
}

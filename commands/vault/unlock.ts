import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {passwordFrom} from '../../src/cli/passwords.js'
import type {VaultStateDto} from '../../src/core/api-types.js'

export default class VaultUnlock extends BaseCommand {
  static override summary = 'Unlock the vault (the first unlock sets the vault password, min. 8 characters)'
  static override description = 'Without an argument the password is prompted for without echo. Prefer --password-stdin in scripts: an argument is visible in ps and shell history.'
  static override args = {password: Args.string({ignoreStdin: true, description: 'The vault password'})}
  static override flags = {'password-stdin': Flags.boolean({description: 'Read the password from stdin'})}
  static override examples = [
    '<%= config.bin %> vault unlock',
    '$ printf %s "$VAULT_PASSWORD" | <%= config.bin %> vault unlock --password-stdin',
    '<%= config.bin %> vault unlock "correct horse battery staple"',
  ]

  async run(): Promise<VaultStateDto> {
    const {args, flags} = await this.parse(VaultUnlock)
    const client = await this.client(flags)
    let firstTime = false
    if (args.password === undefined && !flags['password-stdin']) firstTime = !(await client.info()).vault_initialized
    const password = await passwordFrom({
      arg: args.password,
      stdin: flags['password-stdin'],
      prompt: firstTime ? 'Choose a vault password (min. 8 characters): ' : 'Vault password: ',
      confirm: firstTime,
    })
    const result = await client.vaultUnlock(password)
    this.print(result.initialized ? 'Vault initialised with this password and unlocked. Keep the password safe: it cannot be recovered.' : 'Vault unlocked.')
    return result
  }
}

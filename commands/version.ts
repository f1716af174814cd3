import {Command} from '@oclif/core'

export default class Version extends Command {
  static override summary = 'Print the CLI version (also: tokenhub --version)'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']

  async run(): Promise<{version: string; node: string; platform: string}> {
    await this.parse(Version)
    this.log(this.config.version)
    return {version: this.config.version, node: process.version, platform: `${process.platform}-${process.arch}`}
  }
}

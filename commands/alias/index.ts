import AliasList from './list.js'

/** `tokenhub alias` alone lists, as `tokenhubctl alias` does; `tokenhub alias --help` still lists the topic's commands. */
export default class AliasTopic extends AliasList {
  /** Listed as the topic in `tokenhub --help`, not a second time as a command. */
  static override hidden = true
  static override hiddenAliases = ['aliases']
  static override summary = 'Model aliases: names clients send, mapped to weighted models; alone, list them (as `alias list`)'
  static override examples = ['<%= config.bin %> alias', '<%= config.bin %> alias --json']
}

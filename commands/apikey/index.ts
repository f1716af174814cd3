import ApiKeyList from './list.js'

/** `tokenhub apikey` alone lists, as `tokenhubctl apikey` does; `tokenhub apikey --help` still lists the topic's commands. */
export default class ApiKeyTopic extends ApiKeyList {
  /** Listed as the topic in `tokenhub --help`, not a second time as a command. */
  static override hidden = true
  static override hiddenAliases = ['apikeys']
  static override summary = 'Client API keys for the /v1 endpoints; alone, list them (as `apikey list`)'
  static override examples = ['<%= config.bin %> apikey', '<%= config.bin %> apikey --json']
}

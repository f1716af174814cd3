import ProviderList from './list.js'

/** `tokenhub provider` alone lists, as `tokenhubctl provider` does; `tokenhub provider --help` still shows the topic's commands. */
export default class ProviderTopic extends ProviderList {
  /** Listed as the topic in `tokenhub --help`, not a second time as a command. */
  static override hidden = true
  static override hiddenAliases = ['providers']
  static override summary = 'Register and manage upstream LLM providers; alone, list them (as `provider list`)'
  static override examples = ['<%= config.bin %> provider', '<%= config.bin %> provider --json']
}

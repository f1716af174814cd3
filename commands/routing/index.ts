import RoutingGet from './get.js'

/** `tokenhub routing` alone shows the policy, as `tokenhubctl routing` does; `tokenhub routing --help` still lists the topic's commands. */
export default class RoutingTopic extends RoutingGet {
  /** Listed as the topic in `tokenhub --help`, not a second time as a command. */
  static override hidden = true
  static override summary = 'Default routing policy; alone, show it (as `routing get`)'
  static override examples = ['<%= config.bin %> routing', '<%= config.bin %> routing --json']
}

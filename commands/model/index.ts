import ModelList from './list.js'

/** `tokenhub model` alone lists, as `tokenhubctl model` does; `tokenhub model --help` still lists the topic's commands. */
export default class ModelTopic extends ModelList {
  /** Listed as the topic in `tokenhub --help`, not a second time as a command. */
  static override hidden = true
  static override hiddenAliases = ['models']
  static override summary = 'Register and manage models and their prices; alone, list them (as `model list`)'
  static override examples = ['<%= config.bin %> model', '<%= config.bin %> model --json']
}

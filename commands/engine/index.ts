import EngineModels from './models.js'

/** `tokenhub engine` alone shows the registry, as `tokenhubctl engine` does; `tokenhub engine --help` still lists the topic's commands. */
export default class EngineTopic extends EngineModels {
  /** Listed as the topic in `tokenhub --help`, not a second time as a command. */
  static override hidden = true
  static override summary = 'Runtime model registry; alone, show it (as `engine models`)'
  static override examples = ['<%= config.bin %> engine', '<%= config.bin %> engine --json']
}

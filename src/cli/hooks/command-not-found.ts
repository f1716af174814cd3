import {Errors, type Hook} from '@oclif/core'
import {inertLines, writeUnwrapped} from '../style.js'

const spaced = (id: string) => id.replaceAll(':', ' ')

/**
 * An unknown command, or an extra word after one that takes no argument (`provider list extra`,
 * which oclif reads as the command "provider:list:extra"): a usage error (exit 2) that names the
 * command and what it offers, printed as `{"error": ...}` with --json like every other failure.
 */
const hook: Hook<'command_not_found'> = async function ({id, argv, config}) {
  const parts = id.split(':')
  const subcommands = (topic: string) => config.commands.filter((c) => c.id.startsWith(`${topic}:`) && !c.hidden).map((c) => spaced(c.id))
  let message = ''
  for (let n = parts.length - 1; n > 0 && !message; n--) {
    const command = config.findCommand(parts.slice(0, n).join(':'))
    if (!command) continue
    // A topic that runs alone (`provider` lists; `providers` is its alias): a word after it is an unknown command of the topic.
    const aliasesOf = (c: {aliases?: string[]; hiddenAliases?: string[]}) => [...(c.aliases ?? []), ...(c.hiddenAliases ?? [])]
    // An alias's entry is a copy of its command under the alias's id: the command is the copy whose id is no alias.
    const topic = config.commands.find((c) => aliasesOf(c).includes(command.id) && !aliasesOf(c).includes(c.id))?.id ?? command.id
    const offers = subcommands(topic)
    message = offers.length
      ? `unknown command "${spaced(id)}"; ${spaced(topic)} has: ${offers.sort().join(', ')}`
      : `${spaced(command.id)} does not take "${parts.slice(n).join(' ')}"; see \`${config.bin} ${spaced(command.id)} --help\``
  }
  if (!message) {
    const siblings = subcommands(parts[0])
    message = siblings.length
      ? `unknown command "${spaced(id)}"; ${parts[0]} has: ${siblings.sort().join(', ')}`
      : `unknown command "${spaced(id)}"; see \`${config.bin} --help\``
  }
  message = inertLines(message)
  if (argv?.includes('--json')) {
    process.stdout.write(`${JSON.stringify({error: {code: 'USAGE', message}}, null, 2)}\n`)
    Errors.exit(2)
  }
  if (!process.stderr.isTTY) {
    writeUnwrapped(message)
    Errors.exit(2)
  }
  throw new Errors.CLIError(message, {exit: 2})
}

export default hook

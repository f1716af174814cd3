import {ClientError} from '../client/errors.js'
import {promptHidden, readStdin} from './prompt.js'

/** Password from the argument, from stdin (--password-stdin), or a no-echo prompt. */
export async function passwordFrom(options: {arg?: string; stdin: boolean; prompt: string; confirm?: boolean}): Promise<string> {
  if (options.arg !== undefined && options.stdin) throw new ClientError('USAGE', 'give the password as an argument or with --password-stdin, not both')
  if (options.arg !== undefined) return options.arg
  if (options.stdin) {
    const value = await readStdin()
    if (value === '') throw new ClientError('USAGE', '--password-stdin: stdin was empty')
    // A line break inside (a second newline, a CRLF file) would become part of a password nobody can type at the prompt.
    if (/[\r\n]/.test(value)) throw new ClientError('USAGE', '--password-stdin: the password must be one line (stdin held a line break before its end)')
    return value
  }
  const value = await promptHidden(options.prompt)
  if (options.confirm) {
    const again = await promptHidden('Repeat it: ')
    if (again !== value) throw new ClientError('USAGE', 'the two passwords differ; nothing was changed')
  }
  return value
}

/** Two passwords (old, new): arguments, two lines on stdin, or prompts. */
export async function passwordPairFrom(options: {old?: string; next?: string; stdin: boolean}): Promise<[string, string]> {
  if (options.stdin) {
    if (options.old !== undefined || options.next !== undefined) throw new ClientError('USAGE', 'with --password-stdin, give no password arguments')
    const lines = (await readStdin()).split(/\r?\n/)
    if (lines.length < 2 || lines[0] === '' || lines[1] === '') throw new ClientError('USAGE', '--password-stdin: expected the old password and the new one on two lines')
    return [lines[0], lines[1]]
  }
  const old = options.old ?? (await promptHidden('Current vault password: '))
  const next = options.next ?? (await passwordFrom({stdin: false, prompt: 'New vault password: ', confirm: true}))
  return [old, next]
}

import {createInterface} from 'node:readline/promises'
import {ClientError} from '../client/errors.js'

export const stdinIsTTY = (): boolean => Boolean(process.stdin.isTTY)

/** Reads all of stdin (for --password-stdin); strips the final newline only. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

/** A secret piped in (`printf %s "$KEY" | ...`); an empty stdin (an unset variable) is a usage error. */
export async function readSecretFromStdin(what: string): Promise<string> {
  const secret = await readStdin()
  if (secret.trim() === '') throw new ClientError('USAGE', `stdin was empty: no ${what} was read (is the variable you piped in set?)`)
  return secret
}

/** Asks for a secret on the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  if (!stdinIsTTY()) {
    return Promise.reject(new ClientError('USAGE', 'no terminal to prompt on: pass the value as an argument or use --password-stdin'))
  }
  const stdin = process.stdin
  // Raw mode before the question: an answer typed ahead must not be echoed either.
  stdin.setRawMode(true)
  process.stderr.write(question)
  return new Promise((resolve, reject) => {
    let value = ''
    const done = (error?: Error) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(value)
    }
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return done()
        if (char === '\u0003') return done(new ClientError('USAGE', 'cancelled'))
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1)
        else if (char >= ' ') value += char
      }
    }
    stdin.resume()
    stdin.on('data', onData)
  })
}

/** Throws the usage error of a confirmation without a terminal to ask on (the caller must pass --yes). */
export function assertCanConfirm(): void {
  if (!stdinIsTTY()) throw new ClientError('USAGE', 'this would change data and there is no terminal to confirm on: pass --yes')
}

/** y/N confirmation on the terminal; without a terminal the caller must pass --yes. */
export async function confirm(question: string): Promise<boolean> {
  assertCanConfirm()
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    const answer = await rl.question(`${question} [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}

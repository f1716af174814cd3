import {ClientError} from '../client/errors.js'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {defaultDataDir} from '../store/data-dir.js'
import {readSettings} from './settings.js'

export const DEFAULT_URL = 'http://127.0.0.1:8080'

export interface Connection {
  url: string
  token?: string
  urlSource: 'flag' | 'env' | 'config' | 'default'
  tokenSource?: 'flag' | 'env' | 'file'
  /** No token, and the URL is on this machine: why the local token file gave none (its path, then e.g. "does not exist"). */
  tokenProblem?: string
}

/**
 * A URL that reaches this machine, so the data dir's .admin-token belongs to its daemon: loopback,
 * or the unspecified address 0.0.0.0 / [::] that a daemon listening on all interfaces prints.
 */
export function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname
    return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.') || host === '0.0.0.0' || host === '[::]'
  } catch {
    return false
  }
}

export function localAdminTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultDataDir(env), '.admin-token')
}

/** The local token file's token, or why there is none ("does not exist", "cannot be read (EACCES)", "is empty"). */
export async function readLocalAdminTokenFile(env: NodeJS.ProcessEnv = process.env): Promise<{token: string; problem: null} | {token: null; problem: string}> {
  try {
    const token = (await readFile(localAdminTokenFile(env), 'utf8')).trim()
    return token === '' ? {token: null, problem: 'is empty'} : {token, problem: null}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {token: null, problem: 'does not exist'}
    if (code === 'EACCES' || code === 'EPERM') return {token: null, problem: `cannot be read by this user (${code}): run as the daemon's user, or with sudo`}
    return {token: null, problem: `cannot be read (${code ?? (error as Error).message})`}
  }
}

/**
 * Where the daemon is and how to authenticate: flag > environment > `tokenhub config` > default;
 * the token falls back to the data dir's .admin-token when the daemon is on this machine.
 */
export async function resolveConnection(flags: {url?: string; token?: string}, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  let url: string
  let urlSource: Connection['urlSource']
  if (flags.url) {
    url = flags.url
    urlSource = 'flag'
  } else if (env.TOKENHUB_URL) {
    url = env.TOKENHUB_URL
    urlSource = 'env'
  } else {
    // A settings file that cannot be read is said (exit 2), not silently replaced by the default url.
    const saved = (await readSettings()).url
    url = saved ?? DEFAULT_URL
    urlSource = saved ? 'config' : 'default'
  }
  checkUrl(url, urlSource)
  if (flags.token !== undefined) checkToken(flags.token, 'the --token value')
  else if (env.TOKENHUB_ADMIN_TOKEN) checkToken(env.TOKENHUB_ADMIN_TOKEN, 'TOKENHUB_ADMIN_TOKEN')
  if (flags.token) return {url, urlSource, token: flags.token, tokenSource: 'flag'}
  if (env.TOKENHUB_ADMIN_TOKEN) return {url, urlSource, token: env.TOKENHUB_ADMIN_TOKEN, tokenSource: 'env'}
  if (isLocalUrl(url)) {
    const read = await readLocalAdminTokenFile(env)
    if (read.token) return {url, urlSource, token: read.token, tokenSource: 'file'}
    return {url, urlSource, tokenProblem: `${localAdminTokenFile(env)} ${read.problem}`}
  }
  return {url, urlSource}
}

const URL_FROM: Record<Connection['urlSource'], string> = {flag: '--url', env: 'TOKENHUB_URL', config: 'the saved url (tokenhub config set url)', default: 'the default url'}

/** A daemon URL must be http(s)://host[:port]: anything else is the caller's mistake (exit 2), not an unreachable daemon. */
function checkUrl(url: string, source: Connection['urlSource']): void {
  const problem = daemonUrlProblem(url)
  if (problem) throw new ClientError('USAGE', `${URL_FROM[source]} ${problem}`)
}

/**
 * What is wrong with a daemon URL, or null. It is http(s)://host[:port], and trailing slashes are
 * fine; the admin paths are appended to it, so a path, a query or a fragment would only send the
 * requests somewhere else (the daemon serves no path prefix).
 */
export function daemonUrlProblem(url: string): string | null {
  let parsed: URL | null = null
  try {
    parsed = new URL(url)
  } catch {
    // Reported below.
  }
  // Whatever it holds between "//" and "@" may be a password: never echoed.
  const shown = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1***@')
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return `is not an http(s) URL: "${shown}" (e.g. http://127.0.0.1:8080)`
  // fetch() refuses such a URL anyway; and it is not echoed, since it holds a password.
  if (parsed.username !== '' || parsed.password !== '') return `holds credentials (user:password@): the daemon takes the admin token (--token, TOKENHUB_ADMIN_TOKEN), not URL credentials; give http(s)://host[:port] (e.g. ${parsed.protocol}//${parsed.host})`
  const extra = [
    ...(/^\/*$/.test(parsed.pathname) ? [] : [`a path (${parsed.pathname})`]),
    ...(parsed.search !== '' || url.includes('?') ? ['a query'] : []),
    ...(parsed.hash !== '' || url.includes('#') ? ['a fragment'] : []),
  ]
  if (extra.length > 0) return `has ${extra.join(' and ')}: "${shown}"; give only the daemon's address, http(s)://host[:port] (e.g. ${parsed.origin})`
  return null
}

/** A token goes into a header: a control character or a space in it is a paste mistake (exit 2). */
function checkToken(token: string, what: string): void {
  if (!/^[\x21-\x7e]*$/.test(token)) throw new ClientError('USAGE', `${what} holds spaces, control characters or non-ASCII characters; an admin token is visible ASCII`)
}

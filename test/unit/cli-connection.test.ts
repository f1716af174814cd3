import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {daemonUrlProblem, isLocalUrl, resolveConnection} from '../../src/cli/connection.js'
import {AdminClient} from '../../src/client/admin-client.js'
import {ClientError} from '../../src/client/errors.js'
import {tempDir} from '../helpers/paths.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function dataDirWithToken(token?: string): Promise<string> {
  const dir = await tempDir('tokenhub-conn-')
  cleanups.push(dir.cleanup)
  if (token !== undefined) await writeFile(join(dir.path, '.admin-token'), `${token}\n`, {mode: 0o600})
  return dir.path
}

describe('isLocalUrl', () => {
  it('counts loopback and the unspecified address a daemon on all interfaces prints', () => {
    for (const url of ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://127.1.2.3:1', 'http://[::1]:8080', 'http://0.0.0.0:8080', 'http://[::]:8080']) expect(isLocalUrl(url), url).toBe(true)
    for (const url of ['http://10.0.0.1:8080', 'http://gateway.internal:8080', 'http://[2001:db8::1]:8080', 'not a url']) expect(isLocalUrl(url), url).toBe(false)
  })
})

describe('resolveConnection', () => {
  it.each(['http://0.0.0.0:8080', 'http://[::]:8080'])('reads the local token file for the printed URL %s', async (url) => {
    const dataDir = await dataDirWithToken('local-admin-token-1234')
    const connection = await resolveConnection({}, {TOKENHUB_DATA_DIR: dataDir, TOKENHUB_URL: url})
    expect(connection).toMatchObject({url, token: 'local-admin-token-1234', tokenSource: 'file'})
  })

  it('says why the local token file gave no token: its path and "does not exist"', async () => {
    const dataDir = await dataDirWithToken()
    const connection = await resolveConnection({url: 'http://127.0.0.1:8080'}, {TOKENHUB_DATA_DIR: dataDir})
    expect(connection.token).toBeUndefined()
    expect(connection.tokenProblem).toBe(`${join(dataDir, '.admin-token')} does not exist`)
  })

  it('says an unreadable token file cannot be read by this user', async () => {
    // A directory in its place fails to read (EISDIR) even for root, who can read any file.
    const dataDir = await dataDirWithToken()
    await mkdir(join(dataDir, '.admin-token'))
    const connection = await resolveConnection({url: 'http://localhost:8080'}, {TOKENHUB_DATA_DIR: dataDir})
    expect(connection.tokenProblem).toBe(`${join(dataDir, '.admin-token')} cannot be read (EISDIR)`)
  })

  it('gives no file reason for a remote URL, whose token is never read from this machine', async () => {
    const dataDir = await dataDirWithToken('local-admin-token-1234')
    const connection = await resolveConnection({url: 'http://gateway.internal:8080'}, {TOKENHUB_DATA_DIR: dataDir})
    expect(connection).toEqual({url: 'http://gateway.internal:8080', urlSource: 'flag'})
  })

  it.each([
    ['http://127.0.0.1:8080/?x=1', 'a query'],
    ['http://127.0.0.1:8080#top', 'a fragment'],
    ['http://127.0.0.1:8080/admin/v1', 'a path (/admin/v1)'],
    ['http://127.0.0.1:8080/tokenhub/?a=b', 'a path (/tokenhub/) and a query'],
  ])('rejects %s as a usage error (it has %s)', async (url, what) => {
    const failure = await resolveConnection({url}, {}).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ClientError)
    expect((failure as ClientError).exitCode).toBe(2)
    expect((failure as ClientError).message).toBe(`--url has ${what}: "${url}"; give only the daemon's address, http(s)://host[:port] (e.g. http://127.0.0.1:8080)`)
  })

  it('names TOKENHUB_URL when that is where a bad URL came from, and takes trailing slashes', async () => {
    await expect(resolveConnection({}, {TOKENHUB_URL: 'http://127.0.0.1:8080/?'})).rejects.toThrow(/^TOKENHUB_URL has a query/)
    expect(daemonUrlProblem('http://127.0.0.1:8080/')).toBeNull()
    // Credentials: refused (fetch would refuse them too), and the password is not echoed back.
    const creds = daemonUrlProblem('http://admin:hunter2-secret@gw.internal:8080')
    expect(creds).toContain('holds credentials')
    expect(creds).toContain('http://gw.internal:8080')
    expect(creds).not.toContain('hunter2-secret')
    for (const odd of ['ftp://admin:hunter2-secret@gw:8080', 'admin:hunter2-secret@gw:8080']) expect(daemonUrlProblem(odd)).not.toContain('hunter2-secret')
    expect(daemonUrlProblem('https://gateway.internal:8443//')).toBeNull()
    expect(daemonUrlProblem('ftp://127.0.0.1:8080')).toMatch(/^is not an http\(s\) URL/)
  })
})

describe('the "no admin token" error', () => {
  it('says why the local token file was not used', async () => {
    const client = new AdminClient({url: 'http://127.0.0.1:1', noTokenReason: '/var/lib/tokenhub/.admin-token does not exist'})
    const failure = await client.info().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ClientError)
    expect((failure as ClientError).exitCode).toBe(2)
    expect((failure as ClientError).message).toBe('no admin token: TOKENHUB_ADMIN_TOKEN is not set, --token is not given, and /var/lib/tokenhub/.admin-token does not exist')
  })
})

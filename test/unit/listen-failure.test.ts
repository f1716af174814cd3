import {createServer, type Server} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {blockedByFetch, listenFailureMessage, probeListen} from '../../daemon/server.js'

describe('listenFailureMessage', () => {
  it('says a low port needs root or CAP_NET_BIND_SERVICE, not that it is in use', () => {
    const message = listenFailureMessage('0.0.0.0', 443, 'EACCES')
    expect(message).toMatch(/^cannot listen on 0\.0\.0\.0:443: permission denied \(EACCES\)/)
    expect(message).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE')
    expect(message).not.toContain('in use')
    expect(listenFailureMessage('0.0.0.0', 8080, 'EACCES')).not.toContain('below 1024')
  })

  it('points at ss for a port in use', () => {
    expect(listenFailureMessage('127.0.0.1', 8080, 'EADDRINUSE')).toBe("cannot listen on 127.0.0.1:8080: the port is in use (EADDRINUSE); see what holds it with: ss -ltnp 'sport = :8080'")
  })

  it('says the machine has no such address, or that the name does not resolve', () => {
    expect(listenFailureMessage('192.0.2.1', 8080, 'EADDRNOTAVAIL')).toContain('this machine has no address 192.0.2.1')
    expect(listenFailureMessage('nonexistent.invalid', 8080, 'ENOTFOUND')).toContain('the host name nonexistent.invalid does not resolve')
    expect(listenFailureMessage('gw.example', 8080, 'EAI_AGAIN')).toContain('the host name gw.example could not be resolved')
  })

  it('names any other code, and keeps the old words when the probe bound the address', () => {
    expect(listenFailureMessage('127.0.0.1', 8080, 'EINVAL')).toBe('cannot listen on 127.0.0.1:8080: EINVAL')
    expect(listenFailureMessage('127.0.0.1', 8080, undefined)).toBe('cannot listen on 127.0.0.1:8080: the address is in use or not available on this machine')
  })
})

describe('probeListen', () => {
  let holder: Server | undefined
  afterEach(async () => {
    await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)))
    holder = undefined
  })

  it('finds EADDRINUSE for a port another socket holds, and nothing once it is free', async () => {
    holder = createServer()
    await new Promise<void>((resolve) => holder!.listen({host: '127.0.0.1', port: 0}, resolve))
    const port = (holder.address() as {port: number}).port
    expect(await probeListen('127.0.0.1', port)).toBe('EADDRINUSE')
    await new Promise((resolve) => holder!.close(resolve))
    holder = undefined
    expect(await probeListen('127.0.0.1', port)).toBeUndefined()
  })

  it('finds EADDRNOTAVAIL for an address this machine does not have', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real host.
    expect(await probeListen('192.0.2.1', 18_000)).toBe('EADDRNOTAVAIL')
  })
})

describe('blockedByFetch', () => {
  const refusal = (port: number) =>
    fetch(`http://127.0.0.1:${port}/`).then(
      () => 'answered',
      (error: Error & {cause?: Error}) => error.cause?.message ?? error.message,
    )

  it('names exactly the ports Node\'s own fetch refuses (the daemon warns when it listens on one)', async () => {
    const candidates = [...Array.from({length: 11000}, (_, port) => port).filter((port) => port > 0 && blockedByFetch(port)), 6001, 6664, 6670, 8080, 10081]
    for (const port of candidates) expect([port, (await refusal(port)) === 'bad port']).toEqual([port, blockedByFetch(port)])
    expect(blockedByFetch(6000)).toBe(true)
  })
})

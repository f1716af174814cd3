import {describe, expect, it} from 'vitest'
import {inRequestScope, requestScope} from '../../daemon/http/request-scope.js'

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms))

describe('admin request scope', () => {
  it('is visible across awaits in requests that can change something, and each keeps its own', async () => {
    const seen: Array<string | undefined> = []
    const slow = inRequestScope('POST', {requestId: 'slow', remoteAddress: '127.0.0.1'}, async () => {
      await tick(20)
      seen.push(requestScope.getStore()?.requestId)
    })
    const fast = inRequestScope('DELETE', {requestId: 'fast', remoteAddress: '127.0.0.1'}, async () => {
      await tick(1)
      seen.push(requestScope.getStore()?.requestId)
    })
    await Promise.all([slow, fast])
    // The fast one ended first; the slow one still had its scope afterwards.
    expect(seen).toEqual(['fast', 'slow'])
    expect(requestScope.getStore()).toBeUndefined()
  })

  it('is not set up for reads, and is off once no scoped request runs', async () => {
    await inRequestScope('GET', {requestId: 'read', remoteAddress: ''}, async () => {
      await tick()
      expect(requestScope.getStore()).toBeUndefined()
    })
    await inRequestScope('PUT', {requestId: 'write', remoteAddress: ''}, () => {
      expect(requestScope.getStore()?.requestId).toBe('write')
    })
    expect((requestScope as unknown as {enabled: boolean}).enabled).toBe(false)
  })

  it('returns what the handler returns and passes its errors on', async () => {
    expect(await inRequestScope('POST', {requestId: 'r', remoteAddress: ''}, () => 42)).toBe(42)
    await expect(inRequestScope('POST', {requestId: 'r', remoteAddress: ''}, async () => Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect((requestScope as unknown as {enabled: boolean}).enabled).toBe(false)
  })
})

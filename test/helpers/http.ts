import {request as httpRequest} from 'node:http'

/** A raw HTTP request, for bodies and headers fetch would not send; the body comes back as text. */
export function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string | Buffer): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {method, headers}, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text}))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

// The "floor" arm of `npm run bench`: the least a Node proxy on this stack can cost (hyper-express
// in, undici Pool out, no auth, routing or accounting). Gateway figures are read against it.
import HyperExpress from 'hyper-express'
import {Pool} from 'undici'

const [port, upstream] = [Number(process.argv[2] ?? 0), process.argv[3]]
const pool = new Pool(upstream, {connections: 256, pipelining: 1})
const app = new HyperExpress.Server({auto_close: false, max_body_length: 32 * 1024 * 1024})
app.post('/v1/chat/completions', async (req, res) => {
  const body = await req.text()
  const upstreamResponse = await pool.request({path: '/v1/chat/completions', method: 'POST', headers: {'content-type': 'application/json'}, body})
  const type = upstreamResponse.headers['content-type'] ?? 'application/json'
  if (!type.startsWith('text/event-stream')) {
    const text = await upstreamResponse.body.text()
    res.atomic(() => res.status(upstreamResponse.statusCode).header('content-type', type).send(text))
    return
  }
  res.status(upstreamResponse.statusCode).header('content-type', type)
  for await (const chunk of upstreamResponse.body) await new Promise((resolve) => res.write(chunk, resolve))
  res.end()
})
await app.listen(port, '127.0.0.1')
console.log(`listening on http://127.0.0.1:${app.port}`)

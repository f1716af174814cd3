// The "floor" arm of `npm run bench`: the least a Node proxy on this stack can cost (hyper-express
// in, undici out through its dispatcher handler interface like the gateway, no auth, routing or
// accounting). Gateway figures are read against it.
import HyperExpress from 'hyper-express'
import {Pool} from 'undici'

const [port, upstream] = [Number(process.argv[2] ?? 0), process.argv[3]]
const pool = new Pool(upstream, {connections: 256, pipelining: 1})
const app = new HyperExpress.Server({auto_close: false, max_body_length: 32 * 1024 * 1024})

/** Relays one upstream answer: JSON in one send, a stream chunk by chunk (at most 8 writes ahead of the client). */
function relay(res) {
  const chunks = []
  let streaming = false
  let resume = null
  let behind = 0
  let paused = false
  let ended = false
  return {
    onConnect() {},
    onHeaders(status, raw, resumeUpstream) {
      if (status < 200) return true
      let type = 'application/json'
      for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 12 && raw[i].toString('latin1').toLowerCase() === 'content-type') type = raw[i + 1].toString('latin1')
      res.status(status).header('content-type', type)
      streaming = type.startsWith('text/event-stream')
      resume = resumeUpstream
      return true
    },
    onData(chunk) {
      if (!streaming) {
        chunks.push(chunk)
        return true
      }
      behind++
      res._stream_chunk(chunk).then(() => {
        behind--
        if (ended && behind === 0) res.send()
        else if (paused && behind < 4) {
          paused = false
          resume()
        }
      })
      if (behind < 8) return true
      paused = true
      return false
    },
    onComplete() {
      if (!streaming) res.atomic(() => res.send(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')))
      else if (behind === 0) res.send()
      else ended = true
    },
    onError(error) {
      if (res.completed) return
      // Mid-stream: end what was sent (the client sees a cut stream); before it, a 502.
      if (streaming) res.send()
      else res.status(502).send(String(error.message))
    },
  }
}

app.post('/v1/chat/completions', async (req, res) => {
  const body = await req.text()
  pool.dispatch({path: '/v1/chat/completions', method: 'POST', headers: {'content-type': 'application/json'}, body}, relay(res))
})
await app.listen(port, '127.0.0.1')
console.log(`listening on http://127.0.0.1:${app.port}`)

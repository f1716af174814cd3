// A fake OpenAI-compatible upstream for `npm run bench`, in its own process (node:http).
// Non-stream: a fixed small chat completion. Stream (`"stream": true`): `bench_chunks` chunks
// (default 20) `bench_delay_ms` apart (default 0), each carrying the monotonic send time `t` (ns)
// so the client can measure per-chunk latency; a usage chunk when asked; then [DONE].
import {createServer} from 'node:http'

const port = Number(process.argv[2] ?? 0)
const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1700000000,
  model: 'bench-model',
  choices: [{index: 0, message: {role: 'assistant', content: 'Hello from the bench upstream.'}, finish_reason: 'stop', logprobs: null}],
  usage: {prompt_tokens: 12, completion_tokens: 7, total_tokens: 19},
})
const models = JSON.stringify({object: 'list', data: [{id: 'bench-model', object: 'model', created: 1700000000, owned_by: 'bench'}]})

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(models)
    return
  }
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', async () => {
    let body = {}
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {}
    if (!body.stream) {
      res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(completion)})
      res.end(completion)
      return
    }
    const n = body.bench_chunks ?? 20
    const delay = body.bench_delay_ms ?? 0
    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'})
    let closed = false
    res.on('close', () => (closed = true))
    for (let i = 0; i < n && !closed; i++) {
      if (delay) await new Promise((r) => setTimeout(r, delay))
      const t = process.hrtime.bigint().toString()
      res.write(`data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","t":"${t}","choices":[{"index":0,"delta":{"content":"tok${i} "},"finish_reason":null}]}\n\n`)
    }
    if (closed) return
    res.write('data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n')
    if (body.stream_options?.include_usage) {
      res.write(`data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${n},"total_tokens":${12 + n}}}\n\n`)
    }
    res.end('data: [DONE]\n\n')
  })
})
server.keepAliveTimeout = 60_000
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`))

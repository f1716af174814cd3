import OpenAI from 'openai'
import {writeFileSync} from 'node:fs'
import {startGatewayFixture} from './test/helpers/gateway-fixture.js'
const fx = await startGatewayFixture()
writeFileSync('/tmp/tuiscratch/env', `export TOKENHUB_URL=${fx.daemon.url}\nexport TOKENHUB_ADMIN_TOKEN=${fx.daemon.adminToken}\nexport DAEMON_PID=${fx.daemon.child.pid}\n`)
const client = new OpenAI({baseURL: `${fx.daemon.url}/v1`, apiKey: fx.key, maxRetries: 0})
const models = ['cheap-gpt', 'strong-gpt', 'claude', 'auto', 'nope']
let i = 0
setInterval(() => {
  const model = models[i++ % models.length]
  client.chat.completions.create({model, messages: [{role: 'user', content: 'hi ' + i}]}).catch(() => {})
}, 300)
process.on('SIGTERM', async () => { await fx.close(); process.exit(0) })

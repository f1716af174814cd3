import Anthropic from '@anthropic-ai/sdk'
import {readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {startTestDaemon, type TestDaemon} from '../helpers/daemon.js'
import {startFakeUpstream, type FakeUpstream} from '../helpers/fake-upstream.js'
import {openSse} from '../helpers/sse.js'

/**
 * Secrets go in with unique canary values; every output a user, an operator or an attacker
 * could see is collected and searched. Only ids and short prefixes may appear.
 */
const ADMIN_TOKEN = 'admintoken-CANARY-a1b2c3d4e5f6'
const VAULT_PASSWORD = 'vaultpass-CANARY-778899'
const OPENAI_KEY = 'sk-CANARY-openai-0f1e2d3c4b5a'
const ANTHROPIC_KEY = 'sk-ant-CANARY-anthropic-9a8b7c'

let daemon: TestDaemon
let openaiUp: FakeUpstream
let anthropicUp: FakeUpstream
let clientKey = ''
const seen: Array<{where: string; text: string}> = []
const collect = (where: string, text: string) => seen.push({where, text})

beforeAll(async () => {
  ;[openaiUp, anthropicUp] = await Promise.all([startFakeUpstream({apiKey: OPENAI_KEY}), startFakeUpstream({apiKey: ANTHROPIC_KEY, flavor: 'anthropic'})])
  daemon = await startTestDaemon({env: {TOKENHUB_ADMIN_TOKEN: ADMIN_TOKEN, TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD, TOKENHUB_LOG_LEVEL: 'debug'}})
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await daemon.admin(method, path, body)
    collect(`${method} ${path}`, JSON.stringify(response.body))
    return response
  }
  await admin('POST', '/admin/v1/providers', {id: 'oa', type: 'openai', base_url: openaiUp.url, api_key: OPENAI_KEY})
  await admin('POST', '/admin/v1/providers', {id: 'an', type: 'anthropic', base_url: anthropicUp.url, api_key: ANTHROPIC_KEY})
  await admin('POST', '/admin/v1/models', {id: 'gpt', provider_id: 'oa', input_per_1k: 0.001, output_per_1k: 0.002})
  await admin('POST', '/admin/v1/models', {id: 'claude', provider_id: 'an', input_per_1k: 0.001, output_per_1k: 0.002})
  const created = await daemon.admin('POST', '/admin/v1/apikeys', {name: 'canary-app'})
  clientKey = created.body.key

  const events = openSse(`${daemon.url}/admin/v1/events`, {authorization: `Bearer ${ADMIN_TOKEN}`})
  await events.waitFor((m) => m.length > 0)

  // Traffic through both dialects, streams, failures, a wrong key, an upstream that quotes its key.
  const openai = new OpenAI({apiKey: clientKey, baseURL: `${daemon.url}/v1`, maxRetries: 0})
  const anthropic = new Anthropic({apiKey: clientKey, baseURL: daemon.url, maxRetries: 0})
  await openai.chat.completions.create({model: 'gpt', messages: [{role: 'user', content: 'hello'}]})
  for await (const _ of await openai.chat.completions.create({model: 'claude', stream: true, messages: [{role: 'user', content: 'stream'}]})) void _
  await anthropic.messages.create({model: 'claude', max_tokens: 10, messages: [{role: 'user', content: 'hi'}]})
  await anthropic.messages.stream({model: 'gpt', max_tokens: 10, messages: [{role: 'user', content: 'hi'}]}).finalMessage()
  await new OpenAI({apiKey: 'th-wrong-key-wrong-key', baseURL: `${daemon.url}/v1`, maxRetries: 0}).chat.completions.create({model: 'gpt', messages: [{role: 'user', content: 'x'}]}).catch((e) => collect('wrong key error', JSON.stringify(e.error)))
  await daemon.admin('PATCH', '/admin/v1/providers/oa', {api_key: 'sk-CANARY-wrong-provider-key-123'})
  await openai.chat.completions.create({model: 'gpt', messages: [{role: 'user', content: 'x'}]}).catch((e) => collect('upstream 401 error', JSON.stringify(e.error) + e.message))
  await daemon.admin('PATCH', '/admin/v1/providers/oa', {api_key: OPENAI_KEY})
  await daemon.admin('GET', '/admin/v1/providers/oa/discover')
  await daemon.admin('POST', '/admin/v1/vault/unlock', {password: 'not-the-vault-password'})
  await daemon.admin('POST', '/admin/v1/vault/rotate', {old_password: VAULT_PASSWORD, new_password: `${VAULT_PASSWORD}-2`})
  await new Promise((resolve) => setTimeout(resolve, 300))
  collect('event stream', JSON.stringify(events.messages))
  events.close()

  for (const path of ['/admin/v1/logs?limit=1000', '/admin/v1/audit?limit=1000', '/admin/v1/stats', '/admin/v1/health', '/admin/v1/engine/models', '/admin/v1/rewards', '/admin/v1/providers', '/admin/v1/apikeys', '/admin/v1/info', '/admin/v1/logs/export?format=jsonl']) {
    const response = await fetch(`${daemon.url}${path}`, {headers: {authorization: `Bearer ${ADMIN_TOKEN}`}})
    collect(path, await response.text())
  }
  collect('/metrics', await (await fetch(`${daemon.url}/metrics`)).text())

  const env = {TOKENHUB_URL: daemon.url, TOKENHUB_ADMIN_TOKEN: ADMIN_TOKEN}
  for (const args of [
    ['status'],
    ['provider', 'list'],
    ['model', 'list'],
    ['apikey', 'list'],
    ['logs'],
    ['logs', '--csv'],
    ['audit'],
    ['stats'],
    ['health'],
    ['engine', 'models'],
    ['rewards'],
    ['routing', 'get'],
    ['alias', 'list'],
    ['tsdb', 'query', '--metric', 'cost'],
    ['vault', 'unlock', 'still-not-the-password'],
  ]) {
    for (const json of [true, false]) {
      const result = await runCli(json ? [...args, '--json'] : args, {env})
      collect(`tokenhub ${args.join(' ')}${json ? ' --json' : ''}`, result.stdout + result.stderr)
    }
  }

  await daemon.stop()
  collect('daemon stdout', daemon.stdout())
  collect('daemon stderr', daemon.stderr())
  // 30 CLI runs and the vault's scrypt at its real work factor: ~26 s alone, more under a loaded CI run.
}, 120_000)

afterAll(async () => {
  await daemon?.cleanup()
  await openaiUp?.close()
  await anthropicUp?.close()
})

describe('canaries', () => {
  it('no secret appears in any API answer, event, metric, log line or CLI output', () => {
    const secrets = {ADMIN_TOKEN, VAULT_PASSWORD, OPENAI_KEY, ANTHROPIC_KEY, 'wrong provider key': 'sk-CANARY-wrong-provider-key-123', 'client key': clientKey, 'client key body': clientKey.slice(11)}
    const hits = seen.flatMap(({where, text}) => Object.entries(secrets).filter(([, secret]) => text.includes(secret)).map(([name]) => `${name} in ${where}`))
    expect(hits).toEqual([])
    expect(seen.length).toBeGreaterThan(40)
    // The logs carried real traffic, and only the key prefix identifies the key.
    expect(seen.find((s) => s.where === 'tokenhub apikey list')?.text).toContain(clientKey.slice(0, 11))
  })

  it('no secret is on disk in plaintext, every file is 0600 and every directory 0700', async () => {
    const secrets = [VAULT_PASSWORD, `${VAULT_PASSWORD}-2`, OPENAI_KEY, ANTHROPIC_KEY, clientKey]
    for (const name of await readdir(daemon.dataDir, {recursive: true})) {
      const path = join(daemon.dataDir, name)
      const info = await stat(path)
      if (info.isDirectory()) {
        expect(info.mode & 0o777, `${name} mode`).toBe(0o700)
        continue
      }
      expect(info.mode & 0o777, `${name} mode`).toBe(0o600)
      const content = await readFile(path)
      for (const secret of secrets) expect(content.includes(Buffer.from(secret)), `${secret} in ${name}`).toBe(false)
    }
    expect((await stat(daemon.dataDir)).mode & 0o777).toBe(0o700)
  })
})

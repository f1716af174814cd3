/**
 * The real coding agents end to end through TokenHub (issue 10): Claude Code (`claude -p`) and
 * Codex (`codex exec`), each against an Anthropic-type and an OpenAI-type model, each with one
 * round trip of its own shell tool. The fake upstreams call the agent's shell tool with a command
 * that prints a fresh marker (see `findShellTool` in fake-upstream.ts) and answer the turn that
 * carries the tool's output with "tool said: <output>", so the marker in the agent's final answer
 * proves the command really ran and its output went back through TokenHub.
 *
 * Offline: each agent runs with exactly the env given here (temp HOME/TMPDIR/CODEX_HOME, the
 * settings of STACK-NOTES trap 17) and HTTP(S)_PROXY pointing at a trap proxy that refuses and
 * records every connection; the tests assert that it saw none.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {agentDirs, claudeBin, codexBin, runAgent, startTrapProxy, trapEnv, writeCodexConfig, type AgentRun, type TrapProxy} from '../helpers/agents.js'
import {ROUNDTRIP_PREFIX, type FakeUpstream} from '../helpers/fake-upstream.js'
import {startGatewayFixture, type GatewayFixture} from '../helpers/gateway-fixture.js'

const PROMPT = 'Run the TokenHub round-trip check with your shell tool, then report what it printed.'
const AGENT_TIMEOUT_MS = 90_000
const TEST_TIMEOUT_MS = 120_000

let fx: GatewayFixture
let trap: TrapProxy

beforeAll(async () => {
  ;[fx, trap] = await Promise.all([startGatewayFixture(), startTrapProxy()])
}, 30_000)
afterAll(async () => {
  await fx?.close()
  await trap?.close()
})
beforeEach(() => {
  fx.openai.reset()
  fx.anthropic.reset()
  trap.attempts.length = 0
})

interface LogRecord {
  endpoint: string
  requested_model: string
  alias_from: string | null
  model_id: string | null
  provider_id: string | null
  status_code: number
  error_message: string | null
  stream: boolean
}

/** The request log of one run: each run uses its own client key. */
async function logsOf(keyId: string): Promise<LogRecord[]> {
  const response = await fx.daemon.admin('GET', `/admin/v1/logs?api_key_id=${keyId}&limit=1000`)
  expect(response.status).toBe(200)
  return response.body.logs
}

/** Map every id matching `pattern` (e.g. Claude Code's own `claude-*` defaults) to `model`, as a user would. */
async function alias(pattern: string, model: string) {
  const response = await fx.daemon.admin('PUT', `/admin/v1/aliases/${encodeURIComponent(pattern)}`, {variants: [{model_id: model, weight: 1}]})
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300)
}

function describeRun(run: AgentRun): string {
  return `exit ${run.code} signal ${run.signal} after ${run.durationMs} ms${run.timedOut ? ' (timed out)' : ''}\nstdout: ${run.stdout.slice(-4000)}\nstderr: ${run.stderr.slice(-4000)}`
}

/** Every request body the fake upstream received, as one string. */
function bodiesSeen(upstream: FakeUpstream): string {
  return upstream.requests.map((r) => r.body).join('\n')
}

// ---------------------------------------------------------------------------------------------
// Claude Code
// ---------------------------------------------------------------------------------------------

interface ClaudeRun {
  run: AgentRun
  result: any
  logs: LogRecord[]
}

async function runClaude(options: {model?: string; auth: 'bearer' | 'x-api-key'; name: string}): Promise<ClaudeRun> {
  const {key, id} = await fx.newKey({name: options.name})
  const dirs = await agentDirs('tokenhub-claude-')
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dirs.home,
      TMPDIR: dirs.tmp,
      ANTHROPIC_BASE_URL: fx.daemon.url,
      // ANTHROPIC_AUTH_TOKEN is sent as `Authorization: Bearer`, ANTHROPIC_API_KEY as `x-api-key`.
      [options.auth === 'bearer' ? 'ANTHROPIC_AUTH_TOKEN' : 'ANTHROPIC_API_KEY']: key,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      ...trapEnv(trap),
    }
    const args = ['-p', PROMPT, '--output-format', 'json', '--allowedTools', 'Bash', ...(options.model ? ['--model', options.model] : [])]
    const run = await runAgent(claudeBin, args, {env, cwd: dirs.work, timeoutMs: AGENT_TIMEOUT_MS})
    let result: any = null
    try {
      result = JSON.parse(run.stdout)
    } catch {}
    return {run, result, logs: await logsOf(id)}
  } finally {
    await dirs.cleanup()
  }
}

/** The checks every successful Claude Code run shares; returns the marker its Bash call printed. */
function expectClaudeRoundTrip(cc: ClaudeRun, upstream: FakeUpstream, dialect: 'messages' | 'chat'): string {
  expect(cc.run.code, describeRun(cc.run)).toBe(0)
  expect(cc.result, describeRun(cc.run)).toMatchObject({type: 'result', subtype: 'success', is_error: false})
  // One Bash call, asked for by the upstream in its own dialect; its output came back and ended the turn.
  expect(upstream.shellCalls).toHaveLength(1)
  const [call] = upstream.shellCalls
  expect(call).toMatchObject({tool: 'Bash', dialect})
  expect(call.marker.startsWith(ROUNDTRIP_PREFIX)).toBe(true)
  expect(cc.result.result).toContain(call.marker)
  expect(bodiesSeen(upstream)).toContain(call.marker)
  // Nothing but TokenHub was contacted.
  expect(trap.attempts).toEqual([])
  return call.marker
}

describe('Claude Code (claude -p) through TokenHub', () => {
  it(
    'works against an Anthropic model (passthrough), Bearer auth, with a Bash round trip',
    async () => {
      await alias('claude-*', 'claude') // Claude Code's own model ids (side tasks) land on the same model
      const cc = await runClaude({model: 'claude', auth: 'bearer', name: 'claude-code-anthropic'})
      expectClaudeRoundTrip(cc, fx.anthropic, 'messages')

      // Only the Anthropic upstream, only Messages calls, with Claude Code's fields and headers as sent.
      expect(fx.openai.requests).toEqual([])
      const calls = fx.anthropic.requests.filter((r) => r.path === '/v1/messages')
      expect(calls.length).toBeGreaterThanOrEqual(2)
      expect(fx.anthropic.requests.every((r) => r.path.startsWith('/v1/messages'))).toBe(true)
      const first = calls[0]
      expect(first.json).toMatchObject({model: 'claude-sonnet-4-5', stream: true})
      expect(first.json.tools.map((t: any) => t.name)).toContain('Bash')
      expect(String(first.headers['anthropic-beta'])).toContain('claude-code-')
      const last = calls.at(-1)!.json.messages.at(-1)
      expect(last.role).toBe('user')
      expect(JSON.stringify(last.content.find((b: any) => b.type === 'tool_result'))).toContain(fx.anthropic.shellCalls[0].marker)

      expect(cc.logs.length).toBeGreaterThanOrEqual(2)
      for (const log of cc.logs) expect(log).toMatchObject({endpoint: '/v1/messages', model_id: 'claude', provider_id: 'an', status_code: 200, stream: true})
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'works against an OpenAI-type model (translated), x-api-key auth, with a Bash round trip',
    async () => {
      await alias('claude-*', 'strong-gpt')
      const cc = await runClaude({model: 'strong-gpt', auth: 'x-api-key', name: 'claude-code-openai'})
      const marker = expectClaudeRoundTrip(cc, fx.openai, 'chat')

      expect(fx.anthropic.requests).toEqual([])
      const calls = fx.openai.requests.filter((r) => r.path === '/v1/chat/completions')
      expect(calls.length).toBeGreaterThanOrEqual(2)
      expect(fx.openai.requests.every((r) => r.path === '/v1/chat/completions')).toBe(true)
      expect(calls[0].json).toMatchObject({model: 'gpt-4o', stream: true})
      expect(calls[0].json.tools.map((t: any) => t.function.name)).toContain('Bash')
      // The tool_result block went upstream as a `tool` message.
      const toolMessage = calls.at(-1)!.json.messages.find((m: any) => m.role === 'tool')
      expect(toolMessage.content).toContain(marker)

      // Claude Code's first request carries a `role: "system"` turn inside `messages` (its
      // environment block): translated as a system message, so no request is refused.
      const environment = calls[0].json.messages.filter((m: any) => m.role === 'system')
      expect(environment.length).toBeGreaterThanOrEqual(1)
      expect(cc.logs.length).toBeGreaterThanOrEqual(2)
      for (const log of cc.logs) expect(log).toMatchObject({endpoint: '/v1/messages', model_id: 'strong-gpt', provider_id: 'oa', status_code: 200, stream: true})
    },
    TEST_TIMEOUT_MS,
  )

  // Claude Code's own default model id (`claude-opus-5-5` at this version) comes with max_tokens
  // 128000: aliased to a smaller model it is clamped to that model's output limit, not refused.
  for (const target of ['claude', 'strong-gpt']) {
    it(
      `works with its own default model id mapped to ${target} by a claude-* alias, max_tokens clamped to the model's limit`,
      async () => {
        await alias('claude-*', target)
        const cc = await runClaude({auth: 'bearer', name: `claude-code-default-${target}`})
        expectClaudeRoundTrip(cc, target === 'claude' ? fx.anthropic : fx.openai, target === 'claude' ? 'messages' : 'chat')
        for (const log of cc.logs) expect(log).toMatchObject({endpoint: '/v1/messages', alias_from: 'claude-*', model_id: target, status_code: 200})
        const upstream = target === 'claude' ? fx.anthropic : fx.openai
        const limit = target === 'claude' ? 8192 : 16384
        for (const request of upstream.requests) expect(request.json.max_tokens).toBeLessThanOrEqual(limit)
      },
      TEST_TIMEOUT_MS,
    )
  }
})

// ---------------------------------------------------------------------------------------------
// Codex
// ---------------------------------------------------------------------------------------------

interface CodexRun {
  run: AgentRun
  events: any[]
  logs: LogRecord[]
}

async function runCodex(options: {model: string; name: string}): Promise<CodexRun> {
  const {key, id} = await fx.newKey({name: options.name})
  const dirs = await agentDirs('tokenhub-codex-')
  try {
    const codexHome = join(dirs.root, 'codex-home')
    await writeCodexConfig(codexHome, {gatewayUrl: fx.daemon.url, envKey: 'TOKENHUB_API_KEY'})
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dirs.home,
      TMPDIR: dirs.tmp,
      CODEX_HOME: codexHome,
      TOKENHUB_API_KEY: key,
      ...trapEnv(trap),
    }
    // `exec` never asks for approval; the sandbox is bypassed because Codex's (bubblewrap) sandbox
    // needs user namespaces, which containers often lack. The command it runs is the fake's printf.
    const args = ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--ephemeral', '--json', '-m', options.model, PROMPT]
    const run = await runAgent(codexBin, args, {env, cwd: dirs.work, timeoutMs: AGENT_TIMEOUT_MS})
    const events = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        try {
          return JSON.parse(line)
        } catch {
          return null
        }
      })
      .filter(Boolean)
    return {run, events, logs: await logsOf(id)}
  } finally {
    await dirs.cleanup()
  }
}

/** The checks every successful Codex run shares; returns the marker its shell call printed. */
function expectCodexRoundTrip(cx: CodexRun, upstream: FakeUpstream, dialect: 'responses' | 'messages'): string {
  expect(cx.run.code, describeRun(cx.run)).toBe(0)
  expect(upstream.shellCalls).toHaveLength(1)
  const [call] = upstream.shellCalls
  expect(call).toMatchObject({tool: 'exec_command', dialect})
  // Codex ran the command (its own event), and its final message carries the command's output.
  const executions = cx.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'command_execution').map((e) => e.item)
  expect(executions, describeRun(cx.run)).toHaveLength(1)
  expect(executions[0]).toMatchObject({exit_code: 0, status: 'completed'})
  expect(executions[0].aggregated_output).toContain(call.marker)
  const messages = cx.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'agent_message').map((e) => e.item.text as string)
  expect(messages.at(-1), describeRun(cx.run)).toContain(call.marker)
  expect(cx.events.at(-1)).toMatchObject({type: 'turn.completed'})
  expect(bodiesSeen(upstream)).toContain(call.marker)
  expect(trap.attempts).toEqual([])
  return call.marker
}

describe('Codex (codex exec) through TokenHub', () => {
  it(
    'works against an OpenAI-type model (Responses passthrough) with an exec_command round trip',
    async () => {
      const cx = await runCodex({model: 'strong-gpt', name: 'codex-openai'})
      const marker = expectCodexRoundTrip(cx, fx.openai, 'responses')

      expect(fx.anthropic.requests).toEqual([])
      expect(fx.openai.requests.every((r) => r.path === '/v1/responses')).toBe(true)
      expect(fx.openai.requests.length).toBeGreaterThanOrEqual(2)
      const [first] = fx.openai.requests
      expect(first.json).toMatchObject({model: 'gpt-4o', stream: true, store: false})
      expect(first.json.tools.map((t: any) => t.name)).toContain('exec_command')
      // The second turn sends the call and its output back as items.
      const input = fx.openai.requests.at(-1)!.json.input as any[]
      const output = input.find((i) => i.type === 'function_call_output')
      expect(input.find((i) => i.type === 'function_call')).toMatchObject({name: 'exec_command', call_id: output.call_id})
      expect(JSON.stringify(output.output)).toContain(marker)

      expect(cx.logs.length).toBeGreaterThanOrEqual(2)
      for (const log of cx.logs) expect(log).toMatchObject({endpoint: '/v1/responses', model_id: 'strong-gpt', provider_id: 'oa', status_code: 200, stream: true})
    },
    TEST_TIMEOUT_MS,
  )

  it(
    "works against an Anthropic model (Responses translated to Messages) with Codex's default tools and an exec_command round trip",
    async () => {
      const cx = await runCodex({model: 'claude', name: 'codex-anthropic'})
      const marker = expectCodexRoundTrip(cx, fx.anthropic, 'messages')

      expect(fx.openai.requests).toEqual([])
      expect(fx.anthropic.requests.every((r) => r.path.startsWith('/v1/messages'))).toBe(true)
      const calls = fx.anthropic.requests.filter((r) => r.path === '/v1/messages')
      expect(calls.length).toBeGreaterThanOrEqual(2)
      expect(calls[0].json).toMatchObject({model: 'claude-sonnet-4-5', stream: true})
      const names: string[] = calls[0].json.tools.map((t: any) => t.name)
      expect(names).toContain('exec_command')
      // Codex's namespace tools (multi_agent_v1) go up as flattened functions; the hosted
      // web_search tool, which only OpenAI can run, is left out.
      expect(names.some((n) => n.startsWith('multi_agent_v1__'))).toBe(true)
      expect(JSON.stringify(calls[0].json.tools)).not.toContain('web_search')
      const last = calls.at(-1)!.json.messages.at(-1)
      expect(JSON.stringify(last.content.find((b: any) => b.type === 'tool_result'))).toContain(marker)

      expect(cx.logs.length).toBeGreaterThanOrEqual(2)
      for (const log of cx.logs) expect(log).toMatchObject({endpoint: '/v1/responses', model_id: 'claude', provider_id: 'an', status_code: 200, stream: true})
    },
    TEST_TIMEOUT_MS,
  )
})

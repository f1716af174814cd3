import {startTestDaemon, type StartOptions, type TestDaemon} from './daemon.js'
import {startFakeUpstream, type FakeUpstream} from './fake-upstream.js'

export const OPENAI_KEY = 'sk-fixture-openai-key-0a1b2c'
export const ANTHROPIC_KEY = 'sk-ant-fixture-key-3d4e5f'
export const VAULT_PASSWORD = 'fixture-vault-password'

export interface GatewayFixture {
  daemon: TestDaemon
  openai: FakeUpstream
  anthropic: FakeUpstream
  /** A key with the default scopes and no limits. */
  key: string
  /** Create another client key; returns the key and its id. */
  newKey(body?: Record<string, unknown>): Promise<{key: string; id: string}>
  /** Register a model (provider "oa" = OpenAI-type, "an" = Anthropic). */
  addModel(body: Record<string, unknown>): Promise<void>
  close(): Promise<void>
}

/**
 * A daemon (vault unlocked) with an OpenAI-type and an Anthropic upstream registered:
 * models cheap-gpt (oa, weight 2, cheap), strong-gpt (oa, weight 9, pricey), claude (an, weight 8).
 */
export async function startGatewayFixture(options: StartOptions = {}): Promise<GatewayFixture> {
  const [openai, anthropic] = await Promise.all([
    startFakeUpstream({apiKey: OPENAI_KEY}),
    startFakeUpstream({apiKey: ANTHROPIC_KEY, flavor: 'anthropic'}),
  ])
  const daemon = await startTestDaemon({...options, env: {TOKENHUB_VAULT_PASSWORD: VAULT_PASSWORD, ...options.env}})
  // Tests may restart the daemon (fixture.daemon = ...); helpers always use the current one.
  const must = async (method: string, path: string, body?: unknown) => {
    const response = await fixture.daemon.admin(method, path, body)
    if (response.status >= 300) throw new Error(`${method} ${path} -> ${response.status} ${JSON.stringify(response.body)}`)
    return response.body
  }
  const addModel = async (body: Record<string, unknown>) => {
    await must('POST', '/admin/v1/models', {max_context_tokens: 128_000, input_per_1k: 0.001, output_per_1k: 0.002, ...body})
  }
  const newKey = async (body: Record<string, unknown> = {}) => {
    const created = await must('POST', '/admin/v1/apikeys', {name: 'fixture', ...body})
    return {key: created.key as string, id: created.id as string}
  }
  const fixture: GatewayFixture = {
    daemon,
    openai,
    anthropic,
    key: '',
    newKey,
    addModel,
    async close() {
      await fixture.daemon.cleanup()
      await Promise.all([openai.close(), anthropic.close()])
    },
  }
  await must('POST', '/admin/v1/providers', {id: 'oa', type: 'openai', base_url: openai.url, api_key: OPENAI_KEY})
  await must('POST', '/admin/v1/providers', {id: 'an', type: 'anthropic', base_url: anthropic.url, api_key: ANTHROPIC_KEY})
  await addModel({id: 'cheap-gpt', provider_id: 'oa', upstream_model: 'gpt-4o-mini', weight: 2, input_per_1k: 0.00015, output_per_1k: 0.0006})
  await addModel({id: 'strong-gpt', provider_id: 'oa', upstream_model: 'gpt-4o', weight: 9, input_per_1k: 0.005, output_per_1k: 0.015})
  await addModel({id: 'claude', provider_id: 'an', upstream_model: 'claude-sonnet-4-5', weight: 8, input_per_1k: 0.003, output_per_1k: 0.015, max_output_tokens: 8192})
  fixture.key = (await newKey({name: 'default'})).key
  return fixture
}

import {notTokenHub, unreachable} from './admin-client.js'
import {ClientError} from './errors.js'

/** What `tokenhub model-test` reports (and prints with --json): one small request through /v1. */
export interface ModelTestDto {
  model: string
  status: number
  latency_ms: number
  /** The answer's text; a reasoning model that spent its few tokens thinking: `[reasoning] ...`. */
  response: string | null
  input_tokens: number | null
  output_tokens: number | null
  /** The model and provider that answered (X-TokenHub-Model / -Provider: an alias resolves to one). */
  model_used: string | null
  provider: string | null
  cost_usd: number | null
  request_id: string | null
}

/** tokenhubctl's prompt and answer size: a few tokens, whatever the model costs. */
const PROMPT = 'Say the word OK and nothing else.'
const MAX_TOKENS = 5

interface ChatAnswer {
  model?: string
  choices?: Array<{message?: {content?: string | null; reasoning_content?: string | null}}>
  usage?: {prompt_tokens?: number; completion_tokens?: number}
  error?: {message?: string; type?: string; code?: string | number | null}
}

/**
 * Sends one chat completion through the gateway with a client API key, as an application would
 * (the admin token is not a /v1 key). A refusal (401, 403, 404, 429, 5xx) is a ClientError with the
 * gateway's message, so the command exits 1; the daemon not answering is UNREACHABLE (exit 3).
 */
export async function testModel(options: {url: string; apiKey: string; model: string; timeoutMs?: number}): Promise<ModelTestDto> {
  const url = options.url.replace(/\/+$/, '')
  const started = performance.now()
  let response: Response
  try {
    response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'application/json'},
      body: JSON.stringify({model: options.model, messages: [{role: 'user', content: PROMPT}], max_tokens: MAX_TOKENS}),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
    })
  } catch (error) {
    throw unreachable(url, error)
  }
  const text = await response.text()
  const latency = Math.round(performance.now() - started)
  const requestId = response.headers.get('x-tokenhub-request-id')
  if (requestId === null) throw notTokenHub(url, response.status)
  let answer: ChatAnswer | undefined
  try {
    answer = JSON.parse(text) as ChatAnswer
  } catch {
    answer = undefined
  }
  if (!response.ok) {
    const code = typeof answer?.error?.code === 'string' ? answer.error.code : (answer?.error?.type ?? `HTTP_${response.status}`)
    throw new ClientError(code, `model ${options.model}: HTTP ${response.status}: ${answer?.error?.message ?? 'no error message'}`, {
      status: response.status,
      details: {status: response.status, latency_ms: latency, request_id: requestId},
    })
  }
  const message = answer?.choices?.[0]?.message
  const reasoning = message?.reasoning_content ? `[reasoning] ${message.reasoning_content.length > 80 ? `${message.reasoning_content.slice(0, 77)}...` : message.reasoning_content}` : null
  const cost = Number(response.headers.get('x-tokenhub-cost-usd') ?? Number.NaN)
  return {
    model: options.model,
    status: response.status,
    latency_ms: latency,
    response: message?.content ? message.content : reasoning,
    input_tokens: answer?.usage?.prompt_tokens ?? null,
    output_tokens: answer?.usage?.completion_tokens ?? null,
    model_used: response.headers.get('x-tokenhub-model') ?? answer?.model ?? null,
    provider: response.headers.get('x-tokenhub-provider'),
    cost_usd: Number.isFinite(cost) ? cost : null,
    request_id: requestId,
  }
}

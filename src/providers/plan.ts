import {responsesOnly} from '../core/routing/select.js'
import type {RoutableModel} from '../core/routing/types.js'
import {VERSION} from '../version.js'
import {openAIChatToAnthropic} from './anthropic/from-openai-request.js'
import {AnthropicPassthroughStream} from './anthropic/passthrough-stream.js'
import {AnthropicToOpenAIStream} from './anthropic/stream-to-openai.js'
import {anthropicResponseToOpenAI} from './anthropic/to-openai-response.js'
import {forAnthropicThinking} from './anthropic/unsigned-thinking.js'
import type {Wire} from './endpoint.js'
import {endpointFor} from './index.js'
import {anthropicToOpenAIChat} from './openai/from-anthropic-request.js'
import {OpenAIPassthroughStream} from './openai/passthrough-stream.js'
import {openAIChatUsage} from './openai/stream-chunk.js'
import {ModelRenamingStream, renameModelField, renameModelInText} from './model-rename.js'
import {OpenAIToAnthropicStream} from './openai/stream-to-anthropic.js'
import {openAIResponseToAnthropic} from './openai/to-anthropic-response.js'
import {floatRequest, toBase64Answer, wantsBase64} from './embeddings/encoding.js'
import {ChainedStream} from './responses/chained-stream.js'
import {ChatToResponsesStream} from './responses/chat-stream-to-responses.js'
import {chatRequestToResponses} from './responses/from-chat-request.js'
import {chatToResponses} from './responses/from-chat-response.js'
import {ResponsesPassthroughStream} from './responses/passthrough-stream.js'
import {ResponsesToChatStream} from './responses/stream-to-chat.js'
import {responseToChatCompletion} from './responses/to-chat-response.js'
import {responsesToChat} from './responses/to-chat-request.js'
import {responsesUsage} from './responses/usage.js'
import {tokenUsage, type StreamTransformer, type TokenUsage} from './stream.js'
import {clampOutputLimits} from './util.js'

/** The client's API dialect (which is also an upstream's wire format). */
export type Dialect = Wire
/** Anthropic requires max_tokens; used when an OpenAI client sets none and the model has no cap. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096

/** OpenAI models that refuse max_tokens and want max_completion_tokens. */
const COMPLETION_TOKENS_MODEL = /^(o\d|gpt-5)/
/** OpenAI's reasoning models: reasoning_effort, and only the default sampling (the -chat variants are not; codex-mini is o4-mini's). */
const REASONING_MODEL = /^(o\d|gpt-5(?!(\.\d+)?-chat)|codex-mini)/

export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'responses'

export interface ClientRequest {
  dialect: Dialect
  endpoint: Endpoint
  /** The client body without the `tokenhub` policy field. */
  body: Record<string, unknown>
  stream: boolean
  /** Client headers the upstream may see (anthropic-version, anthropic-beta). */
  anthropicVersion?: string
  anthropicBeta?: string
  requestId: string
  /** The gateway's estimate of the prompt's tokens (see TranslatingStreamOptions.inputEstimate). */
  inputEstimate?: number
}

/** How to call one upstream model for one client request, and how to read its answer. */
export interface UpstreamPlan {
  path: string
  headers: Record<string, string>
  body: string
  upstreamDialect: Dialect
  /** Fields the client sent that this upstream cannot honour (translations only). */
  dropped: string[]
  /** A successful non-stream upstream body (parsed) -> the client's body. */
  toClient(upstream: unknown): unknown
  /**
   * What toClient does, done on the upstream's text when it only renames the model: the client's
   * text, or null when that cannot be done safely (the caller then encodes toClient's object).
   */
  toClientText?(text: string): string | null
  /** A transformer from upstream SSE events to client SSE frames. */
  streamTransformer(): StreamTransformer
}

/** Only the provider's own credential and a fixed set of headers ever reach an upstream. */
function baseHeaders(model: RoutableModel, apiKey: string | null, client: ClientRequest): Record<string, string> {
  const endpoint = endpointFor(model.providerType)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: client.stream ? 'text/event-stream' : 'application/json',
    'user-agent': `tokenhub/${VERSION}`,
    'x-request-id': client.requestId,
  }
  if (endpoint.wire === 'anthropic' && client.anthropicBeta) headers['anthropic-beta'] = client.anthropicBeta
  // Assigned, not spread: spreads followed by more fields are a slow path in V8 (Node 20).
  const auth = endpoint.authHeaders(apiKey, client.anthropicVersion)
  for (const name in auth) headers[name] = auth[name]
  return headers
}

function withUsageRequested(body: Record<string, unknown>): Record<string, unknown> {
  const options = (body.stream_options && typeof body.stream_options === 'object' ? body.stream_options : {}) as Record<string, unknown>
  const requested = {...body}
  requested.stream_options = {...options, include_usage: true}
  return requested
}

const created = () => Math.floor(Date.now() / 1000)

const unchanged = (upstream: unknown) => upstream

/**
 * The upstream speaks the client's dialect: the body goes as given, answers come back unchanged
 * (byte for byte when not re-encoded), except that they name the gateway's model id when the
 * upstream's differs.
 */
function passthrough(
  model: RoutableModel,
  path: string,
  headers: Record<string, string>,
  body: unknown,
  upstreamDialect: Dialect,
  streamTransformer: () => StreamTransformer,
  toClient: (upstream: unknown) => unknown = unchanged,
): UpstreamPlan {
  const plan = {path, headers, body: JSON.stringify(body), upstreamDialect, dropped: [], toClient, streamTransformer}
  if (model.upstreamModel === model.id) return plan
  const [from, to] = [model.upstreamModel, model.id]
  return {
    ...plan,
    toClient: (upstream) => renameModelField(toClient(upstream), from, to),
    ...(toClient === unchanged && {toClientText: (text: string) => renameModelInText(text, from, to)}),
    streamTransformer: () => new ModelRenamingStream(streamTransformer(), from, to),
  }
}

/** A pass-through body: the upstream's model id, output limits clamped to the model's. */
const forModel = (body: Record<string, unknown>, model: RoutableModel) => clampOutputLimits({...body, model: model.upstreamModel}, model.maxOutputTokens)

/**
 * An OpenAI chat body as an Anthropic Messages body for this model (max_tokens defaulted and
 * clamped). Without max_tokens an OpenAI client means "up to the model's limit": a stream gets the
 * model's output cap; a whole answer at most 4096 tokens (a long one arrives only when complete,
 * and would outlast the first-byte timeout).
 */
function chatToMessages(body: unknown, model: RoutableModel, stream: boolean) {
  const cap = model.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS
  return openAIChatToAnthropic(body as never, {
    model: model.upstreamModel,
    defaultMaxTokens: stream ? cap : Math.min(DEFAULT_ANTHROPIC_MAX_TOKENS, cap),
    maxOutputTokens: model.maxOutputTokens,
  })
}

export function planRequest(client: ClientRequest, model: RoutableModel, apiKey: string | null): UpstreamPlan {
  const headers = baseHeaders(model, apiKey, client)
  const endpoint = endpointFor(model.providerType)
  const clientWantsUsage = Boolean((client.body.stream_options as {include_usage?: unknown} | undefined)?.include_usage)
  const upstreamIsAnthropic = endpoint.wire === 'anthropic'

  if (client.endpoint === 'responses') return planResponses(client, model, headers)

  if (client.endpoint !== 'chat') {
    const path = client.endpoint === 'embeddings' ? endpoint.paths.embeddings : endpoint.paths.completions
    // The router only sends these endpoints to upstreams that have them.
    if (!path) throw new Error(`${model.providerType} upstreams have no ${client.endpoint} endpoint`)
    const body = {...client.body, model: model.upstreamModel}
    const encodeHere = client.endpoint === 'embeddings' && wantsBase64(body) && !endpoint.base64Embeddings
    const sent = client.stream ? withUsageRequested(body) : encodeHere ? floatRequest(body) : body
    return passthrough(model, path, headers, sent, 'openai', () => new OpenAIPassthroughStream({includeUsage: clientWantsUsage}), encodeHere ? toBase64Answer : unchanged)
  }

  // gpt-5-codex, o3-pro...: their Chat Completions answer 404, so Chat (and Messages) go as Responses requests.
  if (endpoint.paths.responses && responsesOnly(model)) return planChatViaResponses(client, model, headers, endpoint.paths.responses, clientWantsUsage)

  if (client.dialect === 'openai' && !upstreamIsAnthropic) {
    const body = forModel(client.body, model)
    return passthrough(model, endpoint.paths.chat, headers, client.stream ? withUsageRequested(body) : body, 'openai', () => new OpenAIPassthroughStream({includeUsage: clientWantsUsage}))
  }

  if (client.dialect === 'anthropic' && upstreamIsAnthropic) {
    const {body, dropped} = forAnthropicThinking(forModel(client.body, model))
    const plan = passthrough(model, endpoint.paths.chat, headers, body, 'anthropic', () => new AnthropicPassthroughStream())
    return dropped.length > 0 ? {...plan, dropped} : plan
  }

  if (client.dialect === 'openai') {
    const translated = chatToMessages(client.body, model, client.stream)
    return {
      path: endpoint.paths.chat,
      headers,
      body: JSON.stringify(translated.body),
      upstreamDialect: 'anthropic',
      dropped: translated.dropped,
      toClient: (upstream) => anthropicResponseToOpenAI(upstream as never, {model: model.id, created: created()}),
      streamTransformer: () => new AnthropicToOpenAIStream({model: model.id, created: created(), includeUsage: clientWantsUsage}),
    }
  }

  const translated = messagesToChat(client.body, model)
  const thinking = wantsThinking(client.body)
  return {
    path: endpoint.paths.chat,
    headers,
    body: JSON.stringify(translated.body),
    upstreamDialect: 'openai',
    dropped: translated.dropped,
    toClient: (upstream) => openAIResponseToAnthropic(upstream as never, {model: model.id, thinking, inputEstimate: client.inputEstimate}),
    streamTransformer: () => new OpenAIToAnthropicStream({model: model.id, created: created(), includeUsage: false, thinking, inputEstimate: client.inputEstimate}),
  }
}

/** OpenAI's Chat Completions API refuses more stop sequences than this (400). */
const OPENAI_MAX_STOP_SEQUENCES = 4

const isOpenAIReasoning = (model: RoutableModel) => model.providerType === 'openai' && REASONING_MODEL.test(model.upstreamModel)

/**
 * OpenAI's reasoning models think unseen before their first content, sending nothing (streamed:
 * no event; whole: no headers) for minutes at a high effort. Their per-attempt first-byte and
 * idle timeouts are at least this long (Codex CLI's own stream idle timeout), or half the request
 * deadline when that is shorter, so one failover still fits in the deadline when an upstream
 * hangs: a shorter timeout cuts a model that is working, and the retry pays for the reasoning again.
 */
export const REASONING_PATIENCE_MS = 300_000

/** The first-byte and idle timeouts of one attempt on this model (see REASONING_PATIENCE_MS). */
export function attemptTimeouts(model: RoutableModel, configured: {firstByteMs: number; idleMs: number; deadlineMs: number}): {firstByteMs: number; idleMs: number} {
  if (!isOpenAIReasoning(model)) return {firstByteMs: configured.firstByteMs, idleMs: configured.idleMs}
  const patience = Math.min(REASONING_PATIENCE_MS, configured.deadlineMs / 2)
  return {firstByteMs: Math.max(configured.firstByteMs, patience), idleMs: Math.max(configured.idleMs, patience)}
}

/** An Anthropic Messages body as a Chat Completions body for an OpenAI-type model. */
function messagesToChat(body: Record<string, unknown>, model: RoutableModel) {
  const openAIReasoning = isOpenAIReasoning(model)
  return anthropicToOpenAIChat(body as never, {
    model: model.upstreamModel,
    maxOutputTokens: model.maxOutputTokens,
    // OpenAI's reasoning models refuse max_tokens; other OpenAI-compatible servers may not know the newer name.
    maxTokensField: model.providerType === 'openai' && COMPLETION_TOKENS_MODEL.test(model.upstreamModel) ? 'max_completion_tokens' : 'max_tokens',
    reasoningEffort: openAIReasoning,
    defaultSamplingOnly: openAIReasoning,
    // (A reasoning model gets none at all: see defaultSamplingOnly.)
    maxStopSequences: model.providerType === 'openai' && !openAIReasoning ? OPENAI_MAX_STOP_SEQUENCES : undefined,
    // OpenAI reads PDFs as file parts (Chat Completions and Responses); other servers would refuse them.
    pdfFiles: model.providerType === 'openai',
  })
}

/** Chat Completions fields the Anthropic -> Chat step made, by the Anthropic names the client sent. */
const CHAT_TO_MESSAGES_FIELD: Record<string, string> = {stop: 'stop_sequences', max_tokens: 'max_tokens', max_completion_tokens: 'max_tokens', user: 'metadata.user_id', reasoning_effort: 'thinking'}

/**
 * A Chat Completions or Anthropic Messages client served by an OpenAI model only the Responses API
 * serves: the request goes to /v1/responses as a Responses request (Messages through the Anthropic
 * -> Chat step first), and the answer comes back through Responses -> Chat (-> Anthropic), streams
 * included. Usage is read from the upstream's own Responses events.
 */
function planChatViaResponses(client: ClientRequest, model: RoutableModel, headers: Record<string, string>, path: string, clientWantsUsage: boolean): UpstreamPlan {
  const options = {model: model.upstreamModel, maxOutputTokens: model.maxOutputTokens, reasoningModel: isOpenAIReasoning(model)}
  if (client.dialect === 'openai') {
    const translated = chatRequestToResponses(client.body as never, options)
    return {
      path,
      headers,
      body: JSON.stringify(translated.body),
      upstreamDialect: 'openai',
      dropped: translated.dropped,
      toClient: (upstream) => responseToChatCompletion(upstream, {model: model.id, created: created()}),
      streamTransformer: () => new ResponsesToChatStream({model: model.id, created: created(), includeUsage: clientWantsUsage}),
    }
  }
  const chat = messagesToChat(client.body, model)
  const translated = chatRequestToResponses(chat.body, options)
  const thinking = wantsThinking(client.body)
  return {
    path,
    headers,
    body: JSON.stringify(translated.body),
    upstreamDialect: 'openai',
    dropped: [...new Set([...chat.dropped, ...translated.dropped.map((field) => CHAT_TO_MESSAGES_FIELD[field] ?? field)])],
    toClient: (upstream) => openAIResponseToAnthropic(responseToChatCompletion(upstream, {model: model.id, created: created()}), {model: model.id, thinking, inputEstimate: client.inputEstimate}),
    streamTransformer: () =>
      new ChainedStream(
        // includeUsage: the usage chunk carries the upstream's counts to the Anthropic step's message_delta.
        new ResponsesToChatStream({model: model.id, created: created(), includeUsage: true}),
        new OpenAIToAnthropicStream({model: model.id, created: created(), includeUsage: false, thinking, inputEstimate: client.inputEstimate}),
      ),
  }
}

/** The Anthropic client turned extended thinking on ("enabled", or "adaptive" on the newest models). */
function wantsThinking(body: Record<string, unknown>): boolean {
  const thinking = body.thinking as {type?: unknown} | null | undefined
  return typeof thinking === 'object' && thinking !== null && thinking.type !== 'disabled'
}

/**
 * The Responses API (Codex, newer SDKs): forwarded as is to upstreams that speak it, translated
 * through Chat Completions for the others (and on to Anthropic's Messages API), streams included.
 */
/** Chat Completions fields the Responses -> Chat step made, by their Responses names. */
const CHAT_TO_RESPONSES_FIELD: Record<string, string> = {response_format: 'text.format', max_completion_tokens: 'max_output_tokens', max_tokens: 'max_output_tokens'}

function planResponses(client: ClientRequest, model: RoutableModel, headers: Record<string, string>): UpstreamPlan {
  const endpoint = endpointFor(model.providerType)
  if (endpoint.paths.responses) {
    return passthrough(model, endpoint.paths.responses, headers, forModel(client.body, model), 'openai', () => new ResponsesPassthroughStream())
  }
  const chat = responsesToChat(client.body as never, {model: model.upstreamModel, maxOutputTokens: model.maxOutputTokens, toolOutputImages: endpoint.wire === 'anthropic'})
  const echo = {model: model.id, request: client.body as never, toolNames: chat.toolNames}
  if (endpoint.wire === 'openai') {
    return {
      path: endpoint.paths.chat,
      headers,
      body: JSON.stringify(chat.body),
      upstreamDialect: 'openai',
      dropped: chat.dropped,
      toClient: (upstream) => chatToResponses(upstream as never, {...echo, createdAt: created()}),
      streamTransformer: () => new ChatToResponsesStream({...echo, createdAt: created()}),
    }
  }
  const messages = chatToMessages(chat.body, model, client.stream)
  return {
    path: endpoint.paths.chat,
    headers,
    body: JSON.stringify(messages.body),
    upstreamDialect: 'anthropic',
    // Named as the Responses client sent them where the Chat step renamed them; stream_options is
    // the Chat step's own (asking for usage), which the client never sent.
    dropped: [...chat.dropped, ...messages.dropped.filter((field) => field !== 'stream_options').map((field) => CHAT_TO_RESPONSES_FIELD[field] ?? field)],
    toClient: (upstream) => chatToResponses(anthropicResponseToOpenAI(upstream as never, {model: model.id, created: created()}), {...echo, createdAt: created()}),
    streamTransformer: () =>
      new ChainedStream(new AnthropicToOpenAIStream({model: model.id, created: created(), includeUsage: true}), new ChatToResponsesStream({...echo, createdAt: created()})),
  }
}

/**
 * Token usage from the upstream's own answer (in its dialect: a translation to the client's would
 * lose what the other API cannot say, such as Anthropic's cache writes to an OpenAI client).
 */
export function usageOf(dialect: Dialect, endpoint: Endpoint, body: unknown): TokenUsage | null {
  // A Responses API answer (an OpenAI upstream serving /v1/responses as is).
  if ((body as {object?: unknown} | null)?.object === 'response') return responsesUsage(body)
  const usage = (body as {usage?: Record<string, unknown>} | null)?.usage
  if (!usage || typeof usage !== 'object') return null
  const n = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0)
  if (dialect === 'anthropic') {
    const cacheRead = n(usage.cache_read_input_tokens)
    const cacheWrite = n(usage.cache_creation_input_tokens)
    return tokenUsage(n(usage.input_tokens) + cacheWrite + cacheRead, n(usage.output_tokens), cacheRead, cacheWrite)
  }
  if (endpoint === 'embeddings') return {input: n(usage.prompt_tokens ?? usage.total_tokens), output: 0}
  return openAIChatUsage(usage)
}

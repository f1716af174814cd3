import {StringDecoder} from 'node:string_decoder'
import {createParser, type EventSourceMessage} from 'eventsource-parser'
import {classifyStatus, parseRetryAfter, type AttemptFailure} from '../../src/core/failover.js'
import {ERROR_STATUS, TokenHubError} from '../../src/core/errors.js'
import {redactSecrets} from '../../src/core/redact.js'
import type {RoutableModel} from '../../src/core/routing/types.js'
import {isContextOverflow, isRequestNotFound} from '../../src/providers/errors.js'
import type {TokenUsage} from '../../src/providers/stream.js'
import type {ResponseSink} from '../http/response-sink.js'
import {loopTurns} from '../http/turns.js'
import {isPreambleEvent, leadingStreamError, type LeadingStreamError} from '../../src/providers/stream-start.js'
import {usageOf, type Dialect, type Endpoint, type UpstreamPlan} from '../../src/providers/plan.js'
import type {UpstreamCall, UpstreamClient} from './upstream-client.js'
import {streamErrorCode} from './dialect-errors.js'

/**
 * Longest a stream's preamble is held back waiting for content: a ping after that goes out with
 * it, so a client (or a proxy's read timeout) never sits in silence while a model queues.
 */
const PREAMBLE_HOLD_MS = 5_000

/** A stream still open when the drain deadline passed (a request not yet answered gets the non-stream 503 SHUTTING_DOWN). */
export const STREAM_CUT_MESSAGE = 'the daemon is shutting down; its drain deadline passed before the stream ended'

/** Largest upstream error body kept (for classification and for the client). */
const MAX_ERROR_BODY = 64 * 1024

export interface AttemptInput {
  plan: UpstreamPlan
  model: RoutableModel
  baseUrl: string
  stream: boolean
  clientDialect: Dialect
  endpoint: Endpoint
  sink: ResponseSink
  upstream: UpstreamClient
  firstByteTimeoutMs: number
  idleTimeoutMs: number
  /**
   * Headers for the client response (X-TokenHub-*), given the usage when it is known and whether
   * the answer is whole (JSON) rather than a stream about to start; a fresh object the caller adds to.
   */
  responseHeaders: (usage: TokenUsage | null, whole: boolean) => Record<string, string>
  /** Wraps a JSON answer (TokenHub's /v1/chat envelope); usage is read before wrapping. */
  wrapBody?: (body: unknown, usage: TokenUsage | null) => unknown
  /** Strings to scrub from upstream text shown to clients. */
  secrets: readonly string[]
  now: () => number
}

export type AttemptOutcome =
  | {
      kind: 'success'
      status: number
      usage: TokenUsage | null
      ttftMs: number | null
      latencyMs: number
      streamError: string | null
      /** Stream events relayed to the client (streams only): what an interrupted stream is billed by. */
      relayedEvents?: number
      /** The upstream's id of a Responses answer (`resp_...`), what OpenAI stores it under. */
      responseId?: string | null
    }
  | {kind: 'failure'; failure: AttemptFailure; latencyMs: number; errorBody: string | null; upstreamDialect: Dialect}
  | {
      kind: 'aborted'
      latencyMs: number
      started: boolean
      usage: TokenUsage | null
      ttftMs?: number | null
      /** Stream events relayed to the client after its preamble (a floor for the output tokens it got). */
      relayedEvents?: number
    }

/** Errors of this process, not of the network or the upstream: failing over would only spread them. */
const LOCAL_EXHAUSTION = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM'])

function networkFailure(error: unknown): AttemptFailure {
  const err = error as Error & {code?: string; cause?: {code?: string; message?: string}}
  const code = err.code ?? err.cause?.code ?? ''
  if (LOCAL_EXHAUSTION.has(code)) {
    return {
      errorClass: 'gateway_resources',
      status: ERROR_STATUS.GATEWAY_RESOURCES,
      retryAfterMs: null,
      message: `the gateway could not open an upstream connection (${code}: out of ${code === 'EMFILE' || code === 'ENFILE' ? 'file descriptors; raise the open-file limit (LimitNOFILE, ulimit -n) or cap TOKENHUB_UPSTREAM_MAX_CONNECTIONS' : 'memory'})`,
    }
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || err.name === 'TimeoutError') {
    return {errorClass: 'timeout', status: null, retryAfterMs: null, message: code === 'UND_ERR_BODY_TIMEOUT' ? 'upstream went silent mid-response' : 'upstream did not answer in time'}
  }
  return {errorClass: 'network', status: null, retryAfterMs: null, message: `${code || err.name}: ${err.cause?.message ?? err.message}`}
}

/**
 * One call to one upstream model. Success is written to the client here (JSON, or the stream
 * chunk by chunk); failures before the first byte are returned so the caller can fail over.
 */
export async function runAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const started = input.now()
  const elapsed = () => input.now() - started
  if (input.sink.aborted) return {kind: 'aborted', latencyMs: 0, started: false, usage: null}

  const response = input.upstream.send({
    baseUrl: input.baseUrl,
    path: input.plan.path,
    headers: input.plan.headers,
    body: input.plan.body,
    firstByteTimeoutMs: input.firstByteTimeoutMs,
    idleTimeoutMs: input.idleTimeoutMs,
  })
  input.sink.onAbort(() => response.abort())
  try {
    await response.ready
  } catch (error) {
    if (input.sink.aborted) return {kind: 'aborted', latencyMs: elapsed(), started: false, usage: null}
    return {kind: 'failure', failure: networkFailure(error), latencyMs: elapsed(), errorBody: null, upstreamDialect: input.plan.upstreamDialect}
  }

  const status = response.statusCode
  if (status >= 300) {
    let text = ''
    try {
      text = (await response.text()).slice(0, MAX_ERROR_BODY)
    } catch {
      // The error body is best effort; the status is what matters.
    }
    const retryAfterMs = parseRetryAfter(response.header('retry-after'), Date.now())
    const errorClass = status < 400 ? 'upstream_config' : classifyStatus(status, isContextOverflow(status, text), isRequestNotFound(status, text))
    const message = status < 400 ? `upstream answered with a redirect (${status}); redirects are not followed` : `upstream answered HTTP ${status}`
    return {
      kind: 'failure',
      failure: {errorClass, status, retryAfterMs, message},
      latencyMs: elapsed(),
      errorBody: redactSecrets(text, input.secrets),
      upstreamDialect: input.plan.upstreamDialect,
    }
  }

  if (!input.stream) return deliverJson(input, response, status, started)
  // A JSON answer to a streaming request: an upstream that ignores `stream` or wraps an error in a 200.
  if (response.header('content-type')?.trimStart().toLowerCase().startsWith('application/json')) return jsonInsteadOfStream(input, response, started)
  return deliverStream(input, response, status, started)
}

async function deliverJson(input: AttemptInput, body: UpstreamCall, status: number, started: number): Promise<AttemptOutcome> {
  let text: string
  try {
    text = await body.text()
  } catch (error) {
    if (input.sink.aborted) return {kind: 'aborted', latencyMs: input.now() - started, started: false, usage: null}
    return {kind: 'failure', failure: networkFailure(error), latencyMs: input.now() - started, errorBody: null, upstreamDialect: input.plan.upstreamDialect}
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return {
      kind: 'failure',
      failure: {errorClass: 'transient', status: 502, retryAfterMs: null, message: 'upstream sent a response that is not JSON'},
      latencyMs: input.now() - started,
      errorBody: null,
      upstreamDialect: input.plan.upstreamDialect,
    }
  }
  // A Responses answer that failed (or was cancelled) inside a 200, translated for a Chat or Messages
  // client, fails like the HTTP error it stands for, not as an empty answer. (A Responses client gets it as it is.)
  if (input.endpoint !== 'responses' && isFailedResponse(parsed)) {
    const failed = leadingStreamError({event: 'response.failed', data: JSON.stringify({type: 'response.failed', response: parsed})})
    return streamErrorFailure(input, failed ?? {status: 500, body: JSON.stringify({error: {message: 'the upstream response was cancelled', type: 'server_error'}}), message: 'the upstream response was cancelled'}, started)
  }
  const translated = input.plan.toClient(parsed)
  const usage = usageOf(input.plan.upstreamDialect, input.endpoint, parsed)
  const clientBody = input.wrapBody ? input.wrapBody(translated, usage) : translated
  const latencyMs = input.now() - started
  // A pass-through body goes out byte for byte; a translated one is serialised once.
  const headers = input.responseHeaders(usage, true)
  headers['content-type'] = 'application/json'
  // A renamed model field is renamed in the text when that is safe: no re-encoding.
  const out = clientBody === parsed ? text : (clientBody === translated && input.plan.toClientText?.(text)) || JSON.stringify(clientBody)
  input.sink.send(status, out, headers)
  const responseId = input.endpoint === 'responses' && typeof (parsed as {id?: unknown} | null)?.id === 'string' ? (parsed as {id: string}).id : null
  return {kind: 'success', status, usage, ttftMs: null, latencyMs, streamError: null, responseId}
}

/** A Responses API answer whose status says it has no answer in it. */
function isFailedResponse(body: unknown): boolean {
  const response = body as {object?: unknown; status?: unknown} | null
  return response?.object === 'response' && (response.status === 'failed' || response.status === 'cancelled')
}

/**
 * The upstream answered a streaming request with a JSON body. An error inside it fails like the
 * HTTP error it stands for; anything else means this upstream does not stream: the next candidate
 * is tried (no retry here; nothing reached the client).
 */
async function jsonInsteadOfStream(input: AttemptInput, body: UpstreamCall, started: number): Promise<AttemptOutcome> {
  let text = ''
  try {
    text = (await body.text()).slice(0, MAX_ERROR_BODY)
  } catch {
    // What it said does not change what happens next.
  }
  const error = leadingStreamError({data: text})
  if (error) return streamErrorFailure(input, error, started)
  return {
    kind: 'failure',
    failure: {errorClass: 'upstream_config', status: 502, retryAfterMs: null, message: 'upstream answered a streaming request with JSON, not an event stream (does it support stream: true?)'},
    latencyMs: input.now() - started,
    errorBody: null,
    upstreamDialect: input.plan.upstreamDialect,
  }
}

/** An error event before anything reached the client: a failed attempt, as if the upstream had answered with its status. */
function streamErrorFailure(input: AttemptInput, error: LeadingStreamError, started: number): AttemptOutcome {
  return {
    kind: 'failure',
    // Not the upstream's own words, which reach clients in the final error message: they may name the
    // operator's account (org-...) or URLs. What it said goes on scrubbed, through errorBody, as for an HTTP error.
    failure: {errorClass: classifyStatus(error.status, isContextOverflow(error.status, error.body), isRequestNotFound(error.status, error.body)), status: error.status, retryAfterMs: null, message: `upstream stream began with an error (${error.status})`},
    latencyMs: input.now() - started,
    errorBody: redactSecrets(error.body, input.secrets),
    upstreamDialect: input.plan.upstreamDialect,
  }
}

/** A stream that failed before anything reached the client: tried again or failed over like an HTTP error. */
function transientStreamFailure(input: AttemptInput, started: number, message: string): AttemptOutcome {
  return {
    kind: 'failure',
    failure: {errorClass: 'transient', status: null, retryAfterMs: null, message},
    latencyMs: input.now() - started,
    errorBody: null,
    upstreamDialect: input.plan.upstreamDialect,
  }
}

async function deliverStream(input: AttemptInput, body: UpstreamCall, status: number, started: number): Promise<AttemptOutcome> {
  const transformer = input.plan.streamTransformer()
  const pending: EventSourceMessage[] = []
  const parser = createParser({onEvent: (event) => pending.push(event)})
  // UTF-8 split across reads is kept for the next one; cheaper to set up per stream than TextDecoder (ICU).
  const decoder = new StringDecoder('utf8')
  let ttftMs: number | null = null
  const sink = input.sink

  const emit = async (text: string) => {
    if (!text) return
    if (!sink.started) {
      const headers = input.responseHeaders(null, false)
      headers['content-type'] = 'text/event-stream; charset=utf-8'
      headers['cache-control'] = 'no-cache'
      headers['x-accel-buffering'] = 'no'
      sink.startStream(status, headers)
      ttftMs = input.now() - started
    }
    await sink.write(text)
  }

  let leading = true
  // Until content arrives nothing goes out: the preamble (message_start, ping, response.created)
  // is held, so an error event right after it still fails over like an HTTP error would.
  let held = ''
  let contentSeen = false
  let relayed = 0
  try {
    for await (const chunk of body) {
      let text = decoder.write(chunk)
      if (leading && text) {
        leading = false
        // A byte order mark at the start (TextDecoder dropped it; StringDecoder keeps it) would
        // glue itself to the first field name and lose the first event.
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      }
      parser.feed(text)
      // Every event that arrived in this read goes out in one write (one syscall, one TCP segment
      // when it fits), not one write per event.
      let out = ''
      for (const event of pending) {
        if (!sink.started) {
          const error = leadingStreamError(event)
          if (error) {
            body.abort()
            return streamErrorFailure(input, error, started)
          }
          if (!contentSeen && isPreambleEvent(event) && input.now() - started < PREAMBLE_HOLD_MS) {
            held += transformer.push({event: event.event, data: event.data})
            continue
          }
          contentSeen = true
        }
        const text = transformer.push({event: event.event, data: event.data})
        if (transformer.failed && !sink.started) {
          // Garbage before anything went out: this upstream fails like an HTTP error, and the next candidate is tried.
          body.abort()
          return transientStreamFailure(input, started, 'upstream sent a malformed stream event')
        }
        // Events that send nothing (keep-alives, the usage chunk the client did not ask for) are not relayed output.
        if (text !== '') {
          out += text
          relayed++
        }
        if (transformer.failed) break
      }
      pending.length = 0
      if (held && contentSeen) {
        out = held + out
        held = ''
      }
      // Many streams' chunks can arrive in one poll (1,000 streams in step): once this loop
      // iteration's slice is used, the rest are relayed in later iterations, after timers.
      if (out) {
        const turn = loopTurns.take()
        if (turn) await turn
        await emit(out)
      }
      if (sink.aborted) {
        body.abort()
        return {kind: 'aborted', latencyMs: input.now() - started, started: sink.started, usage: transformer.usage, ttftMs, relayedEvents: relayed}
      }
      // The stream ended in an error frame (the upstream's error event, or garbage): the client has
      // its answer, so stop reading, and stop the upstream generating what nobody will see.
      if (transformer.failed) {
        body.abort()
        sink.end()
        return {kind: 'success', status, usage: transformer.usage, ttftMs, latencyMs: input.now() - started, streamError: 'the upstream sent an error or a malformed event mid-stream', relayedEvents: relayed}
      }
    }
  } catch (error) {
    if (sink.aborted) return {kind: 'aborted', latencyMs: input.now() - started, started: sink.started, usage: transformer.usage, ttftMs, relayedEvents: relayed}
    const failure = networkFailure(error)
    if (!sink.started) return {kind: 'failure', failure, latencyMs: input.now() - started, errorBody: null, upstreamDialect: input.plan.upstreamDialect}
    // Mid-stream: the client already has part of the answer. End with an error event, never a completion marker.
    if (input.upstream.cut) {
      // The daemon cut it past its drain deadline: the code and wording of the non-stream 503, not a network error.
      const shutdown = new TokenHubError('SHUTTING_DOWN', STREAM_CUT_MESSAGE)
      await sink.write(transformer.fail(shutdown.message, streamErrorCode(input.clientDialect, shutdown)))
      sink.end()
      return {kind: 'success', status, usage: transformer.usage, ttftMs, latencyMs: input.now() - started, streamError: shutdown.message, relayedEvents: relayed}
    }
    await sink.write(transformer.fail(failure.message))
    sink.end()
    return {kind: 'success', status, usage: transformer.usage, ttftMs, latencyMs: input.now() - started, streamError: failure.message, relayedEvents: relayed}
  }

  const closing = transformer.end()
  if (!sink.started && !transformer.complete) return transientStreamFailure(input, started, 'upstream closed the stream before sending anything')
  await emit(held + closing)
  sink.end()
  return {
    kind: 'success',
    status,
    usage: transformer.usage,
    ttftMs,
    latencyMs: input.now() - started,
    streamError: transformer.complete ? null : 'upstream ended the stream without finishing it',
    relayedEvents: relayed,
    responseId: transformer.responseId ?? null,
  }
}

/**
 * OpenAI chat.completion -> OpenAI Responses `response` object, for a Responses client served by
 * an upstream without the Responses API (directly, or behind the Anthropic -> Chat translation).
 * The shape is the SDK's `Response`, so `client.responses.create()` parses it; `output_text` is
 * left to the SDKs, which compute it from `output`.
 */
import {isRecord, madeUpToolCallId, tokenCount} from '../util.js'
import type {OpenAIChatCompletion} from '../openai/types.js'
import {reasoningText} from '../openai/stream-chunk.js'
import type {ToolNameMap} from './to-chat-request.js'
import type {
  ResponsesIncompleteDetails,
  ResponsesOutputFunctionCall,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesRequest,
  ResponsesResponse,
  ResponsesStatus,
  ResponsesUsage,
} from './types.js'

export interface ChatToResponsesOptions {
  /** The model id shown to the client. */
  model: string
  /** Unix seconds. */
  createdAt: number
  /** The response id; defaults to one derived from the upstream id. */
  id?: string
  /** The client's Responses request: instructions, tools, metadata... are echoed back as OpenAI does. */
  request?: ResponsesRequest
  /** Chat names the request translation made up for namespace functions (see ToolNameMap). */
  toolNames?: ToolNameMap
}

/** Gives a function_call item the name (and namespace) the client's tools use. */
export function restoreToolName(item: ResponsesOutputFunctionCall, toolNames: ToolNameMap | undefined): void {
  const original = toolNames?.get(item.name)
  if (!original) return
  item.name = original.name
  item.namespace = original.namespace
}

/** An id without its `chatcmpl-` prefix and a `resp_` or (translated from Anthropic) `msg_` prefix: the base of item ids. */
export function idBase(id: unknown): string {
  const base = (typeof id === 'string' ? id : '').replace(/^chatcmpl-/, '').replace(/^(resp|msg)_/, '')
  return base === '' ? 'tokenhub' : base
}

export const responseId = (upstreamId: unknown): string => `resp_${idBase(upstreamId)}`
/** The n-th (from 0) message item of a response. */
export const messageItemId = (base: string, n: number): string => `msg_${base}${n === 0 ? '' : `_${n}`}`
export const functionCallItemId = (callId: string): string => `fc_${callId.replace(/^call_/, '')}`
/** The n-th (from 0) reasoning item of a response. */
export const reasoningItemId = (base: string, n: number): string => `rs_${base}${n === 0 ? '' : `_${n}`}`

/**
 * The client asked for reasoning (`reasoning` set, as Codex does for reasoning models): the
 * reasoning text of an OpenAI-compatible reasoning model is answered as a reasoning item. Without
 * it the reasoning is not shown, as OpenAI shows none unless asked.
 */
export const showsReasoning = (request: ResponsesRequest | undefined): boolean => isRecord(request) && isRecord(request.reasoning)

/**
 * Chat usage read as Responses usage. Both count cached prompt tokens inside the input total and
 * reasoning tokens inside the output total.
 */
export function responsesUsageFromChat(usage: unknown): ResponsesUsage {
  const u = isRecord(usage) ? usage : {}
  const input = tokenCount(u.prompt_tokens)
  const output = tokenCount(u.completion_tokens)
  return {
    input_tokens: input,
    input_tokens_details: {cached_tokens: tokenCount(isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details.cached_tokens : 0)},
    output_tokens: output,
    output_tokens_details: {reasoning_tokens: tokenCount(isRecord(u.completion_tokens_details) ? u.completion_tokens_details.reasoning_tokens : 0)},
    total_tokens: tokenCount(u.total_tokens) || input + output,
  }
}

/** A finish_reason as the response's status: a cut-off answer is `incomplete`, never `completed`. */
export function responseStatus(finishReason: unknown): {status: ResponsesStatus; incomplete_details: ResponsesIncompleteDetails | null} {
  if (finishReason === 'length') return {status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}}
  if (finishReason === 'content_filter') return {status: 'incomplete', incomplete_details: {reason: 'content_filter'}}
  return {status: 'completed', incomplete_details: null}
}

/**
 * The response object around `output`: the request's settings echoed as OpenAI echoes them, with
 * what TokenHub actually did where that differs (nothing stored, no truncation, no reasoning config).
 */
export function responseObject(
  options: ChatToResponsesOptions & {id: string},
  fields: {status: ResponsesStatus; incomplete_details?: ResponsesIncompleteDetails | null; output: ResponsesOutputItem[]; usage: ResponsesUsage | null},
): ResponsesResponse {
  const request: ResponsesRequest = isRecord(options.request) ? options.request : {}
  const response: ResponsesResponse = {
    id: options.id,
    object: 'response',
    created_at: options.createdAt,
    status: fields.status,
    background: false,
    error: null,
    incomplete_details: fields.incomplete_details ?? null,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    model: options.model,
    output: fields.output,
    parallel_tool_calls: typeof request.parallel_tool_calls === 'boolean' ? request.parallel_tool_calls : true,
    previous_response_id: null,
    reasoning: {effort: null, summary: null},
    store: false,
    temperature: typeof request.temperature === 'number' ? request.temperature : null,
    text: isRecord(request.text) ? request.text : {format: {type: 'text'}},
    tool_choice: request.tool_choice ?? 'auto',
    tools: Array.isArray(request.tools) ? request.tools : [],
    top_p: typeof request.top_p === 'number' ? request.top_p : null,
    truncation: 'disabled',
    usage: fields.usage,
    metadata: isRecord(request.metadata) ? (request.metadata as Record<string, string>) : {},
  }
  if (typeof request.user === 'string') response.user = request.user
  return response
}

export function chatToResponses(chat: OpenAIChatCompletion, options: ChatToResponsesOptions): ResponsesResponse {
  const choice = isRecord(chat) && Array.isArray(chat.choices) ? chat.choices[0] : undefined
  const message = isRecord(choice) && isRecord(choice.message) ? choice.message : undefined
  const base = idBase(options.id ?? chat?.id)
  const output: ResponsesOutputItem[] = []

  const reasoning = message && showsReasoning(options.request) ? reasoningText(message) : ''
  if (reasoning !== '') {
    output.push({type: 'reasoning', id: reasoningItemId(base, 0), summary: [], content: [{type: 'reasoning_text', text: reasoning}], status: 'completed'})
  }
  const text = messageText(message?.content)
  const refusal = typeof message?.refusal === 'string' ? message.refusal : ''
  const calls = (Array.isArray(message?.tool_calls) ? message.tool_calls : []).filter((call) => isRecord(call) && isRecord(call.function))
  if (text !== '' || refusal !== '' || (calls.length === 0 && reasoning === '')) {
    const item: ResponsesOutputMessage = {type: 'message', id: messageItemId(base, 0), status: 'completed', role: 'assistant', content: []}
    if (text !== '' || refusal === '') item.content.push({type: 'output_text', text, annotations: []})
    if (refusal !== '') item.content.push({type: 'refusal', refusal})
    output.push(item)
  }
  for (const call of calls) {
    const callId = typeof call.id === 'string' && call.id !== '' ? call.id : madeUpToolCallId('call_')
    const item: ResponsesOutputFunctionCall = {
      type: 'function_call',
      id: functionCallItemId(callId),
      call_id: callId,
      name: String(call.function.name ?? ''),
      arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments ?? {}),
      status: 'completed',
    }
    restoreToolName(item, options.toolNames)
    output.push(item)
  }

  const {status, incomplete_details} = responseStatus(isRecord(choice) ? choice.finish_reason : undefined)
  const last = output.at(-1)
  if (status === 'incomplete' && last) last.status = 'incomplete'
  return responseObject(
    {...options, id: options.id ?? responseId(chat?.id)},
    {status, incomplete_details, output, usage: isRecord(chat?.usage) ? responsesUsageFromChat(chat.usage) : null},
  )
}

/** Content is a string, or (from some compatible servers) an array of text parts. */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((part) => (isRecord(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('')
}

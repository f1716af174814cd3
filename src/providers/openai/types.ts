/**
 * OpenAI Chat Completions wire types: only what the translators read or write. Loose where the
 * API is loose; every object allows unknown fields, because clients and OpenAI-compatible servers
 * add their own and the gateway passes them through.
 */

type Open = {[key: string]: unknown}

export interface OpenAITextPart extends Open {
  type: 'text'
  text: string
}

export interface OpenAIImagePart extends Open {
  type: 'image_url'
  image_url: {url: string; detail?: 'auto' | 'low' | 'high'; [key: string]: unknown}
}

export interface OpenAIAudioPart extends Open {
  type: 'input_audio'
  input_audio: {data: string; format: string}
}

export interface OpenAIFilePart extends Open {
  type: 'file'
  file: {file_data?: string; file_id?: string; filename?: string}
}

export interface OpenAIRefusalPart extends Open {
  type: 'refusal'
  refusal: string
}

export type OpenAIUserContentPart = OpenAITextPart | OpenAIImagePart | OpenAIAudioPart | OpenAIFilePart

export interface OpenAIFunctionCall {
  name: string
  arguments: string
}

export interface OpenAIToolCall extends Open {
  id: string
  type: 'function'
  function: OpenAIFunctionCall
}

export interface OpenAISystemMessage extends Open {
  role: 'system' | 'developer'
  content: string | OpenAITextPart[]
  name?: string
}

export interface OpenAIUserMessage extends Open {
  role: 'user'
  content: string | OpenAIUserContentPart[]
  name?: string
}

export interface OpenAIAssistantMessage extends Open {
  role: 'assistant'
  content?: string | Array<OpenAITextPart | OpenAIRefusalPart> | null
  refusal?: string | null
  tool_calls?: OpenAIToolCall[]
  /** Deprecated single-function form. */
  function_call?: OpenAIFunctionCall | null
  name?: string
}

export interface OpenAIToolMessage extends Open {
  role: 'tool'
  tool_call_id: string
  content: string | OpenAITextPart[]
}

/** Deprecated answer to a `function_call`. */
export interface OpenAIFunctionMessage extends Open {
  role: 'function'
  name: string
  content: string | null
}

export type OpenAIMessage = OpenAISystemMessage | OpenAIUserMessage | OpenAIAssistantMessage | OpenAIToolMessage | OpenAIFunctionMessage

export interface OpenAIFunctionTool extends Open {
  type: 'function'
  function: {name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null}
}

export type OpenAIToolChoice = 'auto' | 'none' | 'required' | {type: 'function'; function: {name: string}}

export interface OpenAIChatRequest extends Open {
  model: string
  messages: OpenAIMessage[]
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high'
  max_tokens?: number | null
  max_completion_tokens?: number | null
  temperature?: number | null
  top_p?: number | null
  stop?: string | string[] | null
  stream?: boolean | null
  stream_options?: {include_usage?: boolean} | null
  tools?: OpenAIFunctionTool[]
  tool_choice?: OpenAIToolChoice
  parallel_tool_calls?: boolean
  user?: string
  n?: number | null
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call'

export interface OpenAIUsage extends Open {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details?: {cached_tokens?: number; [key: string]: unknown} | null
  completion_tokens_details?: {reasoning_tokens?: number; [key: string]: unknown} | null
}

export interface OpenAIResponseMessage extends Open {
  role: 'assistant'
  content: string | null
  refusal?: string | null
  tool_calls?: OpenAIToolCall[]
  function_call?: OpenAIFunctionCall | null
}

export interface OpenAIChoice extends Open {
  index: number
  message: OpenAIResponseMessage
  finish_reason: OpenAIFinishReason | null
  logprobs?: unknown
}

export interface OpenAIChatCompletion extends Open {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: OpenAIChoice[]
  usage?: OpenAIUsage
}

export interface OpenAIToolCallDelta {
  index: number
  id?: string
  type?: 'function'
  function?: {name?: string; arguments?: string}
}

export interface OpenAIChunkDelta extends Open {
  role?: 'assistant'
  content?: string | null
  refusal?: string | null
  tool_calls?: OpenAIToolCallDelta[]
}

export interface OpenAIChunkChoice extends Open {
  index: number
  delta: OpenAIChunkDelta
  finish_reason: OpenAIFinishReason | null
}

export interface OpenAIChatCompletionChunk extends Open {
  id: string
  object: 'chat.completion.chunk'
  created: number
  model: string
  choices: OpenAIChunkChoice[]
  usage?: OpenAIUsage | null
}

export interface OpenAIErrorObject extends Open {
  message: string
  type: string
  param?: string | null
  code?: string | null
}

export interface OpenAIErrorBody {
  error: OpenAIErrorObject
}

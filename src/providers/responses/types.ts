/**
 * OpenAI Responses API wire types (`POST /v1/responses`, as the Codex CLI and the newer SDKs speak
 * it): only what the translators read or write. Loose where the API is loose; every object allows
 * unknown fields, because the API grows quickly and OpenAI upstreams get the body untouched.
 * Shapes follow the official `openai` SDK's `responses.d.ts`.
 */

type Open = {[key: string]: unknown}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

export interface ResponsesInputText extends Open {
  type: 'input_text'
  text: string
}

export interface ResponsesInputImage extends Open {
  type: 'input_image'
  image_url?: string | null
  file_id?: string | null
  detail?: 'low' | 'high' | 'auto' | 'original'
}

export interface ResponsesInputFile extends Open {
  type: 'input_file'
  file_data?: string | null
  file_id?: string | null
  file_url?: string | null
  filename?: string | null
}

export interface ResponsesOutputText extends Open {
  type: 'output_text'
  text: string
  annotations: unknown[]
  logprobs?: unknown[]
}

export interface ResponsesRefusal extends Open {
  type: 'refusal'
  refusal: string
}

export type ResponsesInputContent = ResponsesInputText | ResponsesInputImage | ResponsesInputFile
export type ResponsesMessageContent = ResponsesInputContent | ResponsesOutputText | ResponsesRefusal

export type ResponsesRole = 'system' | 'developer' | 'user' | 'assistant'

/** A `message` input item (`type` may be left out: the SDK's EasyInputMessage). */
export interface ResponsesMessageItem extends Open {
  type?: 'message'
  role: ResponsesRole
  content: string | ResponsesMessageContent[]
  id?: string
  status?: ResponsesItemStatus
}

export interface ResponsesFunctionCallItem extends Open {
  type: 'function_call'
  call_id: string
  name: string
  arguments: string
  id?: string
  status?: ResponsesItemStatus
}

export interface ResponsesFunctionCallOutputItem extends Open {
  type: 'function_call_output'
  call_id: string
  /** Text, or (newer clients) a list of input_text / input_image / input_file parts. */
  output: string | ResponsesInputContent[]
  id?: string | null
}

export interface ResponsesReasoningItem extends Open {
  type: 'reasoning'
  summary?: unknown[]
  encrypted_content?: string | null
}

export interface ResponsesItemReference extends Open {
  type?: 'item_reference' | null
  id: string
}

/** Any other item type (hosted-tool calls and outputs, custom tool calls...): refused by the translator. */
export interface ResponsesOtherItem extends Open {
  type: string
}

export type ResponsesInputItem =
  | ResponsesMessageItem
  | ResponsesFunctionCallItem
  | ResponsesFunctionCallOutputItem
  | ResponsesReasoningItem
  | ResponsesItemReference
  | ResponsesOtherItem

export interface ResponsesFunctionTool extends Open {
  type: 'function'
  name: string
  description?: string | null
  parameters?: Record<string, unknown> | null
  strict?: boolean | null
}

/** web_search, file_search, computer_use_preview, code_interpreter, mcp, image_generation, local_shell, shell, custom, apply_patch... */
export interface ResponsesOtherTool extends Open {
  type: string
}

export type ResponsesTool = ResponsesFunctionTool | ResponsesOtherTool

export type ResponsesToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | {type: 'function'; name: string}
  | {type: 'allowed_tools'; mode: 'auto' | 'required'; tools: Array<{type: string; name?: string; [key: string]: unknown}>}
  | {type: string; [key: string]: unknown}

export type ResponsesTextFormat =
  | {type: 'text'}
  | {type: 'json_object'}
  | {type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean | null}

export interface ResponsesTextConfig extends Open {
  format?: ResponsesTextFormat
  verbosity?: 'low' | 'medium' | 'high' | null
}

export interface ResponsesReasoningConfig extends Open {
  effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | null
  summary?: 'auto' | 'concise' | 'detailed' | null
}

export interface ResponsesRequest extends Open {
  model?: string
  input?: string | ResponsesInputItem[]
  instructions?: string | null
  tools?: ResponsesTool[]
  tool_choice?: ResponsesToolChoice
  parallel_tool_calls?: boolean | null
  reasoning?: ResponsesReasoningConfig | null
  max_output_tokens?: number | null
  text?: ResponsesTextConfig
  temperature?: number | null
  top_p?: number | null
  metadata?: Record<string, string> | null
  store?: boolean | null
  previous_response_id?: string | null
  conversation?: unknown
  include?: string[] | null
  stream?: boolean | null
  user?: string
  safety_identifier?: string | null
  truncation?: 'auto' | 'disabled' | null
  service_tier?: string | null
  background?: boolean | null
  prompt?: unknown
}

// ---------------------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------------------

export type ResponsesItemStatus = 'in_progress' | 'completed' | 'incomplete'

export type ResponsesStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete'

export interface ResponsesOutputMessage {
  type: 'message'
  id: string
  status: ResponsesItemStatus
  role: 'assistant'
  content: Array<ResponsesOutputText | ResponsesRefusal>
}

export interface ResponsesOutputFunctionCall {
  type: 'function_call'
  id: string
  call_id: string
  name: string
  /** Set for a function of a namespace tool. */
  namespace?: string
  arguments: string
  status: ResponsesItemStatus
}

/** The reasoning text of an OpenAI-compatible reasoning model (DeepSeek, vLLM...), as raw `reasoning_text` content. */
export interface ResponsesOutputReasoning {
  type: 'reasoning'
  id: string
  summary: unknown[]
  content: Array<{type: 'reasoning_text'; text: string}>
  status: ResponsesItemStatus
}

export type ResponsesOutputItem = ResponsesOutputMessage | ResponsesOutputFunctionCall | ResponsesOutputReasoning

export interface ResponsesUsage {
  input_tokens: number
  input_tokens_details: {cached_tokens: number}
  output_tokens: number
  output_tokens_details: {reasoning_tokens: number}
  total_tokens: number
}

export interface ResponsesIncompleteDetails {
  reason: 'max_output_tokens' | 'content_filter'
}

/**
 * The `response` object. `output_text` is left out on purpose: the SDKs compute it from `output`.
 * `usage` is null while a streamed response is in progress, as OpenAI sends it.
 */
export interface ResponsesResponse {
  id: string
  object: 'response'
  created_at: number
  status: ResponsesStatus
  background: boolean
  error: {code: string; message: string} | null
  incomplete_details: ResponsesIncompleteDetails | null
  instructions: string | null
  max_output_tokens: number | null
  model: string
  output: ResponsesOutputItem[]
  parallel_tool_calls: boolean
  previous_response_id: null
  reasoning: {effort: null; summary: null}
  store: boolean
  temperature: number | null
  text: ResponsesTextConfig
  tool_choice: unknown
  tools: unknown[]
  top_p: number | null
  truncation: 'auto' | 'disabled'
  usage: ResponsesUsage | null
  metadata: Record<string, string>
  user?: string
}

/** One streamed event: a `type`, a `sequence_number`, and the type's own fields. */
export interface ResponsesStreamEvent {
  type: string
  sequence_number: number
  [key: string]: unknown
}

/**
 * Anthropic Messages wire types: only what the translators read or write. Loose where the API is
 * loose; every object allows unknown fields (cache_control, citations, new block types).
 */

type Open = {[key: string]: unknown}

export interface AnthropicTextBlock extends Open {
  type: 'text'
  text: string
}

export type AnthropicImageSource =
  | {type: 'base64'; media_type: string; data: string}
  | {type: 'url'; url: string}
  | {type: 'file'; file_id: string}

export interface AnthropicImageBlock extends Open {
  type: 'image'
  source: AnthropicImageSource
}

export interface AnthropicDocumentBlock extends Open {
  type: 'document'
  source: {type: string; media_type?: string; data?: unknown; url?: string; [key: string]: unknown}
  title?: string | null
}

export interface AnthropicToolUseBlock extends Open {
  type: 'tool_use'
  id: string
  name: string
  input: unknown
}

export interface AnthropicToolResultBlock extends Open {
  type: 'tool_result'
  tool_use_id: string
  content?: string | Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock>
  is_error?: boolean
}

export interface AnthropicThinkingBlock extends Open {
  type: 'thinking'
  thinking: string
  signature: string
}

export interface AnthropicRedactedThinkingBlock extends Open {
  type: 'redacted_thinking'
  data: string
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicDocumentBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock

export interface AnthropicMessageParam extends Open {
  role: 'user' | 'assistant'
  content: string | AnthropicContentBlock[]
}

export interface AnthropicCustomTool extends Open {
  type?: 'custom'
  name: string
  description?: string
  input_schema: Record<string, unknown>
}

/** Server tools (web_search_20250305, bash_20250124, ...) carry a versioned `type`. */
export interface AnthropicServerTool extends Open {
  type: string
  name: string
}

export type AnthropicTool = AnthropicCustomTool | AnthropicServerTool

export type AnthropicToolChoice =
  | {type: 'auto'; disable_parallel_tool_use?: boolean}
  | {type: 'any'; disable_parallel_tool_use?: boolean}
  | {type: 'tool'; name: string; disable_parallel_tool_use?: boolean}
  | {type: 'none'}

export interface AnthropicRequest extends Open {
  model: string
  messages: AnthropicMessageParam[]
  max_tokens: number
  system?: string | AnthropicTextBlock[]
  temperature?: number
  top_p?: number
  top_k?: number
  stop_sequences?: string[]
  stream?: boolean
  tools?: AnthropicTool[]
  tool_choice?: AnthropicToolChoice
  metadata?: {user_id?: string | null; [key: string]: unknown}
}

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded'

export interface AnthropicUsage extends Open {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
}

export interface AnthropicMessage extends Open {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: AnthropicContentBlock[]
  stop_reason: AnthropicStopReason | null
  stop_sequence: string | null
  usage: AnthropicUsage
}

export interface AnthropicErrorBody {
  type: 'error'
  error: {type: string; message: string}
}

/** Stream events, as they appear in the `data:` of each SSE frame (the `event:` name equals `type`). */
export type AnthropicStreamEvent =
  | {type: 'message_start'; message: AnthropicMessage}
  | {type: 'content_block_start'; index: number; content_block: AnthropicContentBlock | {type: string; [key: string]: unknown}}
  | {type: 'content_block_delta'; index: number; delta: AnthropicBlockDelta}
  | {type: 'content_block_stop'; index: number}
  | {type: 'message_delta'; delta: {stop_reason: AnthropicStopReason | null; stop_sequence: string | null}; usage: Partial<AnthropicUsage>}
  | {type: 'message_stop'}
  | {type: 'ping'}
  | AnthropicErrorBody

export type AnthropicBlockDelta =
  | {type: 'text_delta'; text: string}
  | {type: 'input_json_delta'; partial_json: string}
  | {type: 'thinking_delta'; thinking: string}
  | {type: 'signature_delta'; signature: string}
  | {type: 'citations_delta'; citation: unknown}

import type {ProviderType} from '../core/schemas/common.js'

export type Wire = 'openai' | 'anthropic'

/** What differs between provider types at the HTTP level: paths, credentials, required headers. */
export interface EndpointDescriptor {
  type: ProviderType
  /** The request/response format the upstream speaks. */
  wire: Wire
  /** `responses` only where the upstream itself speaks the Responses API (api.openai.com). */
  paths: {chat: string; completions: string | null; embeddings: string | null; responses: string | null; models: string}
  /** Whether the upstream answers `encoding_format: "base64"` itself (else the gateway asks for floats and encodes). */
  base64Embeddings: boolean
  /** Whether calls without a stored key are expected to work (local servers). */
  keyRequired: boolean
  /** The provider's credential (and any header the API always needs). */
  authHeaders(apiKey: string | null, clientAnthropicVersion?: string): Record<string, string>
}

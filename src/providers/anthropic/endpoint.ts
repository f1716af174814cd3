import type {EndpointDescriptor} from '../endpoint.js'

export const ANTHROPIC_VERSION = '2023-06-01'

/** api.anthropic.com: Messages API, x-api-key, and an anthropic-version on every call. */
export const anthropicEndpoint: EndpointDescriptor = {
  type: 'anthropic',
  wire: 'anthropic',
  paths: {chat: '/v1/messages', completions: null, embeddings: null, responses: null, models: '/v1/models?limit=1000'},
  keyRequired: true,
  base64Embeddings: false,
  authHeaders: (apiKey, clientVersion) => ({'anthropic-version': clientVersion ?? ANTHROPIC_VERSION, ...(apiKey ? {'x-api-key': apiKey} : {})}),
}

import type {EndpointDescriptor} from '../endpoint.js'

/** api.openai.com and any OpenAI-compatible server that wants a Bearer key. */
export const openaiEndpoint: EndpointDescriptor = {
  type: 'openai',
  wire: 'openai',
  paths: {chat: '/v1/chat/completions', completions: '/v1/completions', embeddings: '/v1/embeddings', responses: '/v1/responses', models: '/v1/models'},
  keyRequired: true,
  base64Embeddings: true,
  authHeaders: (apiKey): Record<string, string> => (apiKey ? {authorization: `Bearer ${apiKey}`} : {}),
}

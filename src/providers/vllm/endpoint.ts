import type {EndpointDescriptor} from '../endpoint.js'
import {openaiEndpoint} from '../openai/endpoint.js'

/** vLLM (and other local OpenAI-compatible servers): the OpenAI wire format, a key only if one is stored. */
export const vllmEndpoint: EndpointDescriptor = {
  ...openaiEndpoint,
  type: 'vllm',
  keyRequired: false,
  // Not every OpenAI-compatible server (older vLLM, llama.cpp, TEI) knows encoding_format: base64.
  base64Embeddings: false,
  // OpenAI-compatible servers serve chat completions but not the Responses API: it is translated.
  paths: {...openaiEndpoint.paths, responses: null},
}

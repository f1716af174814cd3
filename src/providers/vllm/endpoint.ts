import type {EndpointDescriptor} from '../endpoint.js'
import {openaiEndpoint} from '../openai/endpoint.js'

/** vLLM (and other local OpenAI-compatible servers): the OpenAI wire format, a key only if one is stored. */
export const vllmEndpoint: EndpointDescriptor = {
  ...openaiEndpoint,
  type: 'vllm',
  keyRequired: false,
  // OpenAI-compatible servers serve chat completions but not the Responses API: it is translated.
  paths: {...openaiEndpoint.paths, responses: null},
}

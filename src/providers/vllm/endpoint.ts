import type {EndpointDescriptor} from '../endpoint.js'
import {openaiEndpoint} from '../openai/endpoint.js'

/** vLLM (and other local OpenAI-compatible servers): the OpenAI wire format, a key only if one is stored. */
export const vllmEndpoint: EndpointDescriptor = {
  ...openaiEndpoint,
  type: 'vllm',
  keyRequired: false,
}

import type {ProviderType} from '../core/schemas/common.js'
import {anthropicEndpoint} from './anthropic/endpoint.js'
import type {EndpointDescriptor} from './endpoint.js'
import {openaiEndpoint} from './openai/endpoint.js'
import {vllmEndpoint} from './vllm/endpoint.js'

const ENDPOINTS: Record<ProviderType, EndpointDescriptor> = {openai: openaiEndpoint, vllm: vllmEndpoint, anthropic: anthropicEndpoint}

export function endpointFor(type: ProviderType): EndpointDescriptor {
  return ENDPOINTS[type]
}

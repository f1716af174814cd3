import {Flags} from '@oclif/core'
import {numberFlag} from './flags.js'

/** Flags shared by `model add` and `model edit`, mapped to the API's field names. */
export const modelFieldFlags = {
  provider: Flags.string({description: 'Provider id (provider_id)'}),
  'upstream-model': Flags.string({description: 'Model id sent upstream when it differs from --id'}),
  kind: Flags.string({description: 'chat or embedding [default: from the catalog, else embedding when the id contains "embed", else chat]', options: ['chat', 'embedding']}),
  weight: numberFlag('Routing weight 0-10 (higher = preferred for quality)', {min: 0, max: 10, integer: true}),
  'max-context-tokens': numberFlag('Context window in tokens', {min: 1, max: 100_000_000, integer: true}),
  'max-output-tokens': numberFlag('Largest completion in tokens', {min: 1, max: 100_000_000, integer: true}),
  'input-per-1k': numberFlag('USD per 1k input tokens', {min: 0}),
  'output-per-1k': numberFlag('USD per 1k output tokens', {min: 0}),
  'cache-read-per-1k': numberFlag('USD per 1k prompt tokens read from the prompt cache [default: Anthropic 0.1x, OpenAI 0.5x, others 1x the input price]', {min: 0}),
  'cache-write-per-1k': numberFlag('USD per 1k prompt tokens written to the prompt cache [default: Anthropic 1.25x, others 1x the input price]', {min: 0}),
}

export function modelBodyFromFlags(flags: {
  provider?: string
  'upstream-model'?: string
  kind?: string
  weight?: number
  'max-context-tokens'?: number
  'max-output-tokens'?: number
  'input-per-1k'?: number
  'output-per-1k'?: number
  'cache-read-per-1k'?: number
  'cache-write-per-1k'?: number
}): Record<string, unknown> {
  return {
    provider_id: flags.provider,
    upstream_model: flags['upstream-model'],
    kind: flags.kind,
    weight: flags.weight,
    max_context_tokens: flags['max-context-tokens'],
    max_output_tokens: flags['max-output-tokens'],
    input_per_1k: flags['input-per-1k'],
    output_per_1k: flags['output-per-1k'],
    cache_read_per_1k: flags['cache-read-per-1k'],
    cache_write_per_1k: flags['cache-write-per-1k'],
  }
}

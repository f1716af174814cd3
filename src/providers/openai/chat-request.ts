/** Building an OpenAI chat request from another dialect's body (Anthropic Messages, Responses). */
import {firstNumber} from '../util.js'
import type {OpenAIChatRequest} from './types.js'

/** temperature, top_p and stream (with usage asked for, so the gateway can bill the stream) carried over. */
export function copySampling(body: {temperature?: unknown; top_p?: unknown; stream?: unknown}, out: OpenAIChatRequest): void {
  const temperature = firstNumber(body.temperature)
  if (temperature !== undefined) out.temperature = temperature
  const topP = firstNumber(body.top_p)
  if (topP !== undefined) out.top_p = topP
  if (body.stream === true) {
    out.stream = true
    out.stream_options = {include_usage: true}
  }
}

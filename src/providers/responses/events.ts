/** SSE framing of Responses stream events: the SSE event name is the payload's `type`, as OpenAI sends it. */
import type {ResponsesStreamEvent} from './types.js'

export function responsesFrame(event: ResponsesStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
}

/**
 * A mid-stream `error` event. It carries the SDK's documented ResponseErrorEvent fields (`code`,
 * `message`, `param` at the top level) and the nested `error` object the OpenAI API actually sends;
 * the nested object is what makes the official SDKs throw instead of returning a partial answer.
 * No `response.completed` may follow it.
 */
export function responsesErrorEvent(message: string, sequenceNumber: number, code = 'server_error', type = code): ResponsesStreamEvent {
  return {type: 'error', code, message, param: null, sequence_number: sequenceNumber, error: {type, code, message, param: null}}
}

export function responsesErrorFrame(message: string, sequenceNumber: number, code?: string, type?: string): string {
  return responsesFrame(responsesErrorEvent(message, sequenceNumber, code, type))
}

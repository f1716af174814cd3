import {describe, expect, it} from 'vitest'
import {isPreambleEvent, leadingStreamError} from '../../src/providers/stream-start.js'

describe('leadingStreamError', () => {
  it('reads an Anthropic error event, keeping its body for an Anthropic client', () => {
    const data = JSON.stringify({type: 'error', error: {type: 'overloaded_error', message: 'Overloaded'}})
    expect(leadingStreamError({event: 'error', data})).toEqual({status: 529, body: data, message: 'Overloaded'})
  })

  it('reads an OpenAI-style error chunk, by numeric code when it has one, else by type', () => {
    const numeric = JSON.stringify({error: {code: 502, message: 'Provider returned error'}})
    expect(leadingStreamError({data: numeric})).toMatchObject({status: 502, body: numeric})
    expect(leadingStreamError({data: JSON.stringify({error: {type: 'rate_limit_exceeded', message: 'slow down', code: null}})})).toMatchObject({status: 429})
    expect(leadingStreamError({data: JSON.stringify({error: {type: 'something_new', message: '?'}})})).toMatchObject({status: 500})
  })

  it('reads a Responses error and response.failed event', () => {
    expect(leadingStreamError({event: 'error', data: JSON.stringify({type: 'error', code: 'server_error', message: 'boom', sequence_number: 1})})).toMatchObject({status: 500, message: 'boom'})
    const failed = JSON.stringify({type: 'response.failed', response: {status: 'failed', error: {code: 'rate_limit_exceeded', message: 'later'}}})
    expect(leadingStreamError({event: 'response.failed', data: failed})).toMatchObject({status: 429, message: 'later'})
    // The request's own fault: a 400 that goes back to the client (an overflow one is compacted on by Claude Code and Codex).
    // So is a bad image or a policy block: another model would only be asked the same (no retry, no failover).
    for (const code of ['invalid_prompt', 'context_length_exceeded', 'invalid_image_url', 'failed_to_download_image', 'image_too_large', 'bio_policy', 'data_residency_mismatch']) {
      const refused = JSON.stringify({type: 'response.failed', response: {status: 'failed', error: {code, message: 'no'}}})
      expect(leadingStreamError({event: 'response.failed', data: refused}), code).toMatchObject({status: 400, body: JSON.stringify({error: {message: 'no', type: 'invalid_request_error', param: null, code}})})
    }
    // The flat error event OpenAI documents: OpenAI's error shape, its code and param kept, not the event's own type.
    const flat = JSON.stringify({type: 'error', code: 'invalid_prompt', message: 'Invalid prompt: flagged', param: 'input', sequence_number: 2})
    expect(leadingStreamError({event: 'error', data: flat})).toMatchObject({status: 400, body: JSON.stringify({error: {message: 'Invalid prompt: flagged', type: 'invalid_request_error', param: 'input', code: 'invalid_prompt'}})})
    expect(JSON.parse(leadingStreamError({event: 'error', data: JSON.stringify({type: 'error', code: 'server_error', message: 'boom'})})!.body).error).toMatchObject({type: 'server_error', code: 'server_error'})
  })

  it('leaves content alone, also content that talks about errors', () => {
    expect(leadingStreamError({data: JSON.stringify({choices: [{delta: {content: 'an "error" here'}}]})})).toBeNull()
    expect(leadingStreamError({data: JSON.stringify({choices: [{delta: {content: ''}}], error: null})})).toBeNull()
    expect(leadingStreamError({event: 'content_block_delta', data: JSON.stringify({type: 'content_block_delta', delta: {type: 'text_delta', text: 'error'}})})).toBeNull()
    expect(leadingStreamError({data: '[DONE]'})).toBeNull()
  })

  it('an error event whose data is not JSON is still an error', () => {
    expect(leadingStreamError({event: 'error', data: 'upstream exploded'})).toMatchObject({status: 500})
  })
})

describe('isPreambleEvent', () => {
  it('holds only the events that carry no content', () => {
    for (const event of ['message_start', 'ping', 'response.created', 'response.in_progress']) expect(isPreambleEvent({event, data: '{}'})).toBe(true)
    for (const event of ['content_block_start', 'response.output_item.added', undefined]) expect(isPreambleEvent({event, data: '{}'})).toBe(false)
  })

  it('holds an OpenAI chunk that only opens the turn, not one with content, a tool call or a finish', () => {
    const chunk = (delta: object, extra: object = {}) => ({data: JSON.stringify({object: 'chat.completion.chunk', choices: [{index: 0, delta, finish_reason: null, ...extra}]})})
    expect(isPreambleEvent(chunk({role: 'assistant', content: ''}))).toBe(true)
    expect(isPreambleEvent(chunk({role: 'assistant', content: null, refusal: null}))).toBe(true)
    expect(isPreambleEvent(chunk({role: 'assistant', content: 'Hi'}))).toBe(false)
    expect(isPreambleEvent(chunk({role: 'assistant', tool_calls: [{index: 0, id: 'c1'}]}))).toBe(false)
    expect(isPreambleEvent(chunk({role: 'assistant', content: ''}, {finish_reason: 'stop'}))).toBe(false)
    expect(isPreambleEvent({data: '[DONE]'})).toBe(false)
  })
})

import {describe, expect, it} from 'vitest'
import {errorTypeForStatus, isContextOverflow, isRequestNotFound, translateErrorBody} from '../../../src/providers/errors.js'
import {fixtureJson, fixtureText} from './sse-helpers.js'

interface ErrorFixture {
  status: number
  body: unknown
}
const errors = fixtureJson<Record<string, ErrorFixture>>('errors.json')
const translate = (name: string, to: 'openai' | 'anthropic') => JSON.parse(translateErrorBody(JSON.stringify(errors[name].body), errors[name].status, to))

describe('translateErrorBody', () => {
  it('keeps an OpenAI error as is for an OpenAI client', () => {
    expect(translate('openai_context_length', 'openai')).toEqual({
      error: {
        message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    })
  })

  it('restates an OpenAI context overflow in the words Anthropic clients recognise', () => {
    expect(translate('openai_context_length', 'anthropic')).toEqual({
      type: 'error',
      error: {type: 'invalid_request_error', message: 'prompt is too long: 131072 tokens > 128000 maximum'},
    })
  })

  it('maps an OpenAI rate limit to an Anthropic rate_limit_error', () => {
    expect(translate('openai_rate_limit', 'anthropic')).toEqual({type: 'error', error: {type: 'rate_limit_error', message: expect.stringContaining('Rate limit reached')}})
  })

  it('redacts credentials an upstream quotes back', () => {
    const openai = translate('openai_invalid_key', 'openai')
    expect(openai.error.message).not.toContain('AbCdEf')
    expect(openai.error.message).toContain('[REDACTED]')
    expect(openai.error.code).toBe('invalid_api_key')
    const anthropic = translate('openai_invalid_key', 'anthropic')
    expect(anthropic).toEqual({type: 'error', error: {type: 'authentication_error', message: expect.stringContaining('[REDACTED]')}})
  })

  it('keeps an Anthropic error as is for an Anthropic client (without request_id)', () => {
    expect(translate('anthropic_overloaded', 'anthropic')).toEqual({type: 'error', error: {type: 'overloaded_error', message: 'Overloaded'}})
    expect(translate('anthropic_prompt_too_long', 'anthropic')).toEqual({
      type: 'error',
      error: {type: 'invalid_request_error', message: 'prompt is too long: 208310 tokens > 200000 maximum'},
    })
  })

  it('turns Anthropic errors into OpenAI ones, flagging context overflow with OpenAI’s code', () => {
    // Types OpenAI has no word for are said in OpenAI's, the Anthropic one kept as the code.
    expect(translate('anthropic_overloaded', 'openai')).toEqual({error: {message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded_error'}})
    expect(translate('anthropic_not_found', 'openai')).toEqual({error: {message: 'model: claude-3-opus-latest', type: 'invalid_request_error', param: null, code: 'not_found_error'}})
    const tooLarge = JSON.stringify({type: 'error', error: {type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.'}})
    expect(JSON.parse(translateErrorBody(tooLarge, 413, 'openai')).error).toMatchObject({type: 'invalid_request_error', code: 'request_too_large'})
    const rateLimited = JSON.stringify({type: 'error', error: {type: 'rate_limit_error', message: 'slow down'}})
    expect(JSON.parse(translateErrorBody(rateLimited, 429, 'openai')).error).toMatchObject({type: 'rate_limit_error', code: null})
    expect(translate('anthropic_prompt_too_long', 'openai').error.code).toBe('context_length_exceeded')
    expect(translate('anthropic_context_limit', 'openai').error.code).toBe('context_length_exceeded')
  })

  it('reads the message of compatible servers’ own JSON shapes', () => {
    expect(translate('vllm_bad_request', 'openai')).toEqual({
      error: {message: expect.stringContaining('maximum context length is 8192'), type: 'invalid_request_error', param: null, code: 'context_length_exceeded'},
    })
    expect(JSON.parse(translateErrorBody('{"error":"model not loaded"}', 503, 'anthropic'))).toEqual({
      type: 'error',
      error: {type: 'api_error', message: 'model not loaded'},
    })
    expect(JSON.parse(translateErrorBody('{"detail":[{"loc":["body","messages"],"msg":"field required"}]}', 422, 'openai')).error.message).toBe('field required')
    const vllmNested = '{"error":{"message":"This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","param":null,"code":400}}'
    expect(JSON.parse(translateErrorBody(vllmNested, 400, 'openai')).error).toMatchObject({type: 'BadRequestError', code: 'context_length_exceeded'})
  })

  it('wraps plain text', () => {
    const text = 'upstream connect error or disconnect/reset before headers. reset reason: connection termination'
    expect(JSON.parse(translateErrorBody(text, 503, 'openai'))).toEqual({error: {message: `Upstream error (HTTP 503): ${text}`, type: 'api_error', param: null, code: null}})
    expect(JSON.parse(translateErrorBody(text, 503, 'anthropic'))).toEqual({type: 'error', error: {type: 'api_error', message: `Upstream error (HTTP 503): ${text}`}})
  })

  it('reduces an HTML error page to its title', () => {
    const html = fixtureText('cloudflare-502.html')
    expect(JSON.parse(translateErrorBody(html, 502, 'anthropic'))).toEqual({
      type: 'error',
      error: {type: 'api_error', message: 'Upstream error (HTTP 502): api.example-llm.com | 502: Bad gateway'},
    })
    const untitled = '<html><body><h1>504 Gateway Time-out</h1><p>The server didn&#39;t respond in time.</p></body></html>'
    expect(JSON.parse(translateErrorBody(untitled, 504, 'openai')).error.message).toBe("Upstream error (HTTP 504): 504 Gateway Time-out The server didn't respond in time.")
  })

  it('says something useful for an empty body and truncates huge ones', () => {
    expect(JSON.parse(translateErrorBody('', 500, 'openai')).error.message).toBe('Upstream error (HTTP 500)')
    expect(JSON.parse(translateErrorBody('x'.repeat(5000), 500, 'openai')).error.message.length).toBeLessThan(600)
  })

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'api_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('status %d -> %s in both dialects', (status, type) => {
    expect(errorTypeForStatus(status)).toBe(type)
    expect(JSON.parse(translateErrorBody('oops', status, 'anthropic')).error.type).toBe(type)
    expect(JSON.parse(translateErrorBody('oops', status, 'openai')).error.type).toBe(type)
  })
})

describe('isContextOverflow', () => {
  it.each(['openai_context_length', 'anthropic_prompt_too_long', 'anthropic_context_limit', 'vllm_bad_request'])('recognises %s', (name) => {
    expect(isContextOverflow(errors[name].status, JSON.stringify(errors[name].body))).toBe(true)
  })

  it('recognises the OpenAI code on its own', () => {
    expect(isContextOverflow(400, '{"error":{"message":"Input too large","type":"invalid_request_error","code":"context_length_exceeded"}}')).toBe(true)
  })

  it.each([
    ['rate limit on tokens', 'openai_rate_limit'],
    ['bad key', 'openai_invalid_key'],
    ['overloaded', 'anthropic_overloaded'],
    ['unknown model', 'anthropic_not_found'],
  ])('does not mistake %s for an overflow', (_label, name) => {
    expect(isContextOverflow(errors[name].status, JSON.stringify(errors[name].body))).toBe(false)
  })

  it('needs a client-error status and an overflow message', () => {
    expect(isContextOverflow(500, 'prompt is too long')).toBe(false)
    expect(isContextOverflow(413, '{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}')).toBe(false)
    expect(isContextOverflow(400, '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5"}}')).toBe(false)
  })
})

describe('upstreamErrorMessage (quoted to clients when every attempt failed)', () => {
  it('quotes a JSON error without credentials, account ids or URLs; never an HTML page', async () => {
    const {upstreamErrorMessage} = await import('../../../src/providers/errors.js')
    const limited = JSON.stringify({error: {message: 'Rate limit reached for gpt-4o in organization org-AbC123xyz789 on tokens per min (TPM): Limit 30000. Visit https://platform.openai.com/account/rate-limits', type: 'tokens'}})
    expect(upstreamErrorMessage(limited, 429)).toBe('Rate limit reached for gpt-4o in organization org-[REDACTED] on tokens per min (TPM): Limit 30000. Visit [URL]')
    expect(upstreamErrorMessage(JSON.stringify({error: {message: 'Incorrect API key provided: sk-proj-abcdefghijklmnop'}}), 401)).toBe('Incorrect API key provided: [REDACTED]')
    expect(upstreamErrorMessage('<html><title>502 Bad Gateway</title><body>nginx at internal-lb-7.corp</body></html>', 502)).toBeNull()
    expect(upstreamErrorMessage('', 500)).toBeNull()
    expect(upstreamErrorMessage(JSON.stringify({type: 'error', error: {type: 'overloaded_error', message: 'x'.repeat(400)}}), 529)).toHaveLength(303)
  })
})

describe('isRequestNotFound', () => {
  it('is the caller\'s 404 when the upstream names a request parameter other than the model', () => {
    const previous = {error: {message: "Previous response with id 'resp_x' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found'}}
    expect(isRequestNotFound(404, JSON.stringify(previous))).toBe(true)
    expect(isRequestNotFound(404, JSON.stringify({error: {message: 'Conversation not found', type: 'invalid_request_error', param: 'conversation', code: null}}))).toBe(true)
  })

  it('stays the gateway\'s mapping problem for an unknown model, a bare 404 or another status', () => {
    expect(isRequestNotFound(404, JSON.stringify({error: {message: 'The model `x` does not exist', type: 'invalid_request_error', param: null, code: 'model_not_found'}}))).toBe(false)
    expect(isRequestNotFound(404, JSON.stringify({error: {message: 'no such model', type: 'invalid_request_error', param: 'model', code: null}}))).toBe(false)
    expect(isRequestNotFound(404, '404 page not found')).toBe(false)
    expect(isRequestNotFound(404, '')).toBe(false)
    expect(isRequestNotFound(404, JSON.stringify({type: 'error', error: {type: 'not_found_error', message: 'model: claude-x'}}))).toBe(false)
    expect(isRequestNotFound(400, JSON.stringify({error: {message: 'bad', type: 'invalid_request_error', param: 'previous_response_id', code: null}}))).toBe(false)
  })
})

import type {TokenHubError} from '../../src/core/errors.js'

import type {Dialect} from '../../src/providers/plan.js'
import type {StreamErrorCode} from '../../src/providers/stream.js'

const OPENAI_TYPE: Partial<Record<TokenHubError['code'], string>> = {
  AUTH_INVALID: 'authentication_error',
  FORBIDDEN: 'permission_error',
  VALIDATION: 'invalid_request_error',
  NOT_FOUND: 'invalid_request_error',
  PAYLOAD_TOO_LARGE: 'invalid_request_error',
  LENGTH_REQUIRED: 'invalid_request_error',
  URI_TOO_LONG: 'invalid_request_error',
  HEADERS_TOO_LARGE: 'invalid_request_error',
  BUDGET_EXCEEDED: 'insufficient_quota',
  RATE_LIMITED: 'rate_limit_error',
}

const ANTHROPIC_TYPE: Partial<Record<TokenHubError['code'], string>> = {
  AUTH_INVALID: 'authentication_error',
  FORBIDDEN: 'permission_error',
  VALIDATION: 'invalid_request_error',
  NOT_FOUND: 'not_found_error',
  PAYLOAD_TOO_LARGE: 'request_too_large',
  LENGTH_REQUIRED: 'invalid_request_error',
  URI_TOO_LONG: 'invalid_request_error',
  HEADERS_TOO_LARGE: 'invalid_request_error',
  BUDGET_EXCEEDED: 'rate_limit_error',
  RATE_LIMITED: 'rate_limit_error',
  SHUTTING_DOWN: 'overloaded_error',
  GATEWAY_RESOURCES: 'overloaded_error',
}

/**
 * A gateway error in the dialect of the endpoint: OpenAI `{"error":{message,type,param,code}}`,
 * Anthropic `{"type":"error","error":{type,message}}`. `code` always carries TokenHub's stable code.
 */
export function dialectErrorBody(dialect: Dialect, error: TokenHubError, status?: number): unknown {
  // Upstreams that all answered 429 make a 429 of any code: the SDKs back off on rate_limit_error.
  const fallback = status === 429 ? 'rate_limit_error' : status === 529 && dialect === 'anthropic' ? 'overloaded_error' : 'api_error'
  const details: Record<string, unknown> = {...error.details, ...(error.suggestion && {suggestion: error.suggestion})}
  // Details come first: a detail named like an envelope field (a refused tool's `type`) never replaces it.
  if (dialect === 'anthropic') {
    return {type: 'error', error: {...details, type: ANTHROPIC_TYPE[error.code] ?? fallback, message: error.message, code: error.code}}
  }
  const param = typeof details.field === 'string' ? details.field : typeof details.param === 'string' ? details.param : null
  // A budget held by requests in flight frees up in a moment: not insufficient_quota, which clients take as final.
  const type = error.code === 'BUDGET_EXCEEDED' && details.reason === 'in_flight' ? 'rate_limit_error' : (OPENAI_TYPE[error.code] ?? fallback)
  return {error: {...details, message: error.message, type, param, code: error.code}}
}

/** The code and error type a stream's error frame carries for a gateway error: those of its non-stream answer. */
export function streamErrorCode(dialect: Dialect, error: TokenHubError): StreamErrorCode {
  const body = dialectErrorBody(dialect, error, error.status) as {error: {type: string}}
  return {code: error.code, type: body.error.type}
}

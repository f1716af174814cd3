import {isTokenHubError, TokenHubError} from '../../src/core/errors.js'

/** The admin API's error body: {"error":{"code","message","suggestion"?, ...details}}. */
export function adminErrorBody(error: TokenHubError): {error: Record<string, unknown>} {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.suggestion && {suggestion: error.suggestion}),
      ...error.details,
    },
  }
}

/** Anything that is not a TokenHubError is a bug: report it as INTERNAL without its text. */
export function toTokenHubError(error: unknown): TokenHubError {
  if (isTokenHubError(error)) return error
  return new TokenHubError('INTERNAL', 'internal error; see the daemon log for details', {cause: error})
}

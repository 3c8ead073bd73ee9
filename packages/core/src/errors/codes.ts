// The one table that maps every stable TG_* code to its HTTP status and rendered OpenAI type/code.

/** How an error is shown to the client and which RFC 6750 `error=` value it carries, if any. */
export interface ErrorCodeSpec {
  readonly status: number;
  /** OpenAI-style `error.type`. */
  readonly type: string;
  /** OpenAI-style `error.code`. */
  readonly code: string;
  /** Default, client-safe message. */
  readonly message: string;
  /** Short title for RFC 9457 problem+json. */
  readonly title: string;
  /** RFC 6750 `error` parameter for `WWW-Authenticate`, when this code is an auth failure. */
  readonly bearerError?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  /** Whether the client should retry (`x-should-retry`). */
  readonly retryable?: boolean;
}

/** Every error code tollgate can produce. Codes are stable: callers may switch on them. */
export const errorCodes = {
  TG_MISSING_CREDENTIAL: {
    status: 401,
    type: 'authentication_error',
    code: 'missing_credential',
    message: 'No credential was provided. Send an API key as "Authorization: Bearer <key>".',
    title: 'Missing credential',
  },
  TG_INVALID_CREDENTIAL: {
    status: 401,
    type: 'authentication_error',
    code: 'invalid_api_key',
    message: 'The credential is invalid, expired or revoked.',
    title: 'Invalid credential',
    bearerError: 'invalid_token',
  },
  TG_MALFORMED_CREDENTIAL: {
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_authorization_header',
    message: 'The credential header is malformed.',
    title: 'Malformed credential',
    bearerError: 'invalid_request',
  },
  TG_CONFLICTING_CREDENTIALS: {
    status: 400,
    type: 'invalid_request_error',
    code: 'conflicting_credentials',
    message: 'The request carries more than one credential. Send exactly one.',
    title: 'Conflicting credentials',
    bearerError: 'invalid_request',
  },
  TG_AUTH_THROTTLED: {
    status: 429,
    type: 'rate_limit_error',
    code: 'too_many_failed_attempts',
    message: 'Too many failed authentication attempts. Retry later.',
    title: 'Authentication throttled',
    retryable: true,
  },
  TG_VERIFIER_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    code: 'verifier_unavailable',
    message: 'The credential could not be verified right now. Retry later.',
    title: 'Verifier unavailable',
    retryable: true,
  },
  TG_OVERLOADED: {
    status: 503,
    type: 'service_unavailable',
    code: 'overloaded',
    message: 'The server is busy verifying credentials. Retry later.',
    title: 'Overloaded',
    retryable: true,
  },
  TG_BODY_TOO_LARGE: {
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: 'The request body is too large.',
    title: 'Payload too large',
  },
  TG_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    type: 'invalid_request_error',
    code: 'unsupported_media_type',
    message: 'The request body must be application/json.',
    title: 'Unsupported media type',
  },
  TG_INVALID_JSON: {
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_json',
    message: 'The request body is not valid JSON.',
    title: 'Invalid JSON',
  },
  TG_PIPELINE_ORDER: {
    status: 500,
    type: 'server_error',
    code: 'pipeline_misconfigured',
    message: 'The server is misconfigured.',
    title: 'Pipeline misconfigured',
  },
  TG_INTERNAL: {
    status: 500,
    type: 'server_error',
    code: 'internal_error',
    message: 'The server had an error while processing the request.',
    title: 'Internal error',
  },
} as const satisfies Record<string, ErrorCodeSpec>;

/** A stable tollgate error code. */
export type ErrorCode = keyof typeof errorCodes;

/** Looks up the spec of a code. */
export function errorSpec(code: ErrorCode): ErrorCodeSpec {
  return errorCodes[code];
}

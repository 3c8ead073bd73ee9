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
    message: 'No credential was provided. Send one as "Authorization: Bearer <credential>".',
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
  // resolveTenant (issue 4)
  TG_TENANT_REQUIRED: {
    status: 403,
    type: 'permission_error',
    code: 'tenant_required',
    message: 'This credential is not tied to a tenant.',
    title: 'Tenant required',
  },
  TG_TENANT_UNKNOWN: {
    status: 403,
    type: 'permission_error',
    code: 'tenant_not_found',
    message: 'The tenant of this request is not known.',
    title: 'Unknown tenant',
  },
  TG_TENANT_SUSPENDED: {
    status: 403,
    type: 'permission_error',
    code: 'tenant_suspended',
    message: 'The tenant of this request is suspended.',
    title: 'Tenant suspended',
  },
  TG_TENANT_MISMATCH: {
    status: 403,
    type: 'permission_error',
    code: 'tenant_mismatch',
    message: 'The tenant header names a tenant this credential may not act for.',
    title: 'Tenant mismatch',
  },
  TG_INVALID_TENANT_HEADER: {
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_tenant_header',
    message: 'The tenant header is malformed or repeated.',
    title: 'Invalid tenant header',
  },
  TG_TENANT_STORE_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    code: 'tenant_store_unavailable',
    message: 'The tenant could not be looked up right now. Retry later.',
    title: 'Tenant store unavailable',
    retryable: true,
  },
  // authorize (issue 4)
  TG_POLICY_DENIED: {
    status: 403,
    type: 'permission_error',
    code: 'policy_denied',
    message: 'The request is not allowed by policy.',
    title: 'Denied by policy',
  },
  TG_INSUFFICIENT_SCOPE: {
    status: 403,
    type: 'permission_error',
    code: 'insufficient_scope',
    message: 'The credential lacks the scope this request needs.',
    title: 'Insufficient scope',
    bearerError: 'insufficient_scope',
  },
  TG_POLICY_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    code: 'policy_unavailable',
    message: 'The request could not be authorized right now. Retry later.',
    title: 'Policy decision point unavailable',
    retryable: true,
  },
  TG_MODEL_NOT_FOUND: {
    status: 400,
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.',
    title: 'Model not found',
  },
  // inferenceLog (issue 7)
  TG_AUDIT_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    code: 'audit_unavailable',
    message: 'The request cannot be recorded right now, and this tenant requires a record. Retry later.',
    title: 'Audit log unavailable',
    retryable: true,
  },
  // rateLimit (issue 5)
  TG_RATE_LIMITED: {
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached. Retry after the time in Retry-After.',
    title: 'Rate limit reached',
    retryable: true,
  },
  TG_QUOTA_EXHAUSTED: {
    status: 429,
    type: 'insufficient_quota',
    code: 'insufficient_quota',
    message: 'The quota for this request is exhausted until it resets.',
    title: 'Quota exhausted',
    retryable: false,
  },
  TG_REQUEST_OVER_LIMIT: {
    status: 400,
    type: 'invalid_request_error',
    code: 'request_exceeds_limit',
    message: 'This request needs more than a whole limit allows.',
    title: 'Request larger than the limit',
  },
  TG_LIMIT_INVALID_REQUEST: {
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_limit_parameter',
    message: 'A request parameter that limits are charged by is invalid.',
    title: 'Invalid parameter',
  },
  TG_MODEL_UNPRICED: {
    status: 403,
    type: 'permission_error',
    code: 'model_not_priced',
    message: 'This model has no price, so it cannot be used under a spend limit.',
    title: 'Model has no price',
  },
  TG_LIMIT_STORE_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    code: 'rate_limit_unavailable',
    message: 'Limits cannot be checked right now. Retry later.',
    title: 'Rate-limit store unavailable',
    retryable: true,
  },
  // validateRequest (issue 6)
  TG_INVALID_REQUEST: {
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_request_body',
    message: 'The request body does not match the API it was sent to.',
    title: 'Invalid request body',
  },
  TG_UNKNOWN_PARAMETER: {
    status: 400,
    type: 'invalid_request_error',
    code: 'unknown_parameter',
    message: 'The request body has a parameter this endpoint does not accept.',
    title: 'Unknown parameter',
  },
  TG_DUPLICATE_KEY: {
    status: 400,
    type: 'invalid_request_error',
    code: 'duplicate_key',
    message: 'The request body names the same key twice in one object.',
    title: 'Duplicate key',
  },
  TG_BODY_TOO_DEEP: {
    status: 400,
    type: 'invalid_request_error',
    code: 'nesting_too_deep',
    message: 'The request body is nested too deeply.',
    title: 'Body nested too deeply',
  },
  TG_CONTEXT_LENGTH_EXCEEDED: {
    status: 400,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
    message: "The request is longer than the model's context window.",
    title: 'Context length exceeded',
  },
  TG_CAP_EXCEEDED: {
    status: 400,
    type: 'invalid_request_error',
    code: 'cap_exceeded',
    message: 'The request asks for more than this model or plan allows.',
    title: 'Request over a cap',
  },
  TG_UNSUPPORTED_CAPABILITY: {
    status: 400,
    type: 'invalid_request_error',
    code: 'unsupported_capability',
    message: 'The model does not support what the request asks for.',
    title: 'Capability not supported',
  },
  TG_CONTENT_BLOCKED: {
    status: 400,
    type: 'invalid_request_error',
    code: 'content_policy_violation',
    message: 'The request was refused by a content check.',
    title: 'Content refused',
  },
  TG_CONTENT_CHECK_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    code: 'content_check_unavailable',
    message: 'The request content could not be checked right now. Retry later.',
    title: 'Content check unavailable',
    retryable: true,
  },
  TG_OUTPUT_BLOCKED: {
    status: 502,
    type: 'server_error',
    code: 'output_blocked',
    message: 'The model answered, but an output check withheld the answer.',
    title: 'Output withheld',
    retryable: false,
  },
  TG_UNKNOWN_ROUTE: {
    status: 404,
    type: 'invalid_request_error',
    code: 'unknown_url',
    message: 'This path is not an inference endpoint.',
    title: 'Unknown endpoint',
  },
  // key lifecycle and admin API (issue 9)
  TG_NOT_FOUND: {
    status: 404,
    type: 'invalid_request_error',
    code: 'not_found',
    message: 'No such key or tenant.',
    title: 'Not found',
  },
  TG_CONFLICT: {
    status: 409,
    type: 'invalid_request_error',
    code: 'conflict',
    message: 'The change conflicts with the current state (it already exists, or was already rotated).',
    title: 'Conflict',
  },
  TG_PRIVILEGE_ESCALATION: {
    status: 403,
    type: 'permission_error',
    code: 'privilege_escalation',
    message: 'A key cannot be given roles, scopes or models the caller does not have.',
    title: 'Privilege escalation refused',
  },
  TG_METHOD_NOT_ALLOWED: {
    status: 405,
    type: 'invalid_request_error',
    code: 'method_not_allowed',
    message: 'This method is not allowed on this path.',
    title: 'Method not allowed',
  },
  TG_STORE_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    code: 'store_unavailable',
    message: 'The key or tenant store is unavailable right now. Retry later.',
    title: 'Store unavailable',
    retryable: true,
  },
} as const satisfies Record<string, ErrorCodeSpec>;

/** A stable tollgate error code. */
export type ErrorCode = keyof typeof errorCodes;

/** Looks up the spec of a code. */
export function errorSpec(code: ErrorCode): ErrorCodeSpec {
  return errorCodes[code];
}

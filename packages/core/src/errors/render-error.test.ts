// Unit tests of error rendering: OpenAI and problem+json bodies, RFC 6750 challenges, retry headers.
import { describe, expect, it } from 'vitest';
import { errorCodes, type ErrorCode } from './codes.js';
import { assertQuotable, renderError, toTollgateError, wwwAuthenticate, type RenderedResponse } from './render-error.js';
import { TollgateError } from './tollgate-error.js';

/** What each code must render as; written out here so a change to the table is a visible test change. */
const expected: Record<ErrorCode, { status: number; type: string; code: string; bearer: string | null; retry: boolean; noRetry?: true }> = {
  TG_MISSING_CREDENTIAL: { status: 401, type: 'authentication_error', code: 'missing_credential', bearer: null, retry: false },
  TG_INVALID_CREDENTIAL: { status: 401, type: 'authentication_error', code: 'invalid_api_key', bearer: 'invalid_token', retry: false },
  TG_MALFORMED_CREDENTIAL: { status: 400, type: 'invalid_request_error', code: 'invalid_authorization_header', bearer: 'invalid_request', retry: false },
  TG_CONFLICTING_CREDENTIALS: { status: 400, type: 'invalid_request_error', code: 'conflicting_credentials', bearer: 'invalid_request', retry: false },
  TG_AUTH_THROTTLED: { status: 429, type: 'rate_limit_error', code: 'too_many_failed_attempts', bearer: null, retry: true },
  TG_VERIFIER_UNAVAILABLE: { status: 503, type: 'service_unavailable', code: 'verifier_unavailable', bearer: null, retry: true },
  TG_OVERLOADED: { status: 503, type: 'service_unavailable', code: 'overloaded', bearer: null, retry: true },
  TG_BODY_TOO_LARGE: { status: 413, type: 'invalid_request_error', code: 'request_too_large', bearer: null, retry: false },
  TG_UNSUPPORTED_MEDIA_TYPE: { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type', bearer: null, retry: false },
  TG_INVALID_JSON: { status: 400, type: 'invalid_request_error', code: 'invalid_json', bearer: null, retry: false },
  TG_PIPELINE_ORDER: { status: 500, type: 'server_error', code: 'pipeline_misconfigured', bearer: null, retry: false },
  TG_INTERNAL: { status: 500, type: 'server_error', code: 'internal_error', bearer: null, retry: false },
  TG_TENANT_REQUIRED: { status: 403, type: 'permission_error', code: 'tenant_required', bearer: null, retry: false },
  TG_TENANT_UNKNOWN: { status: 403, type: 'permission_error', code: 'tenant_not_found', bearer: null, retry: false },
  TG_TENANT_SUSPENDED: { status: 403, type: 'permission_error', code: 'tenant_suspended', bearer: null, retry: false },
  TG_TENANT_MISMATCH: { status: 403, type: 'permission_error', code: 'tenant_mismatch', bearer: null, retry: false },
  TG_INVALID_TENANT_HEADER: { status: 400, type: 'invalid_request_error', code: 'invalid_tenant_header', bearer: null, retry: false },
  TG_TENANT_STORE_UNAVAILABLE: { status: 503, type: 'service_unavailable', code: 'tenant_store_unavailable', bearer: null, retry: true },
  TG_POLICY_DENIED: { status: 403, type: 'permission_error', code: 'policy_denied', bearer: null, retry: false },
  TG_INSUFFICIENT_SCOPE: { status: 403, type: 'permission_error', code: 'insufficient_scope', bearer: 'insufficient_scope', retry: false },
  TG_POLICY_UNAVAILABLE: { status: 503, type: 'service_unavailable', code: 'policy_unavailable', bearer: null, retry: true },
  TG_MODEL_NOT_FOUND: { status: 400, type: 'invalid_request_error', code: 'model_not_found', bearer: null, retry: false },
  TG_AUDIT_UNAVAILABLE: { status: 503, type: 'service_unavailable', code: 'audit_unavailable', bearer: null, retry: true },
  TG_RATE_LIMITED: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', bearer: null, retry: true },
  TG_QUOTA_EXHAUSTED: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota', bearer: null, retry: false, noRetry: true },
  TG_REQUEST_OVER_LIMIT: { status: 400, type: 'invalid_request_error', code: 'request_exceeds_limit', bearer: null, retry: false },
  TG_LIMIT_INVALID_REQUEST: { status: 400, type: 'invalid_request_error', code: 'invalid_limit_parameter', bearer: null, retry: false },
  TG_MODEL_UNPRICED: { status: 403, type: 'permission_error', code: 'model_not_priced', bearer: null, retry: false },
  TG_LIMIT_STORE_UNAVAILABLE: { status: 503, type: 'service_unavailable', code: 'rate_limit_unavailable', bearer: null, retry: true },
  TG_INVALID_REQUEST: { status: 400, type: 'invalid_request_error', code: 'invalid_request_body', bearer: null, retry: false },
  TG_UNKNOWN_PARAMETER: { status: 400, type: 'invalid_request_error', code: 'unknown_parameter', bearer: null, retry: false },
  TG_DUPLICATE_KEY: { status: 400, type: 'invalid_request_error', code: 'duplicate_key', bearer: null, retry: false },
  TG_BODY_TOO_DEEP: { status: 400, type: 'invalid_request_error', code: 'nesting_too_deep', bearer: null, retry: false },
  TG_CONTEXT_LENGTH_EXCEEDED: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', bearer: null, retry: false },
  TG_CAP_EXCEEDED: { status: 400, type: 'invalid_request_error', code: 'cap_exceeded', bearer: null, retry: false },
  TG_UNSUPPORTED_CAPABILITY: { status: 400, type: 'invalid_request_error', code: 'unsupported_capability', bearer: null, retry: false },
  TG_CONTENT_BLOCKED: { status: 400, type: 'invalid_request_error', code: 'content_policy_violation', bearer: null, retry: false },
  TG_CONTENT_CHECK_UNAVAILABLE: { status: 503, type: 'service_unavailable', code: 'content_check_unavailable', bearer: null, retry: true },
  TG_OUTPUT_BLOCKED: { status: 502, type: 'server_error', code: 'output_blocked', bearer: null, retry: false, noRetry: true },
  TG_UNKNOWN_ROUTE: { status: 404, type: 'invalid_request_error', code: 'unknown_url', bearer: null, retry: false },
  TG_NOT_FOUND: { status: 404, type: 'invalid_request_error', code: 'not_found', bearer: null, retry: false },
  TG_CONFLICT: { status: 409, type: 'invalid_request_error', code: 'conflict', bearer: null, retry: false },
  TG_PRIVILEGE_ESCALATION: { status: 403, type: 'permission_error', code: 'privilege_escalation', bearer: null, retry: false },
  TG_METHOD_NOT_ALLOWED: { status: 405, type: 'invalid_request_error', code: 'method_not_allowed', bearer: null, retry: false },
  TG_STORE_UNAVAILABLE: { status: 503, type: 'service_unavailable', code: 'store_unavailable', bearer: null, retry: true },
};
const codes = Object.keys(errorCodes) as ErrorCode[];
const bodyOf = (response: RenderedResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;
const openAiError = (response: RenderedResponse): Record<string, unknown> => bodyOf(response)['error'] as Record<string, unknown>;

describe('renderError: OpenAI shape', () => {
  it('covers every code in the table', () => {
    expect(Object.keys(expected).sort()).toEqual([...codes].sort());
  });

  it.each(codes)('renders %s with its status, type, code and tg_code', (code) => {
    const want = expected[code];
    const response = renderError(new TollgateError(code));
    expect(response.status).toBe(want.status);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(bodyOf(response)).toEqual({
      error: { message: errorCodes[code].message, type: want.type, code: want.code, param: null, tg_code: code },
    });
    expect(response.headers['x-should-retry']).toBe(want.retry ? 'true' : want.noRetry ? 'false' : undefined);
  });

  it('renders param, a custom message and client-safe detail', () => {
    const error = new TollgateError('TG_INVALID_JSON', { param: 'messages[0].content', message: 'bad field', detail: { rule: 'schema' } });
    expect(openAiError(renderError(error))).toEqual({
      rule: 'schema', message: 'bad field', type: 'invalid_request_error', code: 'invalid_json', param: 'messages[0].content', tg_code: 'TG_INVALID_JSON',
    });
  });

  it('does not let detail overwrite the standard fields', () => {
    const detail = { message: 'spoofed', type: 'x', code: 'y', param: 'z', tg_code: 'TG_NOPE' };
    const body = openAiError(renderError(new TollgateError('TG_INTERNAL', { detail })));
    expect(body).toEqual({ message: errorCodes.TG_INTERNAL.message, type: 'server_error', code: 'internal_error', param: null, tg_code: 'TG_INTERNAL' });
  });

  it('adds the error headers to the response', () => {
    const response = renderError(new TollgateError('TG_AUTH_THROTTLED', { headers: { 'x-ratelimit-limit-requests': '10' } }));
    expect(response.headers['x-ratelimit-limit-requests']).toBe('10');
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

describe('renderError: problem+json', () => {
  it.each(codes)('renders %s as RFC 9457', (code) => {
    const response = renderError(new TollgateError(code), { format: 'problem' });
    expect(response.status).toBe(expected[code].status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(bodyOf(response)).toEqual({
      type: `urn:tollgate:error:${expected[code].code}`,
      title: errorCodes[code].title,
      status: expected[code].status,
      detail: errorCodes[code].message,
      code,
    });
  });

  it('adds param and detail members, without letting detail overwrite the standard ones', () => {
    const error = new TollgateError('TG_INVALID_JSON', { param: 'model', detail: { rule: 'schema', status: 200, type: 'about:blank' } });
    expect(bodyOf(renderError(error, { format: 'problem' }))).toEqual({
      rule: 'schema', type: 'urn:tollgate:error:invalid_json', title: 'Invalid JSON', status: 400,
      detail: errorCodes.TG_INVALID_JSON.message, code: 'TG_INVALID_JSON', param: 'model',
    });
  });
});

describe('WWW-Authenticate (RFC 6750)', () => {
  it.each(codes)('for %s', (code) => {
    const header = renderError(new TollgateError(code), { realm: 'api' }).headers['www-authenticate'];
    const want = expected[code];
    if (want.status !== 401 && want.bearer === null) expect(header).toBeUndefined();
    else if (want.bearer === null) expect(header).toBe('Bearer realm="api"');
    else expect(header).toBe(`Bearer realm="api", error="${want.bearer}"`);
  });

  it('has no error= when the credential is missing, and the default realm', () => {
    expect(renderError(new TollgateError('TG_MISSING_CREDENTIAL')).headers['www-authenticate']).toBe('Bearer realm="tollgate"');
  });

  it('adds a quotable required scope and drops a hostile one', () => {
    const ok = new TollgateError('TG_INVALID_CREDENTIAL', { detail: { required_scope: 'chat:write models:read' } });
    expect(wwwAuthenticate(ok, 'api')).toBe('Bearer realm="api", error="invalid_token", scope="chat:write models:read"');
    for (const scope of ['a", error="insufficient_scope', 'a\\', 'a\r\nSet-Cookie: x=1', 'é']) {
      const hostile = new TollgateError('TG_INVALID_CREDENTIAL', { detail: { required_scope: scope } });
      expect(wwwAuthenticate(hostile, 'api')).toBe('Bearer realm="api", error="invalid_token"');
    }
    expect(wwwAuthenticate(new TollgateError('TG_INVALID_CREDENTIAL', { detail: { required_scope: 42 } }), 'api')).toBe('Bearer realm="api", error="invalid_token"');
  });

  it('is absent for errors that are not about credentials', () => {
    expect(wwwAuthenticate(new TollgateError('TG_OVERLOADED'), 'api')).toBeUndefined();
    expect(wwwAuthenticate(new TollgateError('TG_INVALID_JSON'), 'api')).toBeUndefined();
  });
});

describe('retry headers', () => {
  const retryHeaders = (seconds: number): [string | undefined, string | undefined] => {
    const { headers } = renderError(new TollgateError('TG_AUTH_THROTTLED', { retryAfterSeconds: seconds }));
    return [headers['retry-after'], headers['retry-after-ms']];
  };

  it('rounds Retry-After up to whole seconds and retry-after-ms up to whole milliseconds', () => {
    expect(retryHeaders(30)).toEqual(['30', '30000']);
    expect(retryHeaders(1.2)).toEqual(['2', '1200']);
    expect(retryHeaders(1.1)).toEqual(['2', '1100']);
    expect(retryHeaders(0.3)).toEqual(['1', '300']);
    expect(retryHeaders(0.0011)).toEqual(['1', '2']);
    expect(retryHeaders(0.0001)).toEqual(['1', '1']);
    expect(retryHeaders(59.999)).toEqual(['60', '59999']);
    expect(retryHeaders(0)).toEqual(['0', '0']);
  });

  it('keeps the two headers consistent', () => {
    for (let ms = 0; ms <= 5000; ms += 7) {
      const [seconds, millis] = retryHeaders(ms / 1000);
      expect(millis).toBe(String(ms));
      expect(seconds).toBe(String(Math.ceil(ms / 1000)));
    }
  });

  it('clamps negative values to 0 and omits non-finite ones', () => {
    expect(retryHeaders(-5)).toEqual(['0', '0']);
    expect(retryHeaders(Number.NaN)).toEqual([undefined, undefined]);
    expect(retryHeaders(Number.POSITIVE_INFINITY)).toEqual([undefined, undefined]);
  });

  it('omits both when the error has no retry time', () => {
    expect(retryHeaders(undefined as unknown as number)).toEqual([undefined, undefined]);
  });
});

describe('custom renderer', () => {
  it('receives the error and the request id and returns the whole response', () => {
    const seen: Array<[ErrorCode, string]> = [];
    const response = renderError(new TollgateError('TG_OVERLOADED'), {
      requestId: 'req_1',
      format: (error, info) => {
        seen.push([error.code, info.requestId]);
        return { status: 418, headers: { 'x-custom': '1' }, body: `nope ${error.status}` };
      },
    });
    expect(seen).toEqual([['TG_OVERLOADED', 'req_1']]);
    expect(response).toEqual({ status: 418, headers: { 'x-custom': '1' }, body: 'nope 503' });
  });

  it('gets an empty request id when none was given', () => {
    let id: string | undefined;
    renderError(new TollgateError('TG_INTERNAL'), { format: (_, info) => ((id = info.requestId), { status: 500, headers: {}, body: '' }) });
    expect(id).toBe('');
  });
});

describe('causes never reach the client', () => {
  const secret = 'postgres://admin:hunter2@db.internal/prod';

  it('neither in the OpenAI body nor in problem+json nor in headers', () => {
    const error = new TollgateError('TG_VERIFIER_UNAVAILABLE', { cause: new Error(secret), retryAfterSeconds: 1 });
    for (const format of ['openai', 'problem'] as const) {
      const response = renderError(error, { format });
      expect(response.body).not.toContain('hunter2');
      expect(JSON.stringify(response.headers)).not.toContain('hunter2');
    }
  });

  it('toTollgateError wraps unknown throws as TG_INTERNAL and keeps the cause for logs only', () => {
    const thrown = new Error(secret);
    const wrapped = toTollgateError(thrown);
    expect(wrapped.code).toBe('TG_INTERNAL');
    expect(wrapped.cause).toBe(thrown);
    expect(wrapped.message).not.toContain('hunter2');
    expect(renderError(wrapped).body).not.toContain('hunter2');
    expect(toTollgateError(secret).code).toBe('TG_INTERNAL');
    const original = new TollgateError('TG_OVERLOADED');
    expect(toTollgateError(original)).toBe(original);
  });
});

describe('assertQuotable', () => {
  it('accepts printable ASCII without quote or backslash', () => {
    expect(() => assertQuotable('my api, v1 (prod)', 'errors.realm')).not.toThrow();
    expect(() => assertQuotable('', 'errors.realm')).not.toThrow();
  });

  it.each(['say "hi"', 'back\\slash', 'line\nbreak', 'cr\r', 'tab\t', 'nul\0', 'del\x7f', 'café', '😀'])('refuses %j', (value) => {
    expect(() => assertQuotable(value, 'errors.realm')).toThrow(TypeError);
    expect(() => assertQuotable(value, 'errors.realm')).toThrow(/errors\.realm/);
  });
});

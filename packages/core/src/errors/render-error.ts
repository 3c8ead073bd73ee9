// Turns a TollgateError into status, headers and body: OpenAI's error shape or RFC 9457 problem+json.
import { errorCodes } from './codes.js';
import { TollgateError, isTollgateError } from './tollgate-error.js';

/** A response produced by core that an adapter writes as it is. */
export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The built-in error body formats. */
export type ErrorFormat = 'openai' | 'problem';

/** A custom renderer: receives the error and returns the whole response. */
export type ErrorRenderer = (error: TollgateError, info: { requestId: string }) => RenderedResponse;

/** Options of {@link renderError}. */
export interface RenderErrorOptions {
  /** @default 'openai' */
  format?: ErrorFormat | ErrorRenderer;
  /** Realm in `WWW-Authenticate`. @default 'tollgate' */
  realm?: string;
  /** The request id, passed to custom renderers. */
  requestId?: string;
}

const quotedStringSafe = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

/** Throws unless `value` can stand inside an HTTP quoted-string without escaping. */
export function assertQuotable(value: string, what: string): void {
  if (!quotedStringSafe.test(value)) {
    throw new TypeError(`${what} must be printable ASCII without '"' or '\\'; got ${JSON.stringify(value)}`);
  }
}

/**
 * The `WWW-Authenticate` value for an auth error (RFC 6750 §3), or undefined for other errors.
 *
 * @example
 * wwwAuthenticate(new TollgateError('TG_INVALID_CREDENTIAL'), 'api')
 * // 'Bearer realm="api", error="invalid_token"'
 */
export function wwwAuthenticate(error: TollgateError, realm: string): string | undefined {
  const spec = errorCodes[error.code];
  if (spec.status !== 401 && !('bearerError' in spec)) return undefined;
  let value = `Bearer realm="${realm}"`;
  if ('bearerError' in spec && spec.bearerError !== undefined) value += `, error="${spec.bearerError}"`;
  const scope = error.detail?.['required_scope'];
  if (typeof scope === 'string' && quotedStringSafe.test(scope)) value += `, scope="${scope}"`;
  return value;
}

/**
 * Renders an error for the client. Messages come from the error (client-safe by contract);
 * the cause is never rendered.
 *
 * @example
 * const { status, headers, body } = renderError(new TollgateError('TG_MISSING_CREDENTIAL'));
 */
export function renderError(error: TollgateError, options: RenderErrorOptions = {}): RenderedResponse {
  const format = options.format ?? 'openai';
  if (typeof format === 'function') return format(error, { requestId: options.requestId ?? '' });
  const spec = errorCodes[error.code];
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...error.headers };
  const challenge = wwwAuthenticate(error, options.realm ?? 'tollgate');
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  if (error.retryAfterSeconds !== undefined && Number.isFinite(error.retryAfterSeconds)) {
    // Rounded to the microsecond first, so float noise (2.023 * 1000 = 2023.0000000000002) does not add 1 ms.
    const ms = Math.ceil(Math.round(Math.max(0, error.retryAfterSeconds) * 1e6) / 1e3);
    headers['retry-after'] = String(Math.ceil(ms / 1000));
    headers['retry-after-ms'] = String(ms);
  }
  if ('retryable' in spec) headers['x-should-retry'] = String(spec.retryable);

  if (format === 'problem') {
    headers['content-type'] = 'application/problem+json';
    const problem = {
      ...error.detail,
      type: `urn:tollgate:error:${spec.code}`,
      title: spec.title,
      status: spec.status,
      detail: error.message,
      code: error.code,
      ...(error.param === null ? {} : { param: error.param }),
    };
    return { status: spec.status, headers, body: JSON.stringify(problem) };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  const body = {
    error: {
      ...error.detail,
      message: error.message,
      type: spec.type,
      code: spec.code,
      param: error.param,
      tg_code: error.code,
    },
  };
  return { status: spec.status, headers, body: JSON.stringify(body) };
}

/** Wraps anything thrown into a TollgateError; unknown errors become TG_INTERNAL with the cause kept. */
export function toTollgateError(thrown: unknown): TollgateError {
  if (isTollgateError(thrown)) return thrown;
  return new TollgateError('TG_INTERNAL', { cause: thrown });
}

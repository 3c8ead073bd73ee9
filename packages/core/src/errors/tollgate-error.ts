// The one error class of tollgate: every failure a client can see carries a stable TG_* code.
import { errorCodes, type ErrorCode } from './codes.js';

/** Options of a {@link TollgateError}. */
export interface TollgateErrorOptions {
  /** Client-safe message; defaults to the code's message. Never put secrets here. */
  message?: string;
  /** The request field at fault (rendered as OpenAI `param`). */
  param?: string | null;
  /** Seconds after which the client may retry (`Retry-After`). */
  retryAfterSeconds?: number;
  /** Extra response headers (already validated names and values). */
  headers?: Readonly<Record<string, string>>;
  /** Extra client-safe detail for problem+json and logs (e.g. the rule that denied). */
  detail?: Readonly<Record<string, unknown>>;
  /** The underlying error, kept for logs only, never rendered. */
  cause?: unknown;
}

/**
 * An error with a stable code that maps to one HTTP status and body.
 *
 * @example
 * throw new TollgateError('TG_INVALID_CREDENTIAL');
 */
export class TollgateError extends Error {
  override readonly name = 'TollgateError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, options: TollgateErrorOptions = {}) {
    const spec = errorCodes[code];
    // Only a 500 is a bug worth a stack trace. Every other code is an answer (a refused key, a limit, a
    // store outage), made by the thousand under a flood, where capturing the stack is most of its cost;
    // a cause keeps its own stack.
    const stackTraceLimit = Error.stackTraceLimit;
    if (spec.status !== 500) Error.stackTraceLimit = 0;
    super(options.message ?? spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.status = spec.status;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }
}

/** True for a {@link TollgateError}, also across duplicated copies of this package. */
export function isTollgateError(value: unknown): value is TollgateError {
  return (
    value instanceof TollgateError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'TollgateError' &&
      typeof (value as { code?: unknown }).code === 'string' &&
      (value as { code: string }).code in errorCodes)
  );
}

/** A mistake in the options or config file, thrown at startup, never at request time. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'TG_CONFIG_INVALID';
}

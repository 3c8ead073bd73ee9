// HTTP plumbing of the stub upstream: bounded JSON bodies, JSON answers and OpenAI-shaped errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomHex } from '../request/random-hex.js';

/** Bodies above this many bytes are answered with 413, like the gateway's own default limit. */
export const maxBodyBytes = 1_048_576;

/** A request error the stub answers in OpenAI's `{ error: { message, type, code, param } }` shape. */
export class StubHttpError extends Error {
  override readonly name = 'StubHttpError';

  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** A 400 `invalid_request_error` naming the field at fault. */
export function invalidRequest(message: string, param: string | null, code: string | null = null): StubHttpError {
  return new StubHttpError(400, message, 'invalid_request_error', code, param);
}

/** The 404 OpenAI answers for a model it does not serve. */
export function modelNotFound(model: string): StubHttpError {
  return new StubHttpError(
    404,
    `The model \`${model}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    'model_not_found',
    'model',
  );
}

/**
 * Reads the whole body and parses it as JSON. An oversized body is drained before the 413 is sent,
 * so the client never sees a reset while it is still uploading.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBodyBytes) parts.push(chunk);
  }
  if (size > maxBodyBytes) {
    const message = `The request body exceeds ${maxBodyBytes} bytes.`;
    throw new StubHttpError(413, message, 'invalid_request_error', 'request_too_large');
  }
  try {
    return JSON.parse(Buffer.concat(parts, size).toString('utf8')) as unknown;
  } catch {
    throw invalidRequest(
      'We could not parse the JSON body of your request. The body must be a JSON object.',
      null,
    );
  }
}

/** The parsed body as a plain object, or a 400. */
export function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.', null);
  }
  return body as Record<string, unknown>;
}

/** `body.model`, which must be a non-empty string naming one of the served models (else 400/404). */
export function requireModel(body: Record<string, unknown>, models: ReadonlySet<string>): string {
  const model = body['model'];
  if (typeof model !== 'string' || model === '') {
    throw invalidRequest("Missing required parameter: 'model'.", 'model');
  }
  if (!models.has(model)) throw modelNotFound(model);
  return model;
}

/** An optional integer field within [min, max]; `null` counts as absent, as in OpenAI's API. */
export function optionalInteger(
  body: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidRequest(`Invalid '${field}': expected an integer from ${min} to ${max}.`, field);
  }
  return value;
}

/** An optional boolean field; `null` counts as absent. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`Invalid '${field}': expected a boolean.`, field);
  return value;
}

/** An id in OpenAI's style (`chatcmpl-…`, `req_…`); random, since only the content must be deterministic. */
export function randomId(prefix: string): string {
  return prefix + randomHex(12);
}

/** Sends a complete JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a {@link StubHttpError} in OpenAI's error shape. */
export function sendError(res: ServerResponse, error: StubHttpError): void {
  sendJson(res, error.status, {
    error: { message: error.message, type: error.type, param: error.param, code: error.code },
  });
}

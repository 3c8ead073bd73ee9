// Request ids: the client's own when well-formed, a fresh random one otherwise.
import { randomHex } from './random-hex.js';

const wellFormed = /^[A-Za-z0-9._:-]{1,128}$/;

/** True when a client-sent request id may be echoed back and logged as it is. */
export function isWellFormedRequestId(value: string): boolean {
  return wellFormed.test(value);
}

/** A new request id, `req_` and 32 hex digits (128 random bits). */
export function newRequestId(): string {
  return `req_${randomHex(16)}`;
}

/**
 * The id for a request: the incoming header when present, single and well-formed, else a new one.
 *
 * @example
 * pickRequestId(['abc-123'], true) // 'abc-123'
 */
export function pickRequestId(incoming: readonly string[], acceptIncoming: boolean): string {
  if (acceptIncoming && incoming.length === 1 && isWellFormedRequestId(incoming[0]!)) return incoming[0]!;
  return newRequestId();
}

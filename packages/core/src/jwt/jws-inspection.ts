// Strict checks of a compact JWS before any key lookup: shape, base64url, UTF-8, JSON, and a header we are willing to act on.
import { TollgateError } from '../errors/tollgate-error.js';
import { isJwtShaped } from '../bearer-token/token-form.js';

/** Longest `kid` looked up; a longer one is refused without touching any key set. */
export const maxKidLength = 256;

// Header parameters that point at or embed a key: the key must come from our configuration, never the token.
const keyBearingHeaders = ['jku', 'x5u', 'jwk', 'x5c'] as const;
const printable = /^[\x20-\x7e]+$/;

/** A token whose header decoded cleanly (and whose payload is valid UTF-8). */
export interface InspectedToken {
  readonly header: Readonly<Record<string, unknown>>;
}

const refuse = (): never => {
  throw new TollgateError('TG_INVALID_CREDENTIAL');
};

function decodeUtf8(segment: string): string {
  // A base64url text of length 4n+1 cannot come from any byte string.
  if (segment.length % 4 === 1) return refuse();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url'));
  } catch {
    return refuse();
  }
}

function decodeObject(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(segment));
  } catch (error) {
    if (error instanceof TollgateError) throw error;
    return refuse();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse();
  return value as Record<string, unknown>;
}

/**
 * Decodes and checks a compact JWS: three base64url segments, a non-empty signature, a header that
 * is a JSON object and a payload that is valid UTF-8 (both decoded strictly), an `alg` from
 * `algorithms` (case-sensitive, so `none`/`None` never pass), a `kid`
 * that is a short printable string if present, and no `jku`, `x5u`, `jwk` or `x5c`. Throws
 * TG_INVALID_CREDENTIAL otherwise. Does no I/O and verifies nothing cryptographic.
 *
 * @example
 * inspectJws(token, ['RS256'], 8192).header.kid
 */
export function inspectJws(token: string, algorithms: readonly string[], maxLength: number): InspectedToken {
  if (token.length > maxLength || !isJwtShaped(token)) return refuse();
  const [headerSegment, payloadSegment, signature] = token.split('.') as [string, string, string];
  if (signature === '') return refuse();
  const header = decodeObject(headerSegment);
  const alg = header['alg'];
  if (typeof alg !== 'string' || !algorithms.includes(alg)) return refuse();
  const kid = header['kid'];
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > maxKidLength || !printable.test(kid))) return refuse();
  if (keyBearingHeaders.some((name) => Object.prototype.hasOwnProperty.call(header, name))) return refuse();
  if (header['b64'] !== undefined && header['b64'] !== true) return refuse();
  // jose decodes leniently (invalid bytes become U+FFFD); a token that is not UTF-8 is refused here instead.
  decodeUtf8(payloadSegment);
  return { header };
}

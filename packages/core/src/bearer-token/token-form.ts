// The syntactic forms of bearer credentials, so `accepts()` can route a token without any I/O.

const base64urlSegment = /^[A-Za-z0-9_-]+$/;

/**
 * True for a compact JWS: exactly three base64url segments (the signature may be empty, as in
 * an unsecured token, which the JWT method then refuses). Padding (`=`) is not base64url.
 *
 * @example
 * isJwtShaped('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln') // true
 */
export function isJwtShaped(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  return base64urlSegment.test(header) && base64urlSegment.test(payload) && (signature === '' || base64urlSegment.test(signature));
}

/** True for an API key of this library (`tg_…`). */
export function isApiKeyShaped(token: string): boolean {
  return token.startsWith('tg_');
}

/**
 * True for what an OAuth server issues as an opaque access token: neither a JWT nor an API key.
 *
 * @example
 * isOpaqueToken('2YotnFZFEjr1zCsicMWpAA') // true
 */
export function isOpaqueToken(token: string): boolean {
  return token.length > 0 && !isApiKeyShaped(token) && !isJwtShaped(token);
}

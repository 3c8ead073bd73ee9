// The JWS algorithms the JWT method may be configured with, by family; `none` is not among them and never can be.
import { ConfigError } from '../errors/tollgate-error.js';

/** An HMAC algorithm (a shared secret). */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
/** A public-key algorithm (keys from a JWKS, discovery or static public keys). */
export type PublicKeyAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519';
/** A JWS algorithm the JWT method can verify. */
export type JwtAlgorithm = HmacAlgorithm | PublicKeyAlgorithm;

const hmac: Readonly<Record<HmacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const publicKey: ReadonlySet<string> = new Set<PublicKeyAlgorithm>(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

/** Every algorithm name accepted in `algorithms`. */
export const jwtAlgorithms: readonly JwtAlgorithm[] = [...(Object.keys(hmac) as HmacAlgorithm[]), ...(publicKey as ReadonlySet<PublicKeyAlgorithm>)];

/** True for HS256/HS384/HS512. */
export function isHmacAlgorithm(alg: string): alg is HmacAlgorithm {
  return Object.prototype.hasOwnProperty.call(hmac, alg);
}

/** Shortest secret for an HMAC algorithm, in bytes: the hash size (RFC 7518 §3.2), so never under 32. */
export function minimumSecretBytes(alg: HmacAlgorithm): number {
  return hmac[alg];
}

/**
 * Checks the configured list: non-empty, known names only (case-sensitive), no `none`, one family.
 *
 * @example
 * checkAlgorithms(['RS256', 'ES256'], 'jwt.algorithms') // ['RS256', 'ES256']
 */
export function checkAlgorithms(value: unknown, name: string): readonly JwtAlgorithm[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(`${name} is required: list the JWS algorithms your provider signs with, e.g. ["RS256"]`);
  }
  for (const alg of value as unknown[]) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') throw new ConfigError(`${name}: "${alg}" (unsigned tokens) can never be allowed`);
    if (typeof alg !== 'string' || !(isHmacAlgorithm(alg) || publicKey.has(alg))) {
      throw new ConfigError(`${name}: unknown algorithm ${JSON.stringify(alg)}; expected some of ${jwtAlgorithms.join(', ')}`);
    }
  }
  const algorithms = [...new Set(value as JwtAlgorithm[])];
  const hmacCount = algorithms.filter(isHmacAlgorithm).length;
  if (hmacCount !== 0 && hmacCount !== algorithms.length) {
    // Mixing lets a token pick the family, the root of the RS256-to-HS256 key confusion attack.
    throw new ConfigError(`${name} mixes HMAC (HS*) and public-key algorithms; use one family per jwt() method`);
  }
  return Object.freeze(algorithms);
}

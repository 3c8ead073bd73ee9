// Claim checks jose leaves to the caller: sane numeric times, iat not in the future, and no ID token posing as an access token.
import { TollgateError } from '../errors/tollgate-error.js';

/** The time bounds a verified token is checked against, in seconds. */
export interface ClaimTimeRules {
  readonly nowSeconds: number;
  readonly toleranceSeconds: number;
  readonly maxExpiresInSeconds: number;
}

// Claims only an OpenID Connect ID token carries (OIDC Core §2, §3.1.3.6, §3.3.2.11, FAPI s_hash).
const idTokenClaims = ['nonce', 'at_hash', 'c_hash', 's_hash'] as const;

const refuse = (): never => {
  throw new TollgateError('TG_INVALID_CREDENTIAL');
};

/**
 * Refuses, after the signature and jose's own claim checks passed: an `exp` that is not a finite
 * number or lies further ahead than `maxExpiresInSeconds` (1e400 parses as Infinity), an `iat`
 * that is not a finite number or lies in the future, and tokens carrying ID-token-only claims.
 *
 * @example
 * checkJwtClaims(payload, { nowSeconds: Date.now() / 1000, toleranceSeconds: 5, maxExpiresInSeconds: 2_592_000 });
 */
export function checkJwtClaims(payload: Readonly<Record<string, unknown>>, rules: ClaimTimeRules): void {
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp > rules.nowSeconds + rules.maxExpiresInSeconds) refuse();
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat) || iat > rules.nowSeconds + rules.toleranceSeconds)) refuse();
  if (idTokenClaims.some((claim) => payload[claim] !== undefined)) refuse();
}

// Options of the jwt() method, with their documented defaults.
import type { JWK } from 'jose';
import type { ClaimMapping } from '../bearer-token/claim-mapping.js';
import type { JwtAlgorithm } from './jwt-algorithms.js';

/** How a remote JWKS (from `jwksUri` or discovery) is fetched and kept. */
export interface JwksOptions {
  /** Keys older than this are refetched before use; also the longest a key removed at the provider keeps working. @default 600000 (10 min) */
  readonly maxAgeMs?: number;
  /** Fewest milliseconds between two fetches, however many unknown `kid`s arrive. @default 30000 */
  readonly cooldownMs?: number;
  /** While the provider cannot be reached, the last good keys are used this long after they were fetched; then 503. @default 3600000 (1 h) */
  readonly maxStalenessMs?: number;
  /** One fetch (discovery or JWKS), connect to last byte. @default 3000 */
  readonly timeoutMs?: number;
  /** Largest discovery or JWKS document read. @default 524288 */
  readonly maxBytes?: number;
}

/** Options of {@link jwt}. Give exactly one key source: `jwksUri`, `discovery`, `publicKeys` or `secret`. */
export interface JwtOptions {
  /** The `iss` every token must carry, exactly (e.g. `https://tenant.auth0.com/`, with its trailing slash if the provider uses one). */
  readonly issuer: string;
  /** The `aud` value(s) this API accepts; a token must name at least one. */
  readonly audience: string | readonly string[];
  /** JWS algorithms accepted (required; `none` is never allowed; HMAC and public-key algorithms cannot be mixed). */
  readonly algorithms: readonly JwtAlgorithm[];
  /** URL of the provider's JWKS. */
  readonly jwksUri?: string;
  /** Read `jwks_uri` from `<issuer>/.well-known/openid-configuration`. @default false */
  readonly discovery?: boolean;
  /** Static verification keys: PEM public keys or certificates, or public JWKs. */
  readonly publicKeys?: readonly (string | JWK)[];
  /** Shared secret for HS256/384/512: at least as many bytes as the hash (32/48/64). A string is taken as UTF-8. */
  readonly secret?: string | Uint8Array;
  /** Required `typ` header, e.g. `at+jwt` (RFC 9068 access tokens); matched as jose does (case-insensitive, `application/` optional). @default not checked */
  readonly typ?: string;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds, 0-60. @default 5 */
  readonly clockToleranceSeconds?: number;
  /** Refuse tokens issued (`iat`) longer ago than this; makes `iat` required. @default no limit */
  readonly maxTokenAgeSeconds?: number;
  /** Refuse tokens whose `exp` is further ahead than this (a malformed or runaway expiry). @default 2592000 (30 days) */
  readonly maxExpiresInSeconds?: number;
  /** Claims that must be present besides `exp` (always required). @default [] */
  readonly requiredClaims?: readonly string[];
  /** How claims map to the principal. @default { subject: 'sub', scopes: 'scope' or 'scp', kind: 'auto' } */
  readonly claims?: ClaimMapping;
  /** Remote key handling (with `jwksUri` or `discovery`). */
  readonly jwks?: JwksOptions;
  /** Verified-token cache; entries never outlive the token's `exp`. `false` verifies every request. */
  readonly cache?:
    | {
        /** How long a verification is reused. @default 60000 */
        readonly ttlMs?: number;
        /** Most tokens kept; the oldest go first. @default 10000 */
        readonly maxEntries?: number;
      }
    | false;
  /** Longest token looked at, in characters. @default 8192 */
  readonly maxTokenLength?: number;
  /** Told every failed discovery or JWKS fetch, including those the last good keys cover (for logs and alerts). */
  readonly onProviderError?: (error: Error) => void;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

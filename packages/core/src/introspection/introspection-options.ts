// Options of the introspection() method, with their documented defaults.
import type { ClaimMapping } from '../bearer-token/claim-mapping.js';

/** Options of {@link introspection}. Give `endpoint`, or `issuer` with `discovery: true`. */
export interface IntrospectionOptions {
  /** The RFC 7662 introspection endpoint. */
  readonly endpoint?: string;
  /** Read `introspection_endpoint` from `<issuer>/.well-known/openid-configuration`. @default false */
  readonly discovery?: boolean;
  /** The provider's issuer: the discovery base, and, when an answer carries `iss`, the value it must have. */
  readonly issuer?: string;
  /** The client tollgate authenticates to the endpoint as (a resource-server client). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** How the client authenticates (RFC 6749 §2.3.1). @default 'client_secret_basic' */
  readonly clientAuth?: 'client_secret_basic' | 'client_secret_post';
  /** When set, an answer's `aud` must name one of these. @default not checked */
  readonly audience?: string | readonly string[];
  /**
   * Which bearer tokens this method takes: `opaque` (neither a JWT nor a `tg_` key) or `any`
   * (JWT-shaped too, for providers whose JWT access tokens must be checked for revocation).
   * @default 'opaque'
   */
  readonly tokenForm?: 'opaque' | 'any';
  /** How the answer's claims map to the principal. @default { subject: 'sub' (else client_id), scopes: 'scope', kind: 'auto' } */
  readonly claims?: ClaimMapping;
  /** Leeway for `exp` and `nbf` in answers, in seconds, 0-60. @default 5 */
  readonly clockToleranceSeconds?: number;
  /** Answers are cached per token, never past the token's `exp`. `false` asks the provider on every request. */
  readonly cache?:
    | {
        /** How long an active answer is reused. @default 60000 */
        readonly ttlMs?: number;
        /** How long an inactive answer is remembered, so a replayed bad token does not reach the provider each time. @default 10000 */
        readonly inactiveTtlMs?: number;
        /** Most tokens kept (active and inactive each); the oldest go first. @default 10000 */
        readonly maxEntries?: number;
      }
    | false;
  /** While the endpoint cannot be reached, an active answer is used this long after it was fetched (never past `exp`); then 503. @default 300000 (5 min) */
  readonly maxStalenessMs?: number;
  /** After a failed call, the endpoint is not called again for this long; meanwhile requests get stale answers or 503 with Retry-After. @default 5000 */
  readonly cooldownMs?: number;
  /** One call, connect to last byte. @default 3000 */
  readonly timeoutMs?: number;
  /** Largest answer read. @default 65536 */
  readonly maxBytes?: number;
  /** Calls in flight at once; more wait. @default 16 */
  readonly maxConcurrent?: number;
  /** Calls waiting for a slot; past this, 503 with Retry-After. @default 256 */
  readonly maxQueue?: number;
  /** Told every failed call (network, timeout, HTTP error, garbage), for logs and alerts. */
  readonly onProviderError?: (error: Error) => void;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

// The JWT method: strict header checks, keys from a secret, static keys, a JWKS or discovery, jose's
// verification, extra claim checks, and a cache of verified tokens bounded by their expiry.
import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthMethod, Credential, Verified } from '../authenticate/auth-method.js';
import { principalFromClaims, resolveClaimMapping } from '../bearer-token/claim-mapping.js';
import { isJwtShaped } from '../bearer-token/token-form.js';
import { VerifiedTokenCache } from '../bearer-token/verified-token-cache.js';
import { ConfigError, TollgateError, isTollgateError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { checkAlgorithms } from './jwt-algorithms.js';
import { checkJwtClaims } from './jwt-claims.js';
import { jwtKeySource } from './jwt-keys.js';
import type { JwtOptions } from './jwt-options.js';
import type { JwksCache } from './jwks-cache.js';
import { inspectJws } from './jws-inspection.js';

/** The JWT method, with its cache and remote key set exposed for operations (metrics, warm-up). */
export interface JwtMethod extends AuthMethod {
  readonly name: 'jwt';
  readonly cache: VerifiedTokenCache | undefined;
  /** The remote key set (with `jwksUri` or `discovery`), else undefined. */
  readonly jwks: JwksCache | undefined;
  /** Fetches discovery and keys now, so a broken provider shows at startup; rejects with the 503 a request would get. */
  warm(): Promise<void>;
}

function stringList(value: unknown, name: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) throw new ConfigError(`${name} must be a non-empty string or list of strings`);
  return Object.freeze([...(list as string[])]);
}

/**
 * Authenticates signed JWTs (`Authorization: Bearer <jwt>`) from an OpenID provider or a shared secret.
 *
 * @example
 * const auth0 = jwt({ issuer: 'https://example.eu.auth0.com/', audience: 'https://api.example.com', algorithms: ['RS256'], discovery: true });
 * const tg = gate({ authenticate: { methods: [apiKey({ store }), auth0] } });
 */
export function jwt(options: JwtOptions): JwtMethod {
  if (options === null || typeof options !== 'object') throw new ConfigError('jwt: options must be an object');
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new ConfigError('jwt.issuer is required: the exact "iss" of your provider');
  const audience = stringList(options.audience, 'jwt.audience');
  const algorithms = checkAlgorithms(options.algorithms, 'jwt.algorithms');
  const now = options.now ?? Date.now;
  const toleranceSeconds = wholeNumber(options.clockToleranceSeconds, 'jwt.clockToleranceSeconds', 5, 0, 60);
  const maxTokenAgeSeconds = options.maxTokenAgeSeconds === undefined ? undefined : wholeNumber(options.maxTokenAgeSeconds, 'jwt.maxTokenAgeSeconds', 0, 1, 31_536_000);
  const maxExpiresInSeconds = wholeNumber(options.maxExpiresInSeconds, 'jwt.maxExpiresInSeconds', 2_592_000, 60, 315_360_000);
  const maxTokenLength = wholeNumber(options.maxTokenLength, 'jwt.maxTokenLength', 8_192, 64, 65_536);
  const requiredClaims = options.requiredClaims === undefined ? [] : stringList(options.requiredClaims, 'jwt.requiredClaims');
  if (options.typ !== undefined && (typeof options.typ !== 'string' || options.typ === '')) throw new ConfigError('jwt.typ must be a non-empty string such as "at+jwt"');
  const mapping = resolveClaimMapping(options.claims, 'jwt.claims');
  const cache =
    options.cache === false
      ? undefined
      : new VerifiedTokenCache({ maxEntries: wholeNumber(options.cache?.maxEntries, 'jwt.cache.maxEntries', 10_000, 1, 10_000_000), now });
  const ttlMs = options.cache === false ? 0 : wholeNumber(options.cache?.ttlMs, 'jwt.cache.ttlMs', 60_000, 1, 3_600_000);
  const keys = jwtKeySource(options, algorithms, now, (kids) => cache?.dropTags(kids));
  const verifyOptions = {
    algorithms: [...algorithms],
    issuer: options.issuer,
    audience: [...audience],
    clockTolerance: toleranceSeconds,
    requiredClaims: ['exp', ...requiredClaims],
    ...(options.typ === undefined ? {} : { typ: options.typ }),
    ...(maxTokenAgeSeconds === undefined ? {} : { maxTokenAge: maxTokenAgeSeconds }),
  };

  async function verifyFresh(token: string, kid: string | undefined): Promise<Verified> {
    const key: Uint8Array | JWTVerifyGetKey = await keys.keyFor(kid);
    const nowMs = now();
    let payload: Record<string, unknown>;
    try {
      const checks = { ...verifyOptions, currentDate: new Date(nowMs) };
      ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, checks) : await jwtVerify(token, key, checks));
    } catch (cause) {
      if (isTollgateError(cause)) throw cause;
      if (cause instanceof joseErrors.JOSEError) throw new TollgateError('TG_INVALID_CREDENTIAL', { cause });
      throw new TollgateError('TG_INTERNAL', { cause });
    }
    checkJwtClaims(payload, { nowSeconds: nowMs / 1000, toleranceSeconds, maxExpiresInSeconds });
    const principal = principalFromClaims(payload, mapping, 'jwt');
    if (cache !== undefined) {
      const ends = [nowMs + ttlMs, (payload['exp'] as number) * 1000];
      if (maxTokenAgeSeconds !== undefined) ends.push(((payload['iat'] as number) + maxTokenAgeSeconds) * 1000);
      // So a key removed at the provider stops working within jwks.maxAgeMs, cached verifications included.
      if (keys.jwks?.freshUntil !== undefined) ends.push(keys.jwks.freshUntil);
      cache.set(cache.fingerprint(token), principal, { freshUntil: Math.min(...ends), ...(kid === undefined || keys.jwks === undefined ? {} : { tag: kid }) });
    }
    return { principal, cached: false };
  }

  return {
    name: 'jwt',
    headers: [],
    cache,
    jwks: keys.jwks,
    accepts(credential: Credential) {
      return credential.header === 'authorization' && isJwtShaped(credential.value);
    },
    async verify(credential: Credential): Promise<Verified> {
      const token = credential.value;
      const hit = cache?.get(cache.fingerprint(token));
      if (hit?.fresh === true) return { principal: hit.principal, cached: true };
      const { header } = inspectJws(token, algorithms, maxTokenLength);
      return verifyFresh(token, header['kid'] as string | undefined);
    },
    async warm() {
      if (keys.jwks === undefined) return;
      await keys.jwks.refresh();
      await keys.keyFor(undefined);
    },
  };
}

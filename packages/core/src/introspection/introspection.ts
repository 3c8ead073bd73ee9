// The introspection method: opaque OAuth access tokens checked at the provider's RFC 7662 endpoint,
// with answers cached within the token's lifetime and the last good answer kept through an outage.
import { ConcurrencyLimiter } from '../api-key/concurrency-limiter.js';
import type { AuthMethod, Credential, Verified } from '../authenticate/auth-method.js';
import { principalFromClaims, resolveClaimMapping } from '../bearer-token/claim-mapping.js';
import { oidcDiscovery } from '../bearer-token/oidc-discovery.js';
import { providerUrl, RemoteEndpointError } from '../bearer-token/remote-endpoint.js';
import { isApiKeyShaped, isOpaqueToken } from '../bearer-token/token-form.js';
import { VerifiedTokenCache } from '../bearer-token/verified-token-cache.js';
import type { Principal } from '../context/principal.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { introspectToken, judgeAnswer, type IntrospectionClient } from './introspect-token.js';
import type { IntrospectionOptions } from './introspection-options.js';

/** The introspection method, with its cache exposed for operations. */
export interface IntrospectionMethod extends AuthMethod {
  readonly name: 'oauth_introspection';
  readonly cache: VerifiedTokenCache | undefined;
  /** Calls made to the endpoint so far (for metrics and tests). */
  readonly calls: number;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${name} is required`);
  return value;
}

function endpointOf(options: IntrospectionOptions, limits: { timeoutMs: number; maxBytes: number }): () => Promise<URL> {
  if ((options.endpoint === undefined) === (options.discovery !== true)) {
    throw new ConfigError('introspection: give exactly one of endpoint and discovery: true (with issuer)');
  }
  if (options.endpoint !== undefined) {
    const url = providerUrl(options.endpoint, 'introspection.endpoint');
    return async () => url;
  }
  providerUrl(nonEmpty(options.issuer, 'introspection.issuer (with discovery)'), 'introspection.issuer');
  const metadata = oidcDiscovery(options.issuer!, { timeoutMs: limits.timeoutMs, maxBytes: 524_288 });
  return async () => {
    const { introspectionEndpoint } = await metadata();
    if (introspectionEndpoint === undefined) throw new RemoteEndpointError('discovery document has no introspection_endpoint');
    return introspectionEndpoint;
  };
}

/**
 * Authenticates opaque OAuth access tokens by asking the provider (RFC 7662).
 *
 * @example
 * const okta = introspection({ endpoint: 'https://example.okta.com/oauth2/default/v1/introspect', clientId: 'tollgate', clientSecret: process.env.INTROSPECTION_SECRET! });
 * const tg = gate({ authenticate: { methods: [okta] } });
 */
export function introspection(options: IntrospectionOptions): IntrospectionMethod {
  if (options === null || typeof options !== 'object') throw new ConfigError('introspection: options must be an object');
  const clientAuth = options.clientAuth ?? 'client_secret_basic';
  if (clientAuth !== 'client_secret_basic' && clientAuth !== 'client_secret_post') throw new ConfigError('introspection.clientAuth must be "client_secret_basic" or "client_secret_post"');
  const client: IntrospectionClient = { clientId: nonEmpty(options.clientId, 'introspection.clientId'), clientSecret: nonEmpty(options.clientSecret, 'introspection.clientSecret'), clientAuth };
  const limits = {
    timeoutMs: wholeNumber(options.timeoutMs, 'introspection.timeoutMs', 3_000, 1, 60_000),
    maxBytes: wholeNumber(options.maxBytes, 'introspection.maxBytes', 65_536, 1_024, 4_194_304),
  };
  const endpoint = endpointOf(options, limits);
  const tokenForm = options.tokenForm ?? 'opaque';
  if (tokenForm !== 'opaque' && tokenForm !== 'any') throw new ConfigError('introspection.tokenForm must be "opaque" or "any"');
  const audience = options.audience === undefined ? undefined : typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  if (audience !== undefined && (audience.length === 0 || audience.some((a) => typeof a !== 'string' || a === ''))) throw new ConfigError('introspection.audience must be a non-empty string or list of strings');
  const mapping = resolveClaimMapping(options.claims, 'introspection.claims');
  const now = options.now ?? Date.now;
  const toleranceSeconds = wholeNumber(options.clockToleranceSeconds, 'introspection.clockToleranceSeconds', 5, 0, 60);
  const maxEntries = options.cache === false ? 1 : wholeNumber(options.cache?.maxEntries, 'introspection.cache.maxEntries', 10_000, 1, 10_000_000);
  const ttlMs = options.cache === false ? 0 : wholeNumber(options.cache?.ttlMs, 'introspection.cache.ttlMs', 60_000, 1, 3_600_000);
  const inactiveTtlMs = options.cache === false ? 0 : wholeNumber(options.cache?.inactiveTtlMs, 'introspection.cache.inactiveTtlMs', 10_000, 0, 3_600_000);
  const maxStalenessMs = wholeNumber(options.maxStalenessMs, 'introspection.maxStalenessMs', 300_000, 0, 86_400_000);
  const cooldownMs = wholeNumber(options.cooldownMs, 'introspection.cooldownMs', 5_000, 0, 300_000);
  const slots = new ConcurrencyLimiter(
    wholeNumber(options.maxConcurrent, 'introspection.maxConcurrent', 16, 1, 1_024),
    wholeNumber(options.maxQueue, 'introspection.maxQueue', 256, 0, 100_000),
  );
  // Kept even with cache: false, for the fingerprints that key in-flight calls.
  const cache = new VerifiedTokenCache({ maxEntries, now });
  const inactive = new VerifiedTokenCache({ maxEntries, now });
  const inFlight = new Map<string, Promise<Principal>>();
  const inactivePrincipal = Object.freeze({ subject: '-', kind: 'user', method: 'oauth_introspection', roles: [], scopes: [], claims: {} }) satisfies Principal;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  let calls = 0;

  const unavailable = (cause: unknown): TollgateError => {
    const waitMs = Math.max(1_000, cooldownMs - (now() - lastFailureAt));
    return new TollgateError('TG_VERIFIER_UNAVAILABLE', { retryAfterSeconds: Math.ceil(waitMs / 1_000), cause });
  };

  async function ask(token: string, fingerprint: string): Promise<Principal> {
    let answer: Record<string, unknown>;
    try {
      answer = await slots.run(async () => {
        calls++;
        return introspectToken(await endpoint(), token, client, limits);
      });
    } catch (cause) {
      if (cause instanceof TollgateError) throw cause;
      lastFailureAt = now();
      const error = cause instanceof Error ? cause : new Error(String(cause));
      try {
        options.onProviderError?.(error);
      } catch {
        // A failing log hook must not turn an outage into a crash.
      }
      throw unavailable(error);
    }
    const fetchedAt = now();
    const judged = judgeAnswer(answer, { issuer: options.issuer, audience, nowSeconds: fetchedAt / 1000, toleranceSeconds });
    if (!judged.active) {
      cache.delete(fingerprint);
      if (inactiveTtlMs > 0) inactive.set(fingerprint, inactivePrincipal, { freshUntil: fetchedAt + inactiveTtlMs });
      throw new TollgateError('TG_INVALID_CREDENTIAL');
    }
    const principal = principalFromClaims(judged.claims, mapping, 'oauth_introspection');
    const exp = typeof judged.claims['exp'] === 'number' ? judged.claims['exp'] * 1000 : Number.POSITIVE_INFINITY;
    if (ttlMs > 0) cache.set(fingerprint, principal, { freshUntil: Math.min(fetchedAt + ttlMs, exp), usableUntil: Math.min(fetchedAt + Math.max(ttlMs, maxStalenessMs), exp) });
    return principal;
  }

  return {
    name: 'oauth_introspection',
    headers: [],
    cache: options.cache === false ? undefined : cache,
    get calls() {
      return calls;
    },
    accepts(credential: Credential) {
      if (credential.header !== 'authorization') return false;
      return tokenForm === 'any' ? !isApiKeyShaped(credential.value) : isOpaqueToken(credential.value);
    },
    async verify(credential: Credential): Promise<Verified> {
      const token = credential.value;
      const fingerprint = cache.fingerprint(token);
      const hit = cache.get(fingerprint);
      if (hit?.fresh === true) return { principal: hit.principal, cached: true };
      if (inactive.get(fingerprint) !== undefined) throw new TollgateError('TG_INVALID_CREDENTIAL');
      if (now() - lastFailureAt < cooldownMs) {
        if (hit !== undefined) return { principal: hit.principal, cached: true };
        throw unavailable(undefined);
      }
      let flight = inFlight.get(fingerprint);
      if (flight === undefined) {
        flight = ask(token, fingerprint).finally(() => inFlight.delete(fingerprint));
        inFlight.set(fingerprint, flight);
      }
      try {
        return { principal: await flight, cached: false };
      } catch (error) {
        // The provider is down: an answer it gave earlier still stands, within its staleness limit.
        if (hit !== undefined && error instanceof TollgateError && error.code === 'TG_VERIFIER_UNAVAILABLE') return { principal: hit.principal, cached: true };
        throw error;
      }
    },
  };
}

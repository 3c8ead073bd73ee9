// Where the JWT method's verification keys come from: a shared secret, static public keys, a JWKS URL or discovery.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { oidcDiscovery } from '../bearer-token/oidc-discovery.js';
import { providerUrl, RemoteEndpointError } from '../bearer-token/remote-endpoint.js';
import { isHmacAlgorithm, minimumSecretBytes, type JwtAlgorithm } from './jwt-algorithms.js';
import type { JwtOptions } from './jwt-options.js';
import { JwksCache } from './jwks-cache.js';

/** What the token's key is looked up with: its header. */
export interface JwtKeySource {
  /** The key (a secret) or key resolver (a key set) for a token with this `kid`; 503 when keys cannot be had. */
  keyFor(kid: string | undefined): Promise<Uint8Array | JWTVerifyGetKey>;
  /** The remote key set, when keys come from a JWKS URL or discovery. */
  readonly jwks: JwksCache | undefined;
}

// Which JWK key types (and EC curves) each algorithm verifies with.
function fitsAlgorithm(jwk: JWK, alg: JwtAlgorithm): boolean {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
  if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (alg === 'ES384') return jwk.kty === 'EC' && jwk.crv === 'P-384';
  if (alg === 'ES512') return jwk.kty === 'EC' && jwk.crv === 'P-521';
  return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
}

function staticKey(entry: string | JWK, index: number, algorithms: readonly JwtAlgorithm[]): JWK {
  const name = `jwt.publicKeys[${index}]`;
  if (typeof entry === 'object' && entry !== null && ('d' in entry || entry.kty === 'oct')) {
    throw new ConfigError(`${name} is a private or symmetric key; give the public key only (or use secret for HMAC)`);
  }
  let jwk: JWK;
  try {
    const key = typeof entry === 'string' ? createPublicKey(entry) : createPublicKey({ key: entry as JsonWebKey, format: 'jwk' });
    jwk = key.export({ format: 'jwk' }) as JWK;
  } catch (error) {
    throw new ConfigError(`${name} is not a public key (PEM, certificate or JWK): ${(error as Error).message}`);
  }
  if (typeof entry === 'object') {
    for (const field of ['kid', 'alg', 'use'] as const) if (typeof entry[field] === 'string') jwk[field] = entry[field];
  }
  if (!algorithms.some((alg) => fitsAlgorithm(jwk, alg))) {
    throw new ConfigError(`${name} (${jwk.kty}${jwk.crv === undefined ? '' : ` ${jwk.crv}`}) cannot verify any of ${algorithms.join(', ')}`);
  }
  return jwk;
}

function secretBytes(secret: unknown, algorithms: readonly JwtAlgorithm[]): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret instanceof Uint8Array ? Uint8Array.from(secret) : undefined;
  if (bytes === undefined) throw new ConfigError('jwt.secret must be a string or a Uint8Array');
  const needed = Math.max(...algorithms.map((alg) => (isHmacAlgorithm(alg) ? minimumSecretBytes(alg) : 0)));
  if (bytes.byteLength < needed) {
    throw new ConfigError(`jwt.secret is ${bytes.byteLength} bytes; ${algorithms.join('/')} needs at least ${needed} random bytes`);
  }
  return bytes;
}

/**
 * Checks the key options at startup and builds the key source. Exactly one of `jwksUri`,
 * `discovery`, `publicKeys` and `secret`; a secret only with HMAC algorithms, the others only with
 * public-key algorithms.
 *
 * @example
 * const keys = jwtKeySource({ issuer, audience, algorithms: ['RS256'], discovery: true }, ['RS256'], Date.now, (kids) => cache.dropTags(kids));
 */
export function jwtKeySource(options: JwtOptions, algorithms: readonly JwtAlgorithm[], now: () => number, onKeysRemoved?: (kids: ReadonlySet<string>) => void): JwtKeySource {
  const given = (['jwksUri', 'discovery', 'publicKeys', 'secret'] as const).filter((k) => options[k] !== undefined && options[k] !== false);
  if (given.length !== 1) {
    throw new ConfigError(`jwt: give exactly one key source (jwksUri, discovery: true, publicKeys or secret); got ${given.length === 0 ? 'none' : given.join(', ')}`);
  }
  const hmac = algorithms.every(isHmacAlgorithm);
  if (hmac !== (given[0] === 'secret')) {
    throw new ConfigError(hmac ? `jwt: ${algorithms.join(', ')} verify with a shared secret; give secret, not ${given[0]}` : `jwt.secret works only with HS256/HS384/HS512; ${algorithms.join(', ')} need public keys`);
  }
  if (options.secret !== undefined) {
    const secret = secretBytes(options.secret, algorithms);
    return { jwks: undefined, keyFor: async () => secret };
  }
  if (options.publicKeys !== undefined) {
    if (!Array.isArray(options.publicKeys) || options.publicKeys.length === 0) throw new ConfigError('jwt.publicKeys must list at least one key');
    const keys = options.publicKeys.map((entry, index) => staticKey(entry, index, algorithms));
    const set = createLocalJWKSet({ keys } as JSONWebKeySet);
    const kids = new Set(keys.map((k) => k.kid).filter((kid) => kid !== undefined));
    // A PEM key has no kid: a token's kid then selects nothing, so it is only passed on when some key has it.
    const resolve: JWTVerifyGetKey = (header, token) => set({ ...header, kid: header.kid !== undefined && kids.has(header.kid) ? header.kid : undefined } as typeof header, token);
    return { jwks: undefined, keyFor: async () => resolve };
  }
  const limits = {
    timeoutMs: wholeNumber(options.jwks?.timeoutMs, 'jwt.jwks.timeoutMs', 3_000, 1, 60_000),
    maxBytes: wholeNumber(options.jwks?.maxBytes, 'jwt.jwks.maxBytes', 524_288, 1_024, 16_777_216),
  };
  let uri: () => Promise<URL>;
  if (options.jwksUri !== undefined) {
    const url = providerUrl(options.jwksUri, 'jwt.jwksUri');
    uri = async () => url;
  } else {
    providerUrl(options.issuer, 'jwt.issuer (with discovery)');
    const metadata = oidcDiscovery(options.issuer, limits);
    uri = async () => {
      const { jwksUri } = await metadata();
      if (jwksUri === undefined) throw new RemoteEndpointError('discovery document has no jwks_uri');
      return jwksUri;
    };
  }
  const maxAgeMs = wholeNumber(options.jwks?.maxAgeMs, 'jwt.jwks.maxAgeMs', 600_000, 1_000, 86_400_000);
  const jwks = new JwksCache({
    uri,
    limits,
    maxAgeMs,
    cooldownMs: wholeNumber(options.jwks?.cooldownMs, 'jwt.jwks.cooldownMs', 30_000, 0, 3_600_000),
    maxStalenessMs: wholeNumber(options.jwks?.maxStalenessMs, 'jwt.jwks.maxStalenessMs', Math.max(3_600_000, maxAgeMs), maxAgeMs, 604_800_000),
    now,
    ...(onKeysRemoved === undefined ? {} : { onKeysRemoved }),
    ...(options.onProviderError === undefined ? {} : { onError: options.onProviderError }),
  });
  return { jwks, keyFor: (kid) => jwks.keysFor(kid) };
}

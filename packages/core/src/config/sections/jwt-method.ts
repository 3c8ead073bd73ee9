// Config of a `jwt` authentication method: the schema, its mapping to JwtOptions, and building it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JWK } from 'jose';
import { z } from 'zod';
import { jwt, type JwtMethod } from '../../jwt/jwt.js';
import { jwtAlgorithms, type JwtAlgorithm } from '../../jwt/jwt-algorithms.js';
import type { JwtOptions } from '../../jwt/jwt-options.js';
import { wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';
import { claimMappingSchema, toClaimMapping } from './token-claims.js';

const algorithm = z.string().refine((alg) => (jwtAlgorithms as readonly string[]).includes(alg), {
  error: `must be one of ${jwtAlgorithms.join(', ')} ("none" can never be allowed)`,
});
const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'must be a string or a list of strings' });

/** `type: jwt`: signed JWTs from an OpenID provider or a shared secret. The limits are jwt()'s own. */
export const jwtMethodSchema = z.strictObject({
  type: z.literal('jwt'),
  issuer: z.string().min(1),
  audience: stringOrList,
  algorithms: z.array(algorithm).min(1),
  jwksUri: z.string().min(1).optional(),
  discovery: z.boolean().optional(),
  /** PEM public keys or certificates, or JSON files holding a JWK or a JWKS; relative to the config file. */
  publicKeyFiles: z.array(z.string().min(1)).min(1).optional(),
  secret: z.string().min(1).optional(),
  /** How `secret` is written. @default utf8 */
  secretEncoding: z.enum(['utf8', 'base64', 'base64url']).optional(),
  typ: z.string().min(1).optional(),
  clockToleranceSeconds: wholeNumberField(0, 60).optional(),
  maxTokenAgeSeconds: wholeNumberField(1, 31_536_000).optional(),
  maxExpiresInSeconds: wholeNumberField(60, 315_360_000).optional(),
  requiredClaims: z.array(z.string().min(1)).optional(),
  claims: claimMappingSchema.optional(),
  jwks: z
    .strictObject({
      maxAgeMs: wholeNumberField(1_000, 86_400_000).optional(),
      cooldownMs: wholeNumberField(0, 3_600_000).optional(),
      maxStalenessMs: wholeNumberField(1_000, 604_800_000).optional(),
      timeoutMs: wholeNumberField(1, 60_000).optional(),
      maxBytes: wholeNumberField(1_024, 16_777_216).optional(),
    })
    .optional(),
  cache: z.union([z.literal(false), z.strictObject({ ttlMs: wholeNumberField(1, 3_600_000).optional(), maxEntries: wholeNumberField(1, 10_000_000).optional() })]).optional(),
  maxTokenLength: wholeNumberField(64, 65_536).optional(),
});

export type JwtMethodConfig = z.infer<typeof jwtMethodSchema>;

/** The keys in one key file: a PEM (one or more blocks), a JWK, or a JWKS. */
function keysInFile(path: string): (string | JWK)[] {
  const text = readFileSync(path, 'utf8');
  if (text.includes('-----BEGIN')) return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  const value = JSON.parse(text) as { keys?: unknown };
  return Array.isArray(value.keys) ? (value.keys as JWK[]) : [value as JWK];
}

/**
 * The options jwt() gets for a validated config; key files are read now, relative to `baseDir`.
 *
 * @example
 * toJwtOptions({ type: 'jwt', issuer: 'https://idp.example.com/', audience: 'api', algorithms: ['RS256'], discovery: true }, '/etc/tollgate')
 */
export function toJwtOptions(config: JwtMethodConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never): JwtOptions {
  const publicKeys = config.publicKeyFiles?.flatMap((file, index) => {
    try {
      return keysInFile(resolve(baseDir, file));
    } catch (error) {
      return fail(['publicKeyFiles', index], new Error(`cannot read a public key from ${file}: ${(error as Error).message}`));
    }
  });
  const secret = config.secret === undefined ? undefined : config.secretEncoding === undefined || config.secretEncoding === 'utf8' ? config.secret : new Uint8Array(Buffer.from(config.secret, config.secretEncoding));
  return {
    issuer: config.issuer,
    audience: Array.isArray(config.audience) ? [...config.audience] : config.audience,
    algorithms: [...config.algorithms] as JwtAlgorithm[],
    ...(config.jwksUri === undefined ? {} : { jwksUri: config.jwksUri }),
    ...(config.discovery === undefined ? {} : { discovery: config.discovery }),
    ...(publicKeys === undefined ? {} : { publicKeys }),
    ...(secret === undefined ? {} : { secret }),
    ...(config.typ === undefined ? {} : { typ: config.typ }),
    ...(config.clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds: config.clockToleranceSeconds }),
    ...(config.maxTokenAgeSeconds === undefined ? {} : { maxTokenAgeSeconds: config.maxTokenAgeSeconds }),
    ...(config.maxExpiresInSeconds === undefined ? {} : { maxExpiresInSeconds: config.maxExpiresInSeconds }),
    ...(config.requiredClaims === undefined ? {} : { requiredClaims: [...config.requiredClaims] }),
    ...(config.claims === undefined ? {} : { claims: toClaimMapping(config.claims) }),
    ...(config.jwks === undefined ? {} : { jwks: { ...config.jwks } }),
    ...(config.cache === undefined ? {} : { cache: config.cache === false ? false : { ...config.cache } }),
    ...(config.maxTokenLength === undefined ? {} : { maxTokenLength: config.maxTokenLength }),
  };
}

/**
 * Builds the method; a ConfigError from jwt() (a short secret, two key sources) is reported at the method.
 *
 * @example
 * const method = buildJwtMethod(config, '/etc/tollgate', (path, error) => { throw error; });
 */
export function buildJwtMethod(config: JwtMethodConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never): JwtMethod {
  const options = toJwtOptions(config, baseDir, fail);
  try {
    return jwt(options);
  } catch (error) {
    return fail([], error);
  }
}

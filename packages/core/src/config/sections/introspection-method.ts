// Config of an `introspection` authentication method: the schema, its mapping to IntrospectionOptions, and building it.
import { z } from 'zod';
import { introspection, type IntrospectionMethod } from '../../introspection/introspection.js';
import type { IntrospectionOptions } from '../../introspection/introspection-options.js';
import { wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';
import { claimMappingSchema, toClaimMapping } from './token-claims.js';

/** `type: introspection`: opaque OAuth access tokens checked at the provider (RFC 7662). The limits are introspection()'s own. */
export const introspectionMethodSchema = z.strictObject({
  type: z.literal('introspection'),
  endpoint: z.string().min(1).optional(),
  discovery: z.boolean().optional(),
  issuer: z.string().min(1).optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  clientAuth: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'must be a string or a list of strings' }).optional(),
  tokenForm: z.enum(['opaque', 'any']).optional(),
  claims: claimMappingSchema.optional(),
  clockToleranceSeconds: wholeNumberField(0, 60).optional(),
  cache: z
    .union([
      z.literal(false),
      z.strictObject({ ttlMs: wholeNumberField(1, 3_600_000).optional(), inactiveTtlMs: wholeNumberField(0, 3_600_000).optional(), maxEntries: wholeNumberField(1, 10_000_000).optional() }),
    ])
    .optional(),
  maxStalenessMs: wholeNumberField(0, 86_400_000).optional(),
  cooldownMs: wholeNumberField(0, 300_000).optional(),
  timeoutMs: wholeNumberField(1, 60_000).optional(),
  maxBytes: wholeNumberField(1_024, 4_194_304).optional(),
  maxConcurrent: wholeNumberField(1, 1_024).optional(),
  maxQueue: wholeNumberField(0, 100_000).optional(),
});

export type IntrospectionMethodConfig = z.infer<typeof introspectionMethodSchema>;

/**
 * The options introspection() gets for a validated config: every field given, none invented.
 *
 * @example
 * toIntrospectionOptions({ type: 'introspection', endpoint: 'https://idp.example.com/introspect', clientId: 'tollgate', clientSecret: 's' })
 */
export function toIntrospectionOptions(config: IntrospectionMethodConfig): IntrospectionOptions {
  const { type: _type, audience, claims, cache, ...plain } = config;
  return {
    ...plain,
    ...(audience === undefined ? {} : { audience: Array.isArray(audience) ? [...audience] : audience }),
    ...(claims === undefined ? {} : { claims: toClaimMapping(claims) }),
    ...(cache === undefined ? {} : { cache: cache === false ? false : { ...cache } }),
  };
}

/**
 * Builds the method; a ConfigError from introspection() is reported at the method.
 *
 * @example
 * const method = buildIntrospectionMethod(config, (path, error) => { throw error; });
 */
export function buildIntrospectionMethod(config: IntrospectionMethodConfig, fail: (path: ConfigPath, error: unknown) => never): IntrospectionMethod {
  try {
    return introspection(toIntrospectionOptions(config));
  } catch (error) {
    return fail([], error);
  }
}

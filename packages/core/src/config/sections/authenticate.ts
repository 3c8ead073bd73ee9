// Config section `authenticate`: which credentials are accepted, and building each method.
import { z } from 'zod';
import type { AuthMethod } from '../../authenticate/auth-method.js';
import type { ConfigPath } from '../config-path.js';
import { wholeNumberField } from '../config-fields.js';
import { apiKeyMethodSchema, buildApiKeyMethod } from './api-key-method.js';
import { buildIntrospectionMethod, introspectionMethodSchema } from './introspection-method.js';
import { buildJwtMethod, jwtMethodSchema } from './jwt-method.js';
import { buildMtlsMethod, mtlsMethodSchema } from './mtls-method.js';
import type { StorePackageFinder } from './remote-store.js';

/** One method, picked by `type`. */
export const authMethodSchema = z.discriminatedUnion('type', [apiKeyMethodSchema, jwtMethodSchema, introspectionMethodSchema, mtlsMethodSchema]);

export type AuthMethodConfig = z.infer<typeof authMethodSchema>;

/** Who may call. Required: a gate without authentication is a configuration mistake. */
export const authenticateSchema = z.strictObject({
  /** Let requests without any credential through (a bad credential is still refused). @default false */
  optional: z.boolean().optional(),
  /** The accepted methods; the first whose form matches the credential verifies it. */
  methods: z.array(authMethodSchema).min(1, { error: 'must list at least one method' }),
  /** Longest credential accepted, in characters. @default 8192 */
  maxCredentialLength: wholeNumberField(16, 65_536).optional(),
});

export type AuthenticateConfig = z.infer<typeof authenticateSchema>;

/**
 * Builds one configured method. `fail` reports a build error at a path relative to the method;
 * `findPackage` finds the package of a Redis or Postgres key store.
 *
 * @example
 * const method = buildAuthMethod({ type: 'apiKey', store: { type: 'memory' } }, process.cwd(), (p, e) => { throw e; }, storePackageFinder(process.cwd(), undefined));
 */
export function buildAuthMethod(config: AuthMethodConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never, findPackage: StorePackageFinder): AuthMethod {
  switch (config.type) {
    case 'apiKey':
      return buildApiKeyMethod(config, baseDir, fail, findPackage);
    case 'jwt':
      return buildJwtMethod(config, baseDir, fail);
    case 'introspection':
      return buildIntrospectionMethod(config, fail);
    case 'mtls':
      return buildMtlsMethod(config, baseDir, fail);
  }
}

// Config of an `apiKey` authentication method: the schema, its mapping to ApiKeyOptions, and building it.
import { z } from 'zod';
import { apiKey, type ApiKeyMethod } from '../../api-key/api-key.js';
import type { ApiKeyOptions } from '../../api-key/api-key-options.js';
import { assertKeyEnv } from '../../api-key/key-format.js';
import type { KeyStore, WritableKeyStore } from '../../key-store/key-store.js';
import { checkedString, headerNameField, wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';
import { buildKeyStore, keyStoreSchema, type ConfiguredKeyStore } from './key-store.js';
import { storeErrorPath, type StorePackageFinder } from './remote-store.js';

// The limits are apiKey()'s own (api-key/api-key.ts); api-key-method.test.ts checks that both agree.
const failureThrottleSchema = z.union(
  [z.literal(false), z.strictObject({ maxFailures: wholeNumberField(1, 1_000_000), windowMs: wholeNumberField(1, 86_400_000) })],
  { error: 'must be false or { maxFailures, windowMs }' },
);

/** `type: apiKey`: keys of the form `tg_<env>_<keyId>_<secret><checksum>`. */
export const apiKeyMethodSchema = z.strictObject({
  type: z.literal('apiKey'),
  store: keyStoreSchema,
  /** Headers besides `Authorization: Bearer` that may carry a key. @default ['x-api-key'] */
  headers: z
    .array(headerNameField.refine((h) => h.toLowerCase() !== 'authorization', { error: 'Authorization is always read; list only extra headers' }))
    .optional(),
  /** Key environments accepted here. @default every environment */
  environments: z.array(checkedString(assertKeyEnv, 'must be 1-16 lower-case letters or digits')).optional(),
  cache: z.strictObject({ ttlMs: wholeNumberField(1, 3_600_000).optional(), maxEntries: wholeNumberField(1, 10_000_000).optional() }).optional(),
  argon2: z
    .strictObject({ maxConcurrent: wholeNumberField(1, 64).optional(), maxQueue: wholeNumberField(0, 100_000).optional(), priority: z.enum(['low', 'normal']).optional() })
    .optional(),
  throttle: z
    .strictObject({
      perKeyId: failureThrottleSchema.optional(),
      perIp: failureThrottleSchema.optional(),
      maxTracked: wholeNumberField(1, 10_000_000).optional(),
    })
    .optional(),
  storeTimeoutMs: wholeNumberField(1, 60_000).optional(),
});

export type ApiKeyMethodConfig = z.infer<typeof apiKeyMethodSchema>;

/**
 * The options `apiKey()` gets for a validated method config: every field given, none invented
 * (defaults stay apiKey()'s own), in fresh objects.
 *
 * @example
 * toApiKeyOptions({ type: 'apiKey', store: { type: 'memory' }, storeTimeoutMs: 500 }, memoryKeyStore())
 * // { store, storeTimeoutMs: 500 }
 */
export function toApiKeyOptions(config: ApiKeyMethodConfig, store: KeyStore): ApiKeyOptions {
  const { throttle } = config;
  return {
    store,
    ...(config.headers === undefined ? {} : { headers: [...config.headers] }),
    ...(config.environments === undefined ? {} : { environments: [...config.environments] }),
    ...(config.cache === undefined ? {} : { cache: { ...config.cache } }),
    ...(config.argon2 === undefined ? {} : { argon2: { ...config.argon2 } }),
    ...(throttle === undefined
      ? {}
      : {
          throttle: {
            ...(throttle.perKeyId === undefined ? {} : { perKeyId: throttle.perKeyId === false ? false : { ...throttle.perKeyId } }),
            ...(throttle.perIp === undefined ? {} : { perIp: throttle.perIp === false ? false : { ...throttle.perIp } }),
            ...(throttle.maxTracked === undefined ? {} : { maxTracked: throttle.maxTracked }),
          },
        }),
    ...(config.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: config.storeTimeoutMs }),
  };
}

/** An apiKey method built from a config, with the store it owns (so an app can add keys to a memory store). */
export interface ConfiguredApiKeyMethod extends ApiKeyMethod {
  readonly store: WritableKeyStore;
  /** Resolves once the store is connected (Redis, Postgres); rejects with why it cannot connect. */
  ready(): Promise<void>;
}

/**
 * Builds the method and the store it owns. apiKey() leaves a store it was given open, so the method
 * returned here closes its store too: `gate(...).close()` then releases the file watcher or the
 * connection, and `gate(...).ready()` waits for a Redis or Postgres store to connect.
 * `fail` reports a build error at a path relative to this method.
 *
 * @example
 * const method = buildApiKeyMethod(config, '/etc/tollgate', (path, error) => { throw error; }, storePackageFinder('/etc/tollgate', undefined));
 */
export function buildApiKeyMethod(config: ApiKeyMethodConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never, findPackage: StorePackageFinder): ConfiguredApiKeyMethod {
  let store: ConfiguredKeyStore;
  try {
    store = buildKeyStore(config.store, baseDir, findPackage);
  } catch (error) {
    return fail(storeErrorPath(config.store.type), error);
  }
  try {
    const method = apiKey(toApiKeyOptions(config, store));
    return {
      ...method,
      store,
      ready: async () => store.ready?.(),
      async close() {
        await method.close?.();
        await store.close?.();
      },
    };
  } catch (error) {
    void store.close?.().catch(() => undefined);
    return fail([], error);
  }
}

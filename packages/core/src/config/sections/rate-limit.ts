// Config section `rateLimit`: limit rules, their store (memory, or Redis through @tollgate/redis), and building the step.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../errors/tollgate-error.js';
import type { LimitRule } from '../../rate-limit/limit-rule.js';
import { rateLimit, type RateLimitStep } from '../../rate-limit/rate-limit.js';
import type { RateLimitOptions } from '../../rate-limit/rate-limit-options.js';
import type { RateLimitStore } from '../../rate-limit/rate-limit-store.js';
import type { ConfigPath } from '../config-path.js';
import { wholeNumberField } from '../config-fields.js';

const scope = z.enum(['key', 'user', 'tenant', 'model', 'ip', 'global']);
const aboveZero = z.number({ error: 'must be a number' }).positive({ error: 'must be above zero' });

/** One limit rule (see docs/rate-limits.md); rateLimit() checks the combinations at startup. */
const ruleSchema = z.strictObject({
  name: z.string(),
  scope: z.union([scope, z.array(scope).min(1)]),
  unit: z.enum(['requests', 'input_tokens', 'output_tokens', 'total_tokens', 'concurrent', 'usd']),
  limit: aboveZero,
  window: z.string().optional(),
  thresholds: z.array(z.number()).optional(),
  shadow: z.boolean().optional(),
  onStoreFailure: z.enum(['fail_closed', 'insurance', 'fail_open']).optional(),
  insuranceLimit: aboveZero.optional(),
  models: z.array(z.string().min(1)).min(1).optional(),
  budget: z.boolean().optional(),
});

const storeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({
    type: z.literal('redis'),
    /** `redis://…` or `rediss://…`, usually `${REDIS_URL}`. */
    url: z.string().regex(/^rediss?:\/\//, { error: 'must start with redis:// or rediss://' }),
    /** Key prefix (a Redis Cluster hash tag). @default 'tg-rl' */
    prefix: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, { error: "must be 1-64 letters, digits, ':', '.', '_' or '-'" }).optional(),
  }),
]);

/** `rateLimit`: same fields and defaults as the options of rateLimit(). */
export const rateLimitSchema = z.strictObject({
  rules: z.array(ruleSchema),
  store: storeSchema.optional(),
  timeZone: z.string().optional(),
  weekStartsOn: z.enum(['monday', 'sunday', 'saturday']).optional(),
  tenantLimits: z.boolean().optional(),
  lowerMaxTokens: z.union([z.boolean(), z.strictObject({ minimum: wholeNumberField(1, 10_000_000).optional() })]).optional(),
  cutOffStreams: z.boolean().optional(),
  includeStreamUsage: z.boolean().optional(),
  storeTimeoutMs: wholeNumberField(1, 60_000).optional(),
  leaseMs: wholeNumberField(1_000, 86_400_000).optional(),
  maxRequestMs: wholeNumberField(1_000, 7 * 86_400_000).optional(),
  ipv4Prefix: wholeNumberField(8, 32).optional(),
  ipv6Prefix: wholeNumberField(16, 128).optional(),
  maxChoices: wholeNumberField(1, 1_000).optional(),
  maxOutputTokens: wholeNumberField(1, 100_000_000).optional(),
  concurrencyRetryAfterMs: wholeNumberField(1, 3_600_000).optional(),
  outageRetryAfterMs: wholeNumberField(1, 3_600_000).optional(),
});

export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

/** Makes a Redis store from its config; by default loads `@tollgate/redis` next to the config file. */
export type RedisStoreFactory = (options: { url: string; prefix?: string }) => RateLimitStore;

/**
 * Loads `redisRateLimitStore` from `@tollgate/redis` as installed for the app (resolved from the config
 * file's directory, the way tools resolve their plugins), since core itself depends on no driver.
 */
export function redisStoreFrom(baseDir: string, packageName = '@tollgate/redis'): RedisStoreFactory {
  return (options) => {
    let loaded: { redisRateLimitStore?: RedisStoreFactory };
    try {
      loaded = createRequire(join(baseDir, 'tollgate.config.cjs'))(packageName) as typeof loaded;
    } catch (error) {
      throw new ConfigError(`store type redis needs the package @tollgate/redis (and ioredis) installed for your app: npm install @tollgate/redis ioredis (${(error as Error).message.split('\n')[0]})`, { cause: error });
    }
    if (typeof loaded.redisRateLimitStore !== 'function') throw new ConfigError('the installed @tollgate/redis has no redisRateLimitStore; update it');
    return loaded.redisRateLimitStore(options);
  };
}

/**
 * Builds the rateLimit step of a validated section. A rule mistake is reported at its `rules[i]` path.
 *
 * @example
 * const step = buildRateLimit({ rules: [{ name: 'rpm', scope: 'key', unit: 'requests', limit: 60, window: '1m' }] }, process.cwd(), (p, e) => { throw e; });
 */
export function buildRateLimit(
  config: RateLimitConfig,
  baseDir: string,
  fail: (path: ConfigPath, error: unknown) => never,
  redisStore: RedisStoreFactory = redisStoreFrom(baseDir),
  models?: RateLimitOptions['models'],
): RateLimitStep {
  const { rules, store: storeConfig, lowerMaxTokens, ...rest } = config;
  const options: RateLimitOptions = {
    ...rest,
    rules: rules.map((rule) => ({ ...rule, ...(Array.isArray(rule.scope) ? { scope: [...rule.scope] } : {}) }) as LimitRule),
    ...(lowerMaxTokens === undefined ? {} : { lowerMaxTokens: typeof lowerMaxTokens === 'boolean' ? lowerMaxTokens : { ...lowerMaxTokens } }),
  };
  let store: RateLimitStore | undefined;
  if (storeConfig?.type === 'redis') {
    try {
      store = redisStore({ url: storeConfig.url, ...(storeConfig.prefix === undefined ? {} : { prefix: storeConfig.prefix }) });
    } catch (error) {
      return fail(['store'], error);
    }
  }
  try {
    const step = rateLimit({ ...options, ...(store === undefined ? {} : { store }), ...(models === undefined ? {} : { models }) });
    // A store made from the config belongs to the step: closing the gate closes it.
    return store === undefined ? step : { ...step, close: async () => { await step.close?.(); await store.close?.(); } };
  } catch (error) {
    void store?.close?.().catch(() => undefined);
    const at = /rules\[(\d+)\]/.exec((error as Error).message);
    return fail(at === null ? [] : ['rules', Number(at[1])], error);
  }
}

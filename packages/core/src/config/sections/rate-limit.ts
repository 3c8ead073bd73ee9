// Config section `rateLimit`: limit rules, their store (memory, or a Redis or Postgres server), and building the step.
import { z } from 'zod';
import type { Deferred } from '../../deferred-store/deferred-stores.js';
import type { LimitRule } from '../../rate-limit/limit-rule.js';
import { rateLimit, type RateLimitStep } from '../../rate-limit/rate-limit.js';
import type { RateLimitOptions } from '../../rate-limit/rate-limit-options.js';
import type { RateLimitStore } from '../../rate-limit/rate-limit-store.js';
import type { ConfigPath } from '../config-path.js';
import { wholeNumberField } from '../config-fields.js';
import { buildRemoteStore, postgresStoreSchema, redisStoreSchema, storeErrorPath, type StorePackageFinder } from './remote-store.js';

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

/** Where counters live: this process, or a Redis or Postgres server every instance shares. */
const storeSchema = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('memory') }), redisStoreSchema, postgresStoreSchema]);

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

/**
 * Builds the rateLimit step of a validated section. A rule mistake is reported at its `rules[i]` path.
 * A Redis or Postgres store connects in the background; the step's `ready()` waits for it, and until
 * then each rule's outage policy applies.
 *
 * @example
 * const step = buildRateLimit({ rules: [{ name: 'rpm', scope: 'key', unit: 'requests', limit: 60, window: '1m' }] }, (p, e) => { throw e; }, storePackageFinder(process.cwd(), undefined));
 */
export function buildRateLimit(
  config: RateLimitConfig,
  fail: (path: ConfigPath, error: unknown) => never,
  findPackage: StorePackageFinder,
  models?: RateLimitOptions['models'],
): RateLimitStep {
  const { rules, store: storeConfig, lowerMaxTokens, ...rest } = config;
  const options: RateLimitOptions = {
    ...rest,
    rules: rules.map((rule) => ({ ...rule, ...(Array.isArray(rule.scope) ? { scope: [...rule.scope] } : {}) }) as LimitRule),
    ...(lowerMaxTokens === undefined ? {} : { lowerMaxTokens: typeof lowerMaxTokens === 'boolean' ? lowerMaxTokens : { ...lowerMaxTokens } }),
  };
  let store: (RateLimitStore & Deferred) | undefined;
  if (storeConfig !== undefined && storeConfig.type !== 'memory') {
    try {
      store = buildRemoteStore('rateLimit', storeConfig, findPackage);
    } catch (error) {
      return fail(storeErrorPath(storeConfig.type), error);
    }
  }
  try {
    const step = rateLimit({ ...options, ...(store === undefined ? {} : { store }), ...(models === undefined ? {} : { models }) });
    // A store made from the config belongs to the step: closing the gate closes it.
    return store === undefined ? step : { ...step, ready: () => store.ready(), close: async () => { await step.close?.(); await store.close(); } };
  } catch (error) {
    void store?.close().catch(() => undefined);
    const at = /rules\[(\d+)\]/.exec((error as Error).message);
    return fail(at === null ? [] : ['rules', Number(at[1])], error);
  }
}

// Options of rateLimit(), with their documented defaults, and their validation at startup.
import { ConfigError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import type { ModelInfo } from '../context/principal.js';
import type { LimitRule } from './limit-rule.js';
import { assertTimeZone, type WeekDay } from './limit-window.js';
import type { RateLimitEvent } from './rate-limit-decision.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** The limits. Each request is checked against every rule that applies to it. */
  readonly rules: readonly LimitRule[];
  /**
   * Where counters live. Share one Redis store between instances to make limits exact across them.
   * @default memoryRateLimitStore() (exact within this process only)
   */
  readonly store?: RateLimitStore;
  /** IANA time zone of calendar windows (`day`, `week`, `month`). @default 'UTC' */
  readonly timeZone?: string;
  /** First day of a `week` window. @default 'monday' */
  readonly weekStartsOn?: 'monday' | 'sunday' | 'saturday';
  /** Read per-tenant limits and budget from `context.tenant` (see docs/rate-limits.md). @default true */
  readonly tenantLimits?: boolean;
  /**
   * Lower the request's `max_tokens` (in the parsed body) to what the tightest token or spend limit
   * still allows, instead of refusing; never below `minimum`. @default false
   */
  readonly lowerMaxTokens?: boolean | { readonly minimum?: number };
  /** Abort the context's signal when a stream produces more output than was reserved. @default true */
  readonly cutOffStreams?: boolean;
  /** Ask streamed chat/completions requests to report usage (`stream_options.include_usage`) when tokens or money are limited. @default true */
  readonly includeStreamUsage?: boolean;
  /** A store call slower than this counts as a store failure (the rule's outage policy applies). @default 1000 */
  readonly storeTimeoutMs?: number;
  /** Lifetime of a concurrency lease and of a reservation record unless renewed while the request runs. @default 60000 */
  readonly leaseMs?: number;
  /** Renewal stops after this long, so a request whose end is never seen cannot hold a lease for ever. @default 3600000 */
  readonly maxRequestMs?: number;
  /** IPv4 prefix length that shares one `ip` counter. @default 32 */
  readonly ipv4Prefix?: number;
  /** IPv6 prefix length that shares one `ip` counter. @default 56 */
  readonly ipv6Prefix?: number;
  /** Largest `n` accepted when tokens or money are limited. @default 128 */
  readonly maxChoices?: number;
  /** Largest `max_tokens` accepted when the model states no output cap. @default 1000000 */
  readonly maxOutputTokens?: number;
  /** `Retry-After` of a request refused by a concurrency limit. @default 1000 */
  readonly concurrencyRetryAfterMs?: number;
  /** `Retry-After` of the 503 when a `fail_closed` rule's store is down. @default 5000 */
  readonly outageRetryAfterMs?: number;
  /** Events for alerting (thresholds crossed, shadow denials, store errors, cut-offs). Must not throw. @default none */
  readonly onEvent?: (event: RateLimitEvent) => void;
  /**
   * The model registry validateRequest uses. With it, a spend rule over a model without a price is a
   * startup ConfigError; without it, such a request is refused with 403. @default none
   */
  readonly models?: { readonly names: readonly string[]; lookup(name: string): ModelInfo | undefined };
}

/** Options after validation, defaults applied. */
export interface ResolvedRateLimitOptions {
  readonly timeZone: string;
  readonly weekStartsOn: WeekDay;
  readonly tenantLimits: boolean;
  readonly lowerMaxTokens: { readonly minimum: number } | undefined;
  readonly cutOffStreams: boolean;
  readonly includeStreamUsage: boolean;
  readonly storeTimeoutMs: number;
  readonly leaseMs: number;
  readonly maxRequestMs: number;
  readonly ipv4Prefix: number;
  readonly ipv6Prefix: number;
  readonly maxChoices: number;
  readonly maxOutputTokens: number;
  readonly concurrencyRetryAfterMs: number;
  readonly outageRetryAfterMs: number;
  readonly onEvent: ((event: RateLimitEvent) => void) | undefined;
}

const weekDays: Record<string, WeekDay> = { monday: 1, saturday: 6, sunday: 7 };

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`rateLimit: ${name} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

/** Validates everything but the rules and the store; throws a ConfigError naming the option. */
export function resolveRateLimitOptions(options: RateLimitOptions): ResolvedRateLimitOptions {
  const weekStartsOn = weekDays[options.weekStartsOn ?? 'monday'];
  if (weekStartsOn === undefined) throw new ConfigError(`rateLimit: weekStartsOn must be monday, sunday or saturday; got ${JSON.stringify(options.weekStartsOn)}`);
  const lower = options.lowerMaxTokens ?? false;
  let lowerMaxTokens: { minimum: number } | undefined;
  if (lower === true) lowerMaxTokens = { minimum: 1 };
  else if (lower !== false) {
    if (typeof lower !== 'object' || lower === null) throw new ConfigError('rateLimit: lowerMaxTokens must be true, false or { minimum }');
    lowerMaxTokens = { minimum: wholeNumber(lower.minimum, 'rateLimit: lowerMaxTokens.minimum', 1, 1, 10_000_000) };
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new ConfigError('rateLimit: onEvent must be a function');
  const leaseMs = wholeNumber(options.leaseMs, 'rateLimit: leaseMs', 60_000, 1_000, 86_400_000);
  return {
    timeZone: assertTimeZone(options.timeZone ?? 'UTC', 'rateLimit: timeZone'),
    weekStartsOn,
    tenantLimits: flag(options.tenantLimits, 'tenantLimits', true),
    lowerMaxTokens,
    cutOffStreams: flag(options.cutOffStreams, 'cutOffStreams', true),
    includeStreamUsage: flag(options.includeStreamUsage, 'includeStreamUsage', true),
    storeTimeoutMs: wholeNumber(options.storeTimeoutMs, 'rateLimit: storeTimeoutMs', 1_000, 1, 60_000),
    leaseMs,
    maxRequestMs: wholeNumber(options.maxRequestMs, 'rateLimit: maxRequestMs', 3_600_000, leaseMs, 7 * 86_400_000),
    ipv4Prefix: wholeNumber(options.ipv4Prefix, 'rateLimit: ipv4Prefix', 32, 8, 32),
    ipv6Prefix: wholeNumber(options.ipv6Prefix, 'rateLimit: ipv6Prefix', 56, 16, 128),
    maxChoices: wholeNumber(options.maxChoices, 'rateLimit: maxChoices', 128, 1, 1_000),
    maxOutputTokens: wholeNumber(options.maxOutputTokens, 'rateLimit: maxOutputTokens', 1_000_000, 1, 100_000_000),
    concurrencyRetryAfterMs: wholeNumber(options.concurrencyRetryAfterMs, 'rateLimit: concurrencyRetryAfterMs', 1_000, 1, 3_600_000),
    outageRetryAfterMs: wholeNumber(options.outageRetryAfterMs, 'rateLimit: outageRetryAfterMs', 5_000, 1, 3_600_000),
    onEvent: options.onEvent,
  };
}

// Limit rules as users write them (LimitRule) and as the step uses them (CompiledRule), checked once at startup.
import { ConfigError } from '../errors/tollgate-error.js';
import { parseWindow, type LimitWindow, type WeekDay } from './limit-window.js';

/** Who shares one counter: the API key, the user, the tenant, the model, the client network, or everyone. */
export type LimitScope = 'key' | 'user' | 'tenant' | 'model' | 'ip' | 'global';

/** What a rule counts. `concurrent` counts requests in flight (leases that expire on their own). */
export type LimitUnit = 'requests' | 'input_tokens' | 'output_tokens' | 'total_tokens' | 'concurrent' | 'usd';

/** What happens to a rule when its store fails or times out. */
export type OutagePolicy = 'fail_closed' | 'insurance' | 'fail_open';

/** One limit, as written in code or in the `rateLimit.rules` section of the config file. */
export interface LimitRule {
  /** Unique name; the 429 body, `RateLimit-Policy` and the inference record name the rule by it. */
  readonly name: string;
  /** One counter per value of this scope; a list combines scopes (`['tenant', 'model']`). */
  readonly scope: LimitScope | readonly LimitScope[];
  readonly unit: LimitUnit;
  /** The hard limit, in the rule's unit (USD for `usd`). Must be above zero. */
  readonly limit: number;
  /** `30s`, `1m`, `1h`, `7d` (fixed), or `day`, `week`, `month` (calendar). Required except for `concurrent`. */
  readonly window?: string;
  /** Fractions of the limit (0 < f < 1) whose crossing emits a `threshold` event. @default [] */
  readonly thresholds?: readonly number[];
  /** Count and report, but never deny. @default false */
  readonly shadow?: boolean;
  /** Store outage behaviour. @default 'fail_closed' for `usd`, 'insurance' for every other unit */
  readonly onStoreFailure?: OutagePolicy;
  /** The per-instance limit of the in-memory insurance limiter during an outage. @default limit */
  readonly insuranceLimit?: number;
  /** Only requests for these models (exact names, or prefixes ending in `*`). @default every model */
  readonly models?: readonly string[];
  /**
   * A denial is an exhausted quota (429 `insufficient_quota`, `x-should-retry: false`) rather than a
   * rate limit the client should wait out. @default true for `usd` and calendar windows, else false
   */
  readonly budget?: boolean;
}

/** A validated rule with its defaults applied. USD amounts are held in nano-dollars (integers). */
export interface CompiledRule {
  readonly name: string;
  readonly scopes: readonly LimitScope[];
  readonly unit: LimitUnit;
  /** The limit in store units: requests, tokens, leases, or nano-USD. */
  readonly limit: number;
  readonly insuranceLimit: number;
  readonly window: LimitWindow | undefined;
  readonly thresholds: readonly number[];
  readonly shadow: boolean;
  readonly onStoreFailure: OutagePolicy;
  readonly models: readonly string[] | undefined;
  readonly budget: boolean;
}

export const limitScopes: readonly LimitScope[] = ['key', 'user', 'tenant', 'model', 'ip', 'global'];
export const limitUnits: readonly LimitUnit[] = ['requests', 'input_tokens', 'output_tokens', 'total_tokens', 'concurrent', 'usd'];
const outagePolicies: readonly OutagePolicy[] = ['fail_closed', 'insurance', 'fail_open'];
const ruleKeys = new Set(['name', 'scope', 'unit', 'limit', 'window', 'thresholds', 'shadow', 'onStoreFailure', 'insuranceLimit', 'models', 'budget']);

/** Nano-dollars per dollar: money is counted in whole nano-dollars so sums stay exact. */
export const nanoUsdPerUsd = 1e9;
/** Largest limit a counter holds exactly (2^53 - 1 store units; for USD about 9 million dollars). */
const largestLimit = Number.MAX_SAFE_INTEGER;

/** True when a rule's unit is counted in tokens or money, so it needs the request's token estimate. */
export function needsInference(unit: LimitUnit): boolean {
  return unit !== 'requests' && unit !== 'concurrent';
}

function positiveNumber(value: unknown, where: string, unit: LimitUnit): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${where} must be a number above zero; got ${JSON.stringify(value)}`);
  const units = unit === 'usd' ? Math.round(value * nanoUsdPerUsd) : value;
  if (unit !== 'usd' && !Number.isSafeInteger(value)) throw new ConfigError(`${where} must be a whole number for unit ${unit}; got ${JSON.stringify(value)}`);
  if (units < 1 || units > largestLimit) throw new ConfigError(`${where} is out of range for unit ${unit}; got ${JSON.stringify(value)}`);
  return units;
}

/**
 * Validates one rule and applies its defaults; throws a ConfigError naming the field.
 *
 * @example
 * compileRule({ name: 'rpm', scope: 'key', unit: 'requests', limit: 60, window: '1m' }, { timeZone: 'UTC', weekStartsOn: 1 }, 'rules[0]')
 */
export function compileRule(rule: LimitRule, calendar: { timeZone: string; weekStartsOn: WeekDay }, where: string): CompiledRule {
  if (rule === null || typeof rule !== 'object') throw new ConfigError(`${where} must be an object`);
  for (const key of Object.keys(rule)) if (!ruleKeys.has(key)) throw new ConfigError(`${where} has an unknown field "${key}"`);
  const { name, unit } = rule;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new ConfigError(`${where}.name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit); got ${JSON.stringify(name)}`);
  }
  if (!limitUnits.includes(unit)) throw new ConfigError(`${where}.unit must be one of ${limitUnits.join(', ')}; got ${JSON.stringify(unit)}`);
  const scopes = typeof rule.scope === 'string' ? [rule.scope] : Array.isArray(rule.scope) ? [...(rule.scope as LimitScope[])] : [];
  if (scopes.length === 0 || scopes.some((s) => !limitScopes.includes(s)) || new Set(scopes).size !== scopes.length) {
    throw new ConfigError(`${where}.scope must be one of ${limitScopes.join(', ')} or a list of distinct ones; got ${JSON.stringify(rule.scope)}`);
  }
  if (scopes.includes('global') && scopes.length > 1) throw new ConfigError(`${where}.scope: global cannot be combined with other scopes`);
  const limit = positiveNumber(rule.limit, `${where}.limit`, unit);
  const insuranceLimit = rule.insuranceLimit === undefined ? limit : positiveNumber(rule.insuranceLimit, `${where}.insuranceLimit`, unit);
  let window: LimitWindow | undefined;
  if (unit === 'concurrent') {
    if (rule.window !== undefined) throw new ConfigError(`${where}.window does not apply to unit concurrent (leases last while the request runs)`);
  } else {
    if (rule.window === undefined) throw new ConfigError(`${where}.window is required for unit ${unit}`);
    window = parseWindow(rule.window, calendar, `${where}.window`);
  }
  const thresholds = [...(rule.thresholds ?? [])];
  if (!Array.isArray(rule.thresholds ?? []) || thresholds.some((t) => typeof t !== 'number' || !(t > 0 && t < 1))) {
    throw new ConfigError(`${where}.thresholds must be fractions between 0 and 1 (exclusive), such as [0.8]; got ${JSON.stringify(rule.thresholds)}`);
  }
  if (unit === 'concurrent' && thresholds.length > 0) throw new ConfigError(`${where}.thresholds do not apply to unit concurrent`);
  const onStoreFailure = rule.onStoreFailure ?? (unit === 'usd' ? 'fail_closed' : 'insurance');
  if (!outagePolicies.includes(onStoreFailure)) {
    throw new ConfigError(`${where}.onStoreFailure must be one of ${outagePolicies.join(', ')}; got ${JSON.stringify(rule.onStoreFailure)}`);
  }
  const models = rule.models === undefined ? undefined : [...rule.models];
  if (models !== undefined && (!Array.isArray(rule.models) || models.length === 0 || models.some((m) => typeof m !== 'string' || m === '' || m.indexOf('*') !== -1 && m.indexOf('*') !== m.length - 1))) {
    throw new ConfigError(`${where}.models must be a non-empty list of model names or prefixes ending in *; got ${JSON.stringify(rule.models)}`);
  }
  for (const flag of ['shadow', 'budget'] as const) {
    if (rule[flag] !== undefined && typeof rule[flag] !== 'boolean') throw new ConfigError(`${where}.${flag} must be true or false`);
  }
  const budget = rule.budget ?? (unit === 'usd' || window?.kind === 'calendar');
  return { name, scopes, unit, limit, insuranceLimit, window, thresholds: thresholds.sort(), shadow: rule.shadow ?? false, onStoreFailure, models, budget };
}

/**
 * Compiles a list of rules; names must be unique.
 *
 * @example
 * compileRules([{ name: 'rpm', scope: 'key', unit: 'requests', limit: 60, window: '1m' }], { timeZone: 'UTC', weekStartsOn: 1 }, 'rateLimit.rules')
 */
export function compileRules(rules: readonly LimitRule[], calendar: { timeZone: string; weekStartsOn: WeekDay }, where: string): CompiledRule[] {
  if (!Array.isArray(rules)) throw new ConfigError(`${where} must be a list of rules`);
  const compiled = rules.map((rule, index) => compileRule(rule, calendar, `${where}[${index}]`));
  const seen = new Set<string>();
  for (const rule of compiled) {
    if (seen.has(rule.name)) throw new ConfigError(`${where}: two rules are named "${rule.name}"; names must be unique`);
    seen.add(rule.name);
  }
  return compiled;
}

/** True when a rule applies to a request for `model` (rules without a model list apply to all). */
export function ruleMatchesModel(rule: CompiledRule, model: string): boolean {
  if (rule.models === undefined) return true;
  return rule.models.some((pattern) => (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : model === pattern));
}

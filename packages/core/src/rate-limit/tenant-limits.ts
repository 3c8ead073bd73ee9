// Per-tenant limits from the tenant's record (`limits`, `budget`): overrides and extra rules without a redeploy.
import type { Tenant } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { compileRule, type CompiledRule, type LimitRule } from './limit-rule.js';
import type { WeekDay } from './limit-window.js';

/** A rule as the step applies it: its counters carry `namespace` so a tenant's own rules never share counters. */
export interface ActiveRule extends CompiledRule {
  /** Prefix of the counter identity: '' for config rules (and tenant overrides of them), `t:<tenant>/` for a tenant's own. */
  readonly namespace: string;
}

/** What a tenant's record says, compiled: the rules to use for its requests. */
export type TenantRules = readonly ActiveRule[];

/**
 * Reads `tenant.limits` and `tenant.budget` against the configured rules:
 * - `limits.<rule>: <number>` gives a configured rule a new limit for this tenant;
 * - `limits.<rule>: { …fields }` overrides fields of a configured rule (same counters);
 * - `limits.<rule>: false` switches a configured rule off for this tenant;
 * - `limits.<name>: { scope, unit, limit, window, … }` with a new name adds a rule of the tenant's own;
 * - `budget: { usd, window?, thresholds? }` adds the rule `tenant-budget` (USD per tenant, default per month).
 * Results are cached per record (records are immutable), so a record is compiled once.
 */
export class TenantLimits {
  readonly #configured: ReadonlyMap<string, { spec: LimitRule; rule: ActiveRule }>;
  readonly #calendar: { timeZone: string; weekStartsOn: WeekDay };
  readonly #cache = new WeakMap<Tenant, TenantRules>();
  readonly #base: TenantRules;

  constructor(specs: readonly LimitRule[], compiled: readonly CompiledRule[], calendar: { timeZone: string; weekStartsOn: WeekDay }) {
    this.#calendar = calendar;
    this.#base = compiled.map((rule) => ({ ...rule, namespace: '' }));
    this.#configured = new Map(specs.map((spec, i) => [spec.name, { spec, rule: this.#base[i]! }]));
  }

  /** The configured rules with this tenant's changes; throws a ConfigError describing a bad record. */
  rulesFor(tenant: Tenant | undefined): TenantRules {
    if (tenant === undefined || (tenant.limits === undefined && tenant.budget === undefined)) return this.#base;
    const cached = this.#cache.get(tenant);
    if (cached !== undefined) return cached;
    const rules = this.#compile(tenant);
    this.#cache.set(tenant, rules);
    return rules;
  }

  #compile(tenant: Tenant): TenantRules {
    const where = `tenant "${tenant.id}"`;
    const replaced = new Map<string, ActiveRule | undefined>();
    const own: ActiveRule[] = [];
    const namespace = `t:${encodeURIComponent(tenant.id)}/`;
    for (const [name, value] of Object.entries(tenant.limits ?? {})) {
      const at = `${where} limits.${name}`;
      const configured = this.#configured.get(name);
      if (value === false) {
        if (configured === undefined) throw new ConfigError(`${at}: false switches off a configured rule, but no rule is named "${name}"`);
        replaced.set(name, undefined);
      } else if (typeof value === 'number') {
        if (configured === undefined) throw new ConfigError(`${at}: a number sets the limit of a configured rule, but no rule is named "${name}"`);
        replaced.set(name, { ...compileRule({ ...configured.spec, limit: value }, this.#calendar, at), namespace: '' });
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const fields = value as Partial<LimitRule>;
        if (fields.name !== undefined && fields.name !== name) throw new ConfigError(`${at}: name must be "${name}" or left out`);
        if (configured !== undefined) {
          replaced.set(name, { ...compileRule({ ...configured.spec, ...fields, name }, this.#calendar, at), namespace: '' });
        } else {
          own.push({ ...compileRule({ ...(fields as LimitRule), name }, this.#calendar, at), namespace });
        }
      } else {
        throw new ConfigError(`${at} must be a number (new limit), false (off), or a rule's fields`);
      }
    }
    if (tenant.budget !== undefined) own.push({ ...compileRule(budgetRule(tenant.budget, where), this.#calendar, `${where} budget`), namespace: '' });
    const rules: ActiveRule[] = [];
    for (const rule of this.#base) {
      if (!replaced.has(rule.name)) rules.push(rule);
      else if (replaced.get(rule.name) !== undefined) rules.push(replaced.get(rule.name)!);
    }
    const names = new Set(rules.map((r) => r.name));
    for (const rule of own) {
      if (names.has(rule.name)) throw new ConfigError(`${where}: the rule "${rule.name}" is defined twice`);
      names.add(rule.name);
      rules.push(rule);
    }
    return rules;
  }
}

/** `budget: { usd: 100, window: month, thresholds: [0.8] }` as a rule; counted per tenant. */
function budgetRule(budget: Readonly<Record<string, unknown>>, where: string): LimitRule {
  const { usd, window = 'month', thresholds, ...rest } = budget;
  if (Object.keys(rest).length > 0) throw new ConfigError(`${where} budget has unknown fields: ${Object.keys(rest).join(', ')} (known: usd, window, thresholds)`);
  if (typeof usd !== 'number') throw new ConfigError(`${where} budget.usd must be a number of US dollars`);
  return { name: 'tenant-budget', scope: 'tenant', unit: 'usd', limit: usd, window: window as string, ...(thresholds === undefined ? {} : { thresholds: thresholds as number[] }) };
}

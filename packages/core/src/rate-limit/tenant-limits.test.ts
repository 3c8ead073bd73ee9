// Per-tenant limits from the tenant's record: new limits, overrides, switches, own rules and budgets.
import { describe, expect, it } from 'vitest';
import type { Tenant } from '../context/principal.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import { rateLimit } from './rate-limit.js';
import { limitedContext, refusalOf } from './test-context.js';

const rules = [
  { name: 'tenant-rpm', scope: 'tenant', unit: 'requests', limit: 1, window: '1m' },
  { name: 'key-rpm', scope: 'key', unit: 'requests', limit: 100, window: '1m' },
] as const;
const tenant = (id: string, extra: Partial<Tenant> = {}): Tenant => Object.freeze({ id, status: 'active', tags: [], ...extra });
const decisionOf = (context: { decisions: Record<string, unknown> }) => context.decisions['rateLimit'] as RateLimitDecision;

describe('rateLimit: limits from the tenant record', () => {
  it('gives a configured rule a tenant-specific limit, keeping its counter', async () => {
    const step = rateLimit({ rules: [...rules] });
    const pro = tenant('pro', { limits: { 'tenant-rpm': 3 } });
    for (let i = 0; i < 3; i++) expect(await refusalOf(step, limitedContext({ tenant: pro }))).toBeUndefined();
    expect((await refusalOf(step, limitedContext({ tenant: pro })))?.code).toBe('TG_RATE_LIMITED');
    const free = tenant('free');
    expect(await refusalOf(step, limitedContext({ tenant: free }))).toBeUndefined();
    expect((await refusalOf(step, limitedContext({ tenant: free })))?.code).toBe('TG_RATE_LIMITED');
  });

  it('overrides fields, switches rules off, and adds rules of its own that share no counter with other tenants', async () => {
    const step = rateLimit({ rules: [...rules] });
    const limits = { 'tenant-rpm': false, 'key-rpm': { limit: 1, shadow: true }, burst: { scope: 'global', unit: 'requests', limit: 1, window: '1h' } };
    const a = tenant('a', { limits });
    const first = limitedContext({ tenant: a });
    await step.run(first);
    expect(decisionOf(first).rules.map((r) => r.rule)).toEqual(['key-rpm', 'burst']);
    const second = limitedContext({ tenant: a });
    expect((await refusalOf(step, second))?.message).toContain('"burst"');
    expect(decisionOf(second).rules.find((r) => r.rule === 'key-rpm')).toMatchObject({ outcome: 'shadow_deny' });
    // Tenant b's own "burst" rule is global to tenant b only.
    expect(await refusalOf(step, limitedContext({ tenant: tenant('b', { limits }) }))).toBeUndefined();
  });

  it('reads a budget as a per-tenant monthly spend rule', async () => {
    const step = rateLimit({ rules: [] });
    const context = limitedContext({ tenant: tenant('acme', { budget: { usd: 25, thresholds: [0.8] } }), inference: { maxTokens: 10 } });
    await step.run(context);
    expect(decisionOf(context).rules).toMatchObject([{ rule: 'tenant-budget', scope: 'tenant', unit: 'usd', limit: 25, outcome: 'allow' }]);
  });

  it('ignores the record when tenantLimits is off', async () => {
    const step = rateLimit({ rules: [...rules], tenantLimits: false });
    const context = limitedContext({ tenant: tenant('x', { limits: { 'tenant-rpm': false } }) });
    await step.run(context);
    expect(decisionOf(context).rules.map((r) => r.rule)).toEqual(['tenant-rpm', 'key-rpm']);
  });

  it.each([
    [{ limits: { unknown: 5 } }, 'no rule is named "unknown"'],
    [{ limits: { 'tenant-rpm': -1 } }, 'limit must be a number above zero'],
    [{ limits: { 'tenant-rpm': 'lots' } }, 'must be a number (new limit), false (off), or a rule'],
    [{ limits: { extra: { scope: 'key', unit: 'requests', limit: 5 } } }, 'window is required'],
    [{ budget: { usd: 'ten' } }, 'budget.usd must be a number'],
    [{ budget: { usd: 10, period: 'month' } }, 'unknown fields: period'],
  ])('fails closed on a bad record (%j): 500, the cause for the logs only', async (extra, cause) => {
    const step = rateLimit({ rules: [...rules] });
    const error = await refusalOf(step, limitedContext({ tenant: tenant('broken', extra as Partial<Tenant>) }));
    expect(error).toMatchObject({ code: 'TG_INTERNAL', status: 500 });
    expect(error?.message).not.toContain('broken');
    expect(String((error?.cause as Error).message)).toContain(cause);
  });
});

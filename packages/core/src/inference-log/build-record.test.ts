// The pure parts of the record: outcome, cost, usage from the settlement, decisions under their record names.
import { describe, expect, it } from 'vitest';
import type { Decisions } from '../context/tg-context.js';
import { costOf, decisionsOf, isoTimestamp, outcomeOf, usageOf } from './build-record.js';

describe('outcomeOf', () => {
  it.each([
    [200, false, false, 'success'], [401, false, true, 'denied'], [429, false, true, 'denied'], [503, false, true, 'unavailable'],
    [500, false, true, 'error'], [404, false, false, 'client_error'], [502, false, false, 'upstream_error'], [200, true, false, 'aborted'],
  ] as const)('status %i, aborted %s, refused %s is %s', (status, aborted, refused, outcome) => {
    expect(outcomeOf(status, aborted, refused)).toBe(outcome);
  });
});

describe('costOf', () => {
  it('prices usage per million tokens, to the nano-dollar, and is null without a price or usage', () => {
    const model = { price: { inputPerMTok: 2.5, outputPerMTok: 10 } };
    expect(costOf(model, { inputTokens: 1234, outputTokens: 567 })).toBe(0.008755);
    expect(costOf(model, { inputTokens: 1, outputTokens: 0 })).toBe(0.0000025);
    expect(costOf({}, { inputTokens: 1, outputTokens: 1 })).toBeNull();
    expect(costOf(model, undefined)).toBeNull();
  });
});

describe('usageOf', () => {
  const settled = (source: string): Decisions => ({ rateLimit: { settlement: { source, inputTokens: 12, outputTokens: 34 } } });
  it('prefers reported usage, then usage rateLimit measured, never a reservation estimate', () => {
    expect(usageOf({ usage: { inputTokens: 1, outputTokens: 2 }, decisions: settled('stream') })).toEqual({ inputTokens: 1, outputTokens: 2 });
    expect(usageOf({ usage: undefined, decisions: settled('stream') })).toEqual({ inputTokens: 12, outputTokens: 34 });
    expect(usageOf({ usage: undefined, decisions: settled('usage') })).toEqual({ inputTokens: 12, outputTokens: 34 });
    expect(usageOf({ usage: undefined, decisions: settled('reservation') })).toBeUndefined();
    expect(usageOf({ usage: undefined, decisions: {} })).toBeUndefined();
  });
});

describe('decisionsOf', () => {
  it('puts each step’s decision under its record name, in snake_case, and keeps unknown steps', () => {
    const decisions: Decisions = {
      authn: { outcome: 'allow', method: 'api_key', keyId: 'k1', cached: true },
      tenant: { outcome: 'allow', tenantId: 'acme', source: 'principal' },
      authz: { allow: false, rule: 'no-gpt4', provider: 'rbac', action: 'inference:chat' },
      rateLimit: { outcome: 'allow', rules: [{ rule: 'rpm', resetsAt: '2026-01-01T00:00:00Z' }] },
      refusal: { step: 'authorize', code: 'TG_POLICY_DENIED', status: 403 },
      piiScan: { found: 0, authorizationHeader: 'Bearer x' },
    };
    expect(decisionsOf(decisions, 512)).toEqual({
      authn: { outcome: 'allow', method: 'api_key', key_id: 'k1', cached: true },
      tenant: { outcome: 'allow', tenant_id: 'acme', source: 'principal' },
      authz: { allow: false, rule: 'no-gpt4', provider: 'rbac', action: 'inference:chat' },
      rate_limit: { outcome: 'allow', rules: [{ rule: 'rpm', resets_at: '2026-01-01T00:00:00Z' }] },
      refusal: { step: 'authorize', code: 'TG_POLICY_DENIED', status: 403 },
      pii_scan: { found: 0, authorization_header: '[redacted]' },
    });
  });
});

describe('isoTimestamp', () => {
  it('is the text of Date#toISOString, within a second, across seconds, and for fractional milliseconds', () => {
    const start = Date.UTC(2026, 10, 23, 23, 59, 58, 990);
    const times = [start, start + 0.4, start + 9, start + 10, start + 99.9, start + 1010, start + 1999.999, Date.UTC(2026, 11, 31, 23, 59, 59, 999) + 1, 0, 0.5, 999, 1000];
    for (const ms of times) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    // Back and forth between seconds, as records finishing out of order do.
    for (const ms of [start + 1500, start, start + 1500, start - 86_400_000]) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('agrees with Date#toISOString over a random spread of times', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let i = 0; i < 2_000; i++) {
      const ms = Math.floor(next() * Date.UTC(9999, 11, 31, 23, 59, 59, 999)) + (i % 3 === 0 ? next() : 0);
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('leaves times outside years 1970-9999 to Date, which throws for NaN as before', () => {
    for (const ms of [-1, -0.5, -62_198_755_200_000, Date.UTC(10000, 0, 1), 8.64e15]) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
  });
});

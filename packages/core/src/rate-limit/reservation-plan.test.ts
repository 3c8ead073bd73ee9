// The admission arithmetic (properties) and the headers it leads to.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goDuration, rateLimitHeaders } from './rate-limit-headers.js';
import type { CounterCharge } from './rate-limit-store.js';
import { chargeFor, planReservation } from './reservation-plan.js';

const window = { kind: 'fixed', ms: 60_000 } as const;

describe('planReservation', () => {
  it('never admits past a limit, and grants the largest output that fits', () => {
    const charge = fc.record({ fixed: fc.double({ min: 0, max: 5000, noNaN: true }), perOutputToken: fc.double({ min: 0, max: 300, noNaN: true }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.array(charge, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5000 }), (limit, requests, min, extra) => {
        let used = 0;
        for (const shape of requests) {
          const counter: CounterCharge = { key: 'k', limit, window, ...shape, enforce: true };
          const plan = planReservation([counter], [used], [], [], { min, max: min + extra });
          if (!plan.granted) continue;
          used += plan.amounts[0]!;
          if (used > limit) return false;
          const more = plan.output + 1;
          if (plan.output < min + extra && shape.perOutputToken > 0 && used - plan.amounts[0]! + chargeFor(counter, more) <= limit) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it('denies on any enforced counter or lease, ignores shadow ones, and reports what each needed', () => {
    const counters: CounterCharge[] = [
      { key: 'a', limit: 10, window, fixed: 5, perOutputToken: 1, enforce: true },
      { key: 'b', limit: 1, window, fixed: 1, perOutputToken: 0, enforce: false },
    ];
    expect(planReservation(counters, [0, 5], [], [], { min: 1, max: 100 })).toMatchObject({ granted: true, output: 5, amounts: [10, 1], countersAllowed: [true, false] });
    expect(planReservation(counters, [6, 0], [], [], { min: 1, max: 100 })).toMatchObject({ granted: false, output: 1, requested: [6, 1] });
    const lease = { key: 'l', limit: 2, enforce: true };
    expect(planReservation([], [], [lease], [2], { min: 0, max: 0 })).toMatchObject({ granted: false, leasesAllowed: [false] });
  });
});

describe('rate-limit headers', () => {
  it('writes durations the way OpenAI does', () => {
    expect([20, 999, 1000, 1500, 59_000, 60_000, 360_000, 3_723_500].map(goDuration)).toEqual(['20ms', '999ms', '1s', '1.5s', '59s', '1m0s', '6m0s', '1h2m3.5s']);
  });

  it('writes the seconds of a duration as the shortest decimal of its milliseconds', () => {
    // The reference: seconds with three decimals, trailing zeros dropped by Number().
    const reference = (ms: number): string => {
      const total = Math.max(0, Math.ceil(ms));
      if (total < 1000) return `${total}ms`;
      const [hours, minutes] = [Math.floor(total / 3_600_000), Math.floor((total % 3_600_000) / 60_000)];
      const secondsText = `${Number(((total % 60_000) / 1000).toFixed(3))}s`;
      return hours > 0 ? `${hours}h${minutes}m${secondsText}` : minutes > 0 ? `${minutes}m${secondsText}` : secondsText;
    };
    fc.assert(fc.property(fc.oneof(fc.nat(400_000_000), fc.double({ min: -10, max: 1e9, noNaN: true })), (ms) => {
      expect(goDuration(ms)).toBe(reference(ms));
    }), { numRuns: 2000 });
    expect([1001, 1010, 1100, 61_050, 3_600_005].map(goDuration)).toEqual(['1.001s', '1.01s', '1.1s', '1m1.05s', '1h0m0.005s']);
  });

  it('shows money in micro-dollars and the tightest rule in the OpenAI headers', () => {
    const headers = rateLimitHeaders([
      { rule: 'rpm', unit: 'requests', limit: 100, used: 10, windowSeconds: 60, resetMs: 1500 },
      { rule: 'rpd', unit: 'requests', limit: 1000, used: 950, windowSeconds: 86_400, resetMs: 3_600_000 },
      { rule: 'spend', unit: 'usd', limit: 5e9, used: 1_234_567_890, windowSeconds: 2_592_000, resetMs: 10_000 },
      { rule: 'streams', unit: 'concurrent', limit: 4, used: 1, windowSeconds: undefined, resetMs: undefined },
    ]);
    expect(headers['ratelimit-policy']).toBe('"rpm";q=100;w=60;qu="requests", "rpd";q=1000;w=86400;qu="requests", "spend";q=5000000;w=2592000;qu="usd-micros", "streams";q=4;qu="concurrent-requests"');
    expect(headers['ratelimit']).toBe('"rpm";r=90;t=2, "rpd";r=50;t=3600, "spend";r=3765432;t=10, "streams";r=3');
    expect(headers).toMatchObject({ 'x-ratelimit-limit-requests': '1000', 'x-ratelimit-remaining-requests': '50', 'x-ratelimit-reset-requests': '1h0m0s' });
    expect(headers['x-ratelimit-limit-tokens']).toBeUndefined();
    expect(rateLimitHeaders([])).toEqual({});
  });
});

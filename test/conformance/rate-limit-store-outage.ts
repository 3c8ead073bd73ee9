// What every RateLimitStore with a server must do when the server goes away and comes back: fail fast, let the outage policy decide, count again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rateLimit, type RateLimitDecision, type RateLimitStore, type ReserveRequest } from '@tollgate/core';
import { limitedContext, refusalOf } from '../../packages/core/src/rate-limit/test-context.js';
import type { StoreOutage } from './store-outage-conformance.js';
import { waitFor, within } from './wait-for.js';

/** A store whose server a test can stop, and how to dispose of both. */
export interface RateLimitStoreWithOutage {
  readonly store: RateLimitStore;
  readonly outage: StoreOutage;
  cleanup(): Promise<void>;
}

// Generous: a reconnect backs off up to a few seconds; a store call that hangs longer than this fails the test.
const settle = 10_000;
const recover = 20_000;
let serial = 0;
const probe = (): ReserveRequest => ({
  id: `outage-probe-${process.pid}-${++serial}`,
  counters: [{ key: 'probe', limit: 1_000_000, window: { kind: 'fixed', ms: 3_600_000 }, fixed: 1, perOutputToken: 0, enforce: false }],
  leases: [],
  output: { min: 0, max: 0 },
  ttlMs: 60_000,
});
const decisionOf = (context: { decisions: Record<string, unknown> }) => context.decisions['rateLimit'] as RateLimitDecision;

/**
 * Registers the outage test of a rate-limit store whose server a test can stop.
 *
 * @example
 * describeRateLimitStoreOutage('redisRateLimitStore', async () => ({ store, outage: { stop: redis.kill, start: redis.start }, cleanup }));
 */
export function describeRateLimitStoreOutage(name: string, make: () => Promise<RateLimitStoreWithOutage>): void {
  describe(`${name} (outage conformance)`, () => {
    let subject: RateLimitStoreWithOutage;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.outage.start().catch(() => undefined);
      await subject.cleanup();
    });

    it('fails calls quickly while the server is away, lets each rule’s outage policy decide, and counts in the store again when it is back', async () => {
      const { store, outage } = subject;
      const rule = { scope: 'key', unit: 'requests', limit: 100, window: '1h' } as const;
      const closed = rateLimit({ store, storeTimeoutMs: 2_000, rules: [{ ...rule, name: 'closed', onStoreFailure: 'fail_closed' }] });
      const insured = rateLimit({ store, storeTimeoutMs: 2_000, rules: [{ ...rule, name: 'insured', insuranceLimit: 1 }] });
      try {
        const held = limitedContext();
        expect(await refusalOf(closed, held)).toBeUndefined();
        expect(decisionOf(held).rules[0]).toMatchObject({ outcome: 'allow', store: 'primary' });
        await outage.stop();
        await expect(within(store.reserve(probe()), settle, 'reserve')).rejects.toThrow();
        // A reservation made before the outage cannot be settled now: the call fails, it does not hang.
        await within(Promise.resolve(closed.finish!(held, { status: 200, aborted: false })), settle, 'settling through the step');
        expect(decisionOf(held).settlement?.error).toBeDefined();
        expect((await within(refusalOf(closed, limitedContext()), settle, 'a fail_closed request'))?.status).toBe(503);
        const insurance = [await within(refusalOf(insured, limitedContext()), settle, 'an insured request'), await refusalOf(insured, limitedContext())];
        expect(insurance.map((refusal) => refusal?.status)).toEqual([undefined, 429]);
        expect(Math.abs(store.now() - Date.now())).toBeLessThan(60_000);
        await outage.start();
        await waitFor(async () => store.reserve(probe()).then(() => true, () => false), 'the store to answer again', recover);
        const after = limitedContext();
        expect(await refusalOf(closed, after)).toBeUndefined();
        expect(decisionOf(after).rules[0]).toMatchObject({ outcome: 'allow', store: 'primary' });
      } finally {
        await closed.close?.();
        await insured.close?.();
      }
    });
  });
}

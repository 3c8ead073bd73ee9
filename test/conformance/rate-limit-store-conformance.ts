// The behaviour every RateLimitStore (memory, Redis) must show, as one reusable vitest suite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { windowAt, type CounterCharge, type LeaseCharge, type LimitWindow, type RateLimitStore, type ReserveRequest } from '@tollgate/core';

/** A fresh store for one test, and how to dispose of it. */
export interface RateLimitStoreUnderTest {
  readonly store: RateLimitStore;
  cleanup(): Promise<void>;
}

const hour: LimitWindow = { kind: 'fixed', ms: 3_600_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let serial = 0;
const id = (): string => `res-${process.pid}-${++serial}-${Math.random().toString(36).slice(2)}`;

function counter(key: string, limit: number, overrides: Partial<CounterCharge> = {}): CounterCharge {
  return { key, limit, window: hour, fixed: 1, perOutputToken: 0, enforce: true, ...overrides };
}

function reserveRequest(counters: CounterCharge[], leases: LeaseCharge[] = [], extra: Partial<ReserveRequest> = {}): ReserveRequest {
  return { id: id(), counters, leases, output: { min: 0, max: 0 }, ttlMs: 60_000, ...extra };
}

/**
 * Registers the RateLimitStore conformance tests under `describe(name)`. `make` is called before each
 * test and must return an empty store.
 *
 * @example
 * describeRateLimitStoreConformance('memoryRateLimitStore', async () => ({ store: memoryRateLimitStore(), cleanup: async () => {} }));
 */
export function describeRateLimitStoreConformance(name: string, make: () => Promise<RateLimitStoreUnderTest>): void {
  describe(`${name} (RateLimitStore conformance)`, () => {
    let subject: RateLimitStoreUnderTest;
    let store: RateLimitStore;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    it('grants within the limit, charges every counter, and reports the window by its own clock', async () => {
      const first = await store.reserve(reserveRequest([counter('a', 3), counter('b', 10, { fixed: 4 })]));
      expect(first.granted).toBe(true);
      expect(first.counters.map((c) => [c.used, c.amount, c.allowed])).toEqual([[0, 1, true], [0, 4, true]]);
      const span = windowAt(hour, first.now);
      expect(first.counters[0]).toMatchObject({ windowStart: span.start, windowEnd: span.end });
      expect(Math.abs(first.now - Date.now())).toBeLessThan(60_000);
      const second = await store.reserve(reserveRequest([counter('a', 3), counter('b', 10, { fixed: 4 })]));
      expect(second.counters.map((c) => c.used)).toEqual([1, 4]);
    });

    it('denies when one counter is over and charges nothing on any of them', async () => {
      await store.reserve(reserveRequest([counter('tight', 1)]));
      const denied = await store.reserve(reserveRequest([counter('roomy', 100), counter('tight', 1)]));
      expect(denied.granted).toBe(false);
      expect(denied.counters.map((c) => [c.allowed, c.amount, c.requested])).toEqual([[true, 0, 1], [false, 0, 1]]);
      const after = await store.reserve(reserveRequest([counter('roomy', 100)]));
      expect(after.counters[0]!.used).toBe(0);
    });

    it('admits exactly the limit out of 300 concurrent reservations', async () => {
      const results = await Promise.all(Array.from({ length: 300 }, () => store.reserve(reserveRequest([counter('burst', 100), counter('wide', 1000)]))));
      expect(results.filter((r) => r.granted)).toHaveLength(100);
      const check = await store.reserve(reserveRequest([counter('burst', 100, { enforce: false }), counter('wide', 1000, { enforce: false })]));
      expect(check.counters.map((c) => c.used)).toEqual([100, 100]);
    });

    it('grants the most output per choice that every enforced counter allows', async () => {
      const tokens = counter('tokens', 1000, { fixed: 100, perOutputToken: 2 });
      const shadow = counter('shadow', 10, { fixed: 100, perOutputToken: 2, enforce: false });
      const first = await store.reserve(reserveRequest([tokens, shadow], [], { output: { min: 1, max: 2000 } }));
      expect(first).toMatchObject({ granted: true, output: 450 });
      expect(first.counters.map((c) => c.amount)).toEqual([1000, 1000]);
      const none = await store.reserve(reserveRequest([tokens], [], { output: { min: 1, max: 2000 } }));
      expect(none).toMatchObject({ granted: false });
      expect(none.counters[0]).toMatchObject({ used: 1000, requested: 102, allowed: false });
    });

    it('never lets fractional costs add up past the limit', async () => {
      const money = counter('usd', 1_000_000, { fixed: 12_345.6, perOutputToken: 37.5 });
      const results = await Promise.all(Array.from({ length: 120 }, () => store.reserve(reserveRequest([money], [], { output: { min: 200, max: 200 } }))));
      const granted = results.filter((r) => r.granted);
      const each = Math.ceil(12_345.6 + 37.5 * 200);
      expect(granted).toHaveLength(Math.floor(1_000_000 / each));
      expect(granted.every((r) => r.counters[0]!.amount === each)).toBe(true);
    });

    it('counts shadow counters without denying, and charges them nothing when another denies', async () => {
      const shadow = counter('shadow', 1, { enforce: false });
      const results = [await store.reserve(reserveRequest([shadow])), await store.reserve(reserveRequest([shadow]))];
      expect(results.map((r) => [r.granted, r.counters[0]!.allowed])).toEqual([[true, true], [true, false]]);
      await store.reserve(reserveRequest([counter('gate', 1)]));
      const denied = await store.reserve(reserveRequest([counter('gate', 1), shadow]));
      expect(denied.granted).toBe(false);
      // Two granted before; the denied request charged nothing.
      expect((await store.reserve(reserveRequest([shadow]))).counters[0]!.used).toBe(2);
    });

    it('holds concurrency leases until settled', async () => {
      const lease: LeaseCharge = { key: 'streams', limit: 2, enforce: true };
      const a = reserveRequest([], [lease]);
      expect((await store.reserve(a)).granted).toBe(true);
      expect((await store.reserve(reserveRequest([], [lease]))).granted).toBe(true);
      const third = await store.reserve(reserveRequest([], [lease]));
      expect(third).toMatchObject({ granted: false, leases: [{ held: 2, allowed: false }] });
      await store.settle({ id: a.id, counters: [], leaseKeys: ['streams'] });
      expect((await store.reserve(reserveRequest([], [lease]))).granted).toBe(true);
    });

    it('lets leases of a dead process expire, and keeps renewed ones', async () => {
      const lease: LeaseCharge = { key: 'short', limit: 2, enforce: true };
      const renewed = reserveRequest([], [lease], { ttlMs: 400 });
      await store.reserve(renewed);
      await store.reserve(reserveRequest([], [lease], { ttlMs: 400 }));
      await sleep(250);
      await store.renew([{ id: renewed.id, leaseKeys: ['short'] }], 2_000);
      await sleep(400);
      const later = await store.reserve(reserveRequest([], [lease]));
      expect(later).toMatchObject({ granted: true, leases: [{ held: 1 }] });
    });

    it('settles to the real amount once: refunds, extra charges, repeats and unknown ids', async () => {
      const tokens = counter('settle', 1000, { fixed: 0, perOutputToken: 1 });
      const a = reserveRequest([tokens], [], { output: { min: 300, max: 300 } });
      const b = reserveRequest([tokens], [], { output: { min: 300, max: 300 } });
      const ra = await store.reserve(a);
      const rb = await store.reserve(b);
      await store.settle({ id: a.id, counters: [{ key: 'settle', windowStart: ra.counters[0]!.windowStart, actual: 50 }], leaseKeys: [] });
      await store.settle({ id: a.id, counters: [{ key: 'settle', windowStart: ra.counters[0]!.windowStart, actual: 0 }], leaseKeys: [] });
      await store.settle({ id: b.id, counters: [{ key: 'settle', windowStart: rb.counters[0]!.windowStart, actual: 420 }], leaseKeys: [] });
      await store.settle({ id: 'never-reserved', counters: [{ key: 'settle', windowStart: rb.counters[0]!.windowStart, actual: 999 }], leaseKeys: [] });
      const probe = await store.reserve(reserveRequest([{ ...tokens, enforce: false }]));
      expect(probe.counters[0]!.used).toBe(470);
    });

    it('cancels a reservation whose answer was lost, and a cancel that came first makes the reserve a no-op', async () => {
      const request = reserveRequest([counter('cancel', 5, { fixed: 2 })], [{ key: 'cancel-lease', limit: 1, enforce: true }]);
      await store.reserve(request);
      await store.cancel({ id: request.id, request, at: store.now() });
      const again = reserveRequest([counter('cancel', 5, { fixed: 2 })], [{ key: 'cancel-lease', limit: 1, enforce: true }]);
      expect(await store.reserve(again)).toMatchObject({ granted: true, counters: [{ used: 0 }], leases: [{ held: 0 }] });
      const early = reserveRequest([counter('cancel', 5, { fixed: 2 })]);
      await store.cancel({ id: early.id, request: early, at: store.now() });
      expect(await store.reserve(early)).toMatchObject({ granted: false, duplicate: true });
      expect((await store.reserve(reserveRequest([counter('cancel', 5, { enforce: false })]))).counters[0]!.used).toBe(2);
    });

    it('does a second reserve with the same id nothing', async () => {
      const request = reserveRequest([counter('dup', 10)]);
      expect((await store.reserve(request)).granted).toBe(true);
      expect(await store.reserve(request)).toMatchObject({ granted: false, duplicate: true });
      expect((await store.reserve(reserveRequest([counter('dup', 10)]))).counters[0]!.used).toBe(1);
    });

    it('starts a new window when its clock passes the window end', async () => {
      const second: LimitWindow = { kind: 'fixed', ms: 1000 };
      const first = await store.reserve(reserveRequest([counter('roll', 1, { window: second })]));
      expect(first.granted).toBe(true);
      const same = await store.reserve(reserveRequest([counter('roll', 1, { window: second })]));
      if (same.counters[0]!.windowStart === first.counters[0]!.windowStart) expect(same.granted).toBe(false);
      await sleep(Math.max(0, first.counters[0]!.windowEnd - store.now()) + 1100);
      const next = await store.reserve(reserveRequest([counter('roll', 1, { window: second })]));
      expect(next).toMatchObject({ granted: true, counters: [{ used: 0 }] });
      expect(next.counters[0]!.windowStart).toBeGreaterThan(first.counters[0]!.windowStart);
    });

    it('counts calendar windows from local midnight in their time zone', async () => {
      const month: LimitWindow = { kind: 'calendar', unit: 'month', timeZone: 'America/New_York', weekStartsOn: 1 };
      const result = await store.reserve(reserveRequest([counter('month', 5, { window: month })]));
      const span = windowAt(month, result.now);
      expect(result.counters[0]).toMatchObject({ windowStart: span.start, windowEnd: span.end, used: 0 });
      const start = new Date(span.start);
      const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).format(start);
      expect(local).toBe('1, 00:00');
    });
  });
}

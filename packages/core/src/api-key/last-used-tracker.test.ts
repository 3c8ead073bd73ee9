// Batched last-used times: one write per interval, failed batches merged into the next, newer uses win.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyUse } from '../key-store/key-store.js';
import { LastUsedTracker } from './last-used-tracker.js';

describe('LastUsedTracker', () => {
  let clock = 1_000;
  const batches: KeyUse[][] = [];
  const errors: Error[] = [];
  let failNext = false;
  const make = (maxPending = 100) =>
    new LastUsedTracker({
      touch: async (uses) => {
        if (failNext) {
          failNext = false;
          throw new Error('store down');
        }
        batches.push([...uses]);
      },
      flushIntervalMs: 60_000,
      maxPending,
      onError: (error) => errors.push(error),
      now: () => clock,
    });
  afterEach(() => {
    batches.length = 0;
    errors.length = 0;
    vi.useRealTimers();
  });

  it('writes nothing per request, then one batch with the latest use of each key', async () => {
    vi.useFakeTimers();
    const tracker = make();
    tracker.note('a');
    clock = 2_000;
    tracker.note('a');
    tracker.note('b');
    expect(batches).toStrictEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(batches).toStrictEqual([[{ keyId: 'a', at: 2_000 }, { keyId: 'b', at: 2_000 }]]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(batches).toHaveLength(1);
    await tracker.close();
  });

  it('keeps a failed batch for the next one, where a newer use of the same key wins', async () => {
    const tracker = make();
    clock = 5_000;
    tracker.note('a');
    tracker.note('b');
    failNext = true;
    await tracker.flush();
    expect(errors.map((e) => e.message)).toStrictEqual(['store down']);
    clock = 7_000;
    tracker.note('a');
    await tracker.close();
    expect(batches).toStrictEqual([[{ keyId: 'a', at: 7_000 }, { keyId: 'b', at: 5_000 }]]);
    expect(tracker.pending).toBe(0);
  });

  it('writes early when too many keys are pending', async () => {
    const tracker = make(2);
    tracker.note('a');
    tracker.note('b');
    await tracker.flush();
    expect(batches).toHaveLength(1);
    await tracker.close();
  });
});

// Unit tests of the fixed-window failure counter, on an injected clock.
import { describe, expect, it } from 'vitest';
import { FailureThrottle } from './failure-throttle.js';

function throttle(maxFailures = 3, windowMs = 60_000, maxTracked = 100) {
  const clock = { now: 1_000_000 };
  const t = new FailureThrottle({ maxFailures, windowMs, maxTracked, now: () => clock.now });
  return { t, clock };
}

describe('FailureThrottle', () => {
  it('lets an id try until it reaches maxFailures in a window', () => {
    const { t } = throttle(3);
    expect(t.retryAfterMs('k1')).toBe(0);
    t.recordFailure('k1');
    t.recordFailure('k1');
    expect(t.retryAfterMs('k1')).toBe(0);
    t.recordFailure('k1');
    expect(t.retryAfterMs('k1')).toBe(60_000);
  });

  it('reports the time left in the window, counted from the first failure', () => {
    const { t, clock } = throttle(2, 10_000);
    t.recordFailure('k1');
    clock.now += 4_000;
    t.recordFailure('k1');
    expect(t.retryAfterMs('k1')).toBe(6_000);
    clock.now += 5_999;
    expect(t.retryAfterMs('k1')).toBe(1);
  });

  it('opens again when the window ends and forgets the old count', () => {
    const { t, clock } = throttle(2, 10_000);
    t.recordFailure('k1');
    t.recordFailure('k1');
    clock.now += 10_000;
    expect(t.retryAfterMs('k1')).toBe(0);
    expect(t.tracked).toBe(0);
    t.recordFailure('k1');
    expect(t.retryAfterMs('k1')).toBe(0);
    t.recordFailure('k1');
    expect(t.retryAfterMs('k1')).toBe(10_000);
  });

  it('starts a fresh window when a failure arrives after the old one ended', () => {
    const { t, clock } = throttle(2, 10_000);
    t.recordFailure('k1');
    clock.now += 15_000;
    t.recordFailure('k1');
    expect(t.retryAfterMs('k1')).toBe(0);
    clock.now += 9_000;
    t.recordFailure('k1');
    expect(t.retryAfterMs('k1')).toBe(1_000);
  });

  it('keeps ids apart, including hostile ones', () => {
    const { t } = throttle(1);
    t.recordFailure('__proto__');
    expect(t.retryAfterMs('__proto__')).toBe(60_000);
    expect(t.retryAfterMs('constructor')).toBe(0);
    expect(t.retryAfterMs('')).toBe(0);
    t.recordFailure('');
    expect(t.retryAfterMs('')).toBe(60_000);
  });

  it('never tracks more than maxTracked ids, forgetting the oldest window first', () => {
    const { t, clock } = throttle(1, 60_000, 3);
    for (const id of ['a', 'b', 'c']) {
      t.recordFailure(id);
      clock.now += 1;
    }
    t.recordFailure('a'); // counting into an existing window does not make it younger
    t.recordFailure('d');
    expect(t.tracked).toBe(3);
    expect(t.retryAfterMs('a')).toBe(0);
    expect(t.retryAfterMs('b')).toBeGreaterThan(0);
    expect(t.retryAfterMs('d')).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) t.recordFailure(`flood-${i}`);
    expect(t.tracked).toBe(3);
    expect(t.retryAfterMs('flood-999')).toBeGreaterThan(0);
    expect(t.retryAfterMs('b')).toBe(0);
  });

  it('a restarted window moves to the young end', () => {
    const { t, clock } = throttle(1, 100, 2);
    t.recordFailure('a');
    clock.now += 50;
    t.recordFailure('b');
    clock.now += 60; // a's window is over, b's is not
    t.recordFailure('a'); // restarts a: now younger than b
    t.recordFailure('c'); // evicts the oldest: b
    expect(t.retryAfterMs('a')).toBe(100);
    expect(t.retryAfterMs('b')).toBe(0);
    expect(t.retryAfterMs('c')).toBe(100);
  });
});

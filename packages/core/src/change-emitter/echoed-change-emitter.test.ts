import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EchoedChangeEmitter } from './echoed-change-emitter.js';

interface TestChange {
  readonly id: string;
}

/** Whether `promise` has settled once pending callbacks ran (no timers advance). */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let tick = 0; tick < 10; tick++) await Promise.resolve();
  return done;
}

/** An emitter with one write waiting for its echo, its subscriber up or down. */
function oneWrite(live = true) {
  const changes = new EchoedChangeEmitter<TestChange>(() => live);
  const wait = changes.expectEcho();
  return { changes, wait, delivered: wait.delivered() };
}

describe('EchoedChangeEmitter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves delivered() when its own notification comes back', async () => {
    const { changes, wait, delivered } = oneWrite();
    expect(await settled(delivered)).toBe(false);
    expect(changes.settleIfOwn(changes.origin, wait.sequence)).toBe(true);
    expect(await settled(delivered)).toBe(true);
    expect(changes.waiting).toBe(0);
  });

  it('does not take another instance’s notification for its own', async () => {
    const { changes, wait, delivered } = oneWrite();
    expect(changes.settleIfOwn('another-instance', wait.sequence)).toBe(false);
    // Its own origin with an unusable sequence is still its own: not to be emitted, and nothing settles.
    expect(changes.settleIfOwn(changes.origin, undefined)).toBe(true);
    expect(await settled(delivered)).toBe(false);
  });

  it('resolves delivered() after 2 s when the notification never comes back', async () => {
    const { changes, delivered } = oneWrite();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(await settled(delivered)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(delivered)).toBe(true);
    expect(changes.waiting).toBe(0);
  });

  it('resolves delivered() at once while the subscriber is down', async () => {
    const { changes, delivered } = oneWrite(false);
    expect(await settled(delivered)).toBe(true);
    expect(changes.waiting).toBe(0);
  });

  it('resolves and forgets a cancelled wait', async () => {
    const { changes, wait, delivered } = oneWrite();
    expect(changes.waiting).toBe(1);
    wait.cancel();
    expect(changes.waiting).toBe(0);
    expect(await settled(delivered)).toBe(true);
    // A late echo of the cancelled write finds nothing to settle.
    expect(changes.settleIfOwn(changes.origin, wait.sequence)).toBe(true);
    expect(changes.waiting).toBe(0);
  });

  it('names each write with its own sequence', () => {
    const { changes, wait } = oneWrite();
    expect(changes.expectEcho().sequence).not.toBe(wait.sequence);
  });

  it('tells the other listeners when one throws', () => {
    const changes = new EchoedChangeEmitter<TestChange>(() => true);
    const heard: string[] = [];
    changes.subscribe(() => {
      throw new Error('watcher bug');
    });
    const unsubscribe = changes.subscribe((change) => heard.push(change.id));
    expect(() => changes.emit({ id: 'a' })).not.toThrow();
    unsubscribe();
    changes.emit({ id: 'b' });
    expect(heard).toEqual(['a']);
  });
});

// Unit tests of the bounded argon2 slots: at most N at once, FIFO queue, 503 shedding past the queue.
import { describe, expect, it } from 'vitest';
import { renderError } from '../errors/render-error.js';
import { TollgateError } from '../errors/tollgate-error.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';

/** A task that runs until the test settles it, recording when it started. */
function gate<T>(started: string[], name: string) {
  let settle!: { resolve: (value: T) => void; reject: (error: unknown) => void };
  const task = () => {
    started.push(name);
    return new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
    });
  };
  return { task, settle: () => settle };
}

/** Lets queued continuations run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('ConcurrencyLimiter', () => {
  it('runs at most maxConcurrent tasks at once and starts the rest in order', async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((name) => gate<string>(started, name));
    const results = tasks.map((t, i) => limiter.run(t.task).then((v) => `${i}:${v}`));
    await flush();
    expect(started).toEqual(['a', 'b']);
    expect(limiter.running).toBe(2);
    expect(limiter.waiting).toBe(3);

    tasks[1]!.settle().resolve('B');
    await flush();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(limiter.running).toBe(2);

    tasks[0]!.settle().resolve('A');
    await flush();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    tasks[2]!.settle().resolve('C');
    tasks[3]!.settle().resolve('D');
    await flush();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(limiter.running).toBe(1);
    tasks[4]!.settle().resolve('E');
    expect(await Promise.all(results)).toEqual(['0:A', '1:B', '2:C', '3:D', '4:E']);
    expect(limiter.running).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('never exceeds the bound under a burst of mixed outcomes', async () => {
    const limiter = new ConcurrencyLimiter(3, 1000);
    let active = 0;
    let peak = 0;
    const runs = Array.from({ length: 200 }, (_, i) =>
      limiter.run(async () => {
        active++;
        peak = Math.max(peak, active);
        for (let k = 0; k <= i % 5; k++) await Promise.resolve();
        active--;
        if (i % 7 === 0) throw new Error(`task ${i}`);
        return i;
      }),
    );
    const outcomes = await Promise.allSettled(runs);
    expect(peak).toBe(3);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(29);
    expect(limiter.running).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('sheds work past the queue with TG_OVERLOADED, 503, Retry-After: 1', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const started: string[] = [];
    const first = gate<void>(started, 'first');
    const second = gate<void>(started, 'second');
    const running = limiter.run(first.task);
    const queued = limiter.run(second.task);
    const shed = gate<void>(started, 'shed');
    const error: unknown = await limiter.run(shed.task).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TollgateError);
    const overloaded = error as TollgateError;
    expect(overloaded.code).toBe('TG_OVERLOADED');
    expect(overloaded.status).toBe(503);
    expect(overloaded.retryAfterSeconds).toBe(1);
    expect(renderError(overloaded).headers['retry-after']).toBe('1');
    expect(started).toEqual(['first']);
    expect(limiter.waiting).toBe(1);

    first.settle().resolve();
    await flush();
    second.settle().resolve();
    await Promise.all([running, queued]);
    expect(started).toEqual(['first', 'second']);
  });

  it('with maxQueue 0 refuses anything while all slots are busy', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    expect(limiter.saturated).toBe(false);
    const busy = gate<void>([], 'busy');
    const running = limiter.run(busy.task);
    expect(limiter.saturated).toBe(true);
    await expect(limiter.run(async () => 'x')).rejects.toMatchObject({ code: 'TG_OVERLOADED' });
    busy.settle().resolve();
    await running;
    expect(limiter.saturated).toBe(false);
    expect(await limiter.run(async () => 'free again')).toBe('free again');
  });

  it('frees the slot of a task that rejects or throws synchronously', async () => {
    const limiter = new ConcurrencyLimiter(1, 5);
    await expect(limiter.run(() => Promise.reject(new Error('argon2 failed')))).rejects.toThrow('argon2 failed');
    expect(limiter.running).toBe(0);
    await expect(limiter.run(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    expect(limiter.running).toBe(0);

    const started: string[] = [];
    const failing = gate<void>(started, 'failing');
    const first = limiter.run(failing.task);
    const next = limiter.run(async () => 'ran');
    await flush();
    failing.settle().reject(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    expect(await next).toBe('ran');
    expect(limiter.running).toBe(0);
  });
});

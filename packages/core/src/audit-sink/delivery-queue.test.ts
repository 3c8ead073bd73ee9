// The delivery queue: ordered batches, retries without reordering, a hard bound with counted drops, strict reservations.
import { describe, expect, it } from 'vitest';
import type { AuditRecord, InferenceRecord } from '../inference-log/inference-record.js';
import type { AuditSink } from './audit-sink.js';
import { DeliveryQueue, type DeliveryQueueOptions } from './delivery-queue.js';
import { chainHasher } from './hash-chain.js';
import { verifyAuditChain } from './verify-chain.js';

const record = (n: number) => ({ v: 1, request_id: `req_${n}` }) as unknown as InferenceRecord;
const ids = (records: readonly AuditRecord[]) => records.map((r) => r.request_id);

/** A sink whose writes fail while `failing` is set and wait while `held` is set. */
function controlledSink() {
  const written: AuditRecord[] = [];
  const batches: number[] = [];
  let release: (() => void) | undefined;
  const state = { failing: false, held: false, attempts: 0, closed: false };
  const sink: AuditSink = {
    name: 'controlled',
    async write(records) {
      state.attempts += 1;
      if (state.held) await new Promise<void>((resolve) => (release = resolve));
      if (state.failing) throw new Error('disk full');
      batches.push(records.length);
      written.push(...records);
    },
    async close() {
      state.closed = true;
    },
  };
  return { sink, written, batches, state, unhold: () => { state.held = false; release?.(); } };
}

function queueFor(sink: AuditSink, extra: Partial<DeliveryQueueOptions> = {}) {
  const dropped: number[] = [];
  const errors: unknown[] = [];
  const queue = new DeliveryQueue({
    sink, maxQueue: 100, batchSize: 10, chain: undefined, retry: { minMs: 1, maxMs: 4 }, writeTimeoutMs: 1_000,
    onDropped: (n) => dropped.push(n), onError: (e) => errors.push(e), ...extra,
  });
  return { queue, dropped, errors };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

describe('DeliveryQueue', () => {
  it('writes records in order, batching those queued in the same turn', async () => {
    const { sink, written, batches } = controlledSink();
    const { queue } = queueFor(sink, { batchSize: 4 });
    for (let n = 1; n <= 10; n++) queue.enqueue(record(n), false);
    expect(await queue.flush(2_000)).toBe(true);
    expect(ids(written)).toEqual(Array.from({ length: 10 }, (_, i) => `req_${i + 1}`));
    expect(batches).toEqual([4, 4, 2]);
  });

  it('lingers for more records before a batch, so records of several turns share one write', async () => {
    const { sink, batches } = controlledSink();
    const { queue } = queueFor(sink, { lingerMs: 50 });
    queue.enqueue(record(1), false);
    await new Promise((r) => setTimeout(r, 5));
    queue.enqueue(record(2), false);
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([]);
    await until(() => batches.length > 0);
    expect(batches).toEqual([2]);
  });

  it('lets records that arrive during a write linger for the next batch', async () => {
    const { sink, batches, state, unhold } = controlledSink();
    const { queue } = queueFor(sink, { lingerMs: 30 });
    state.held = true;
    queue.enqueue(record(1), false);
    await until(() => state.attempts === 1);
    queue.enqueue(record(2), false);
    unhold();
    await new Promise((r) => setTimeout(r, 5));
    queue.enqueue(record(3), false);
    await until(() => batches.length === 2);
    expect(batches).toEqual([1, 2]);
  });

  it('does not linger once a batch is full, nor on flush', async () => {
    const { sink, batches } = controlledSink();
    const { queue } = queueFor(sink, { batchSize: 3, lingerMs: 1_000 });
    for (let n = 1; n <= 3; n++) queue.enqueue(record(n), false);
    await until(() => batches.length > 0);
    expect(batches).toEqual([3]);
    queue.enqueue(record(4), false);
    const started = Date.now();
    expect(await queue.flush(2_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(500);
    expect(batches).toEqual([3, 1]);
  });

  it('retries a failing sink until it recovers, keeping order, and reports each failure', async () => {
    const { sink, written, state } = controlledSink();
    const { queue, errors } = queueFor(sink, { chain: chainHasher() });
    state.failing = true;
    queue.enqueue(record(1), false);
    queue.enqueue(record(2), false);
    await until(() => state.attempts >= 3);
    expect(queue.isHealthy).toBe(false);
    expect(queue.accepting).toBe(false);
    queue.enqueue(record(3), false);
    state.failing = false;
    expect(await queue.flush(2_000)).toBe(true);
    expect(queue.isHealthy).toBe(true);
    expect(ids(written)).toEqual(['req_1', 'req_2', 'req_3']);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(verifyAuditChain(written.map((r) => JSON.stringify(r))).ok).toBe(true);
  });

  it('drops (and counts) records over the bound instead of growing, and marks the gap in the next record', async () => {
    const { sink, written, state, unhold } = controlledSink();
    const { queue, dropped } = queueFor(sink, { maxQueue: 3, chain: chainHasher() });
    state.held = true;
    queue.enqueue(record(1), false);
    await until(() => state.attempts === 1);
    expect(queue.enqueue(record(2), false)).toBe(true);
    expect(queue.enqueue(record(3), false)).toBe(true);
    expect(queue.enqueue(record(4), false)).toBe(false);
    expect(queue.enqueue(record(5), false)).toBe(false);
    expect(queue.dropped).toBe(2);
    expect(dropped).toEqual([1, 1]);
    unhold();
    await until(() => queue.depth === 0);
    queue.enqueue(record(6), false);
    expect(await queue.flush(2_000)).toBe(true);
    expect(ids(written)).toEqual(['req_1', 'req_2', 'req_3', 'req_6']);
    expect(written[3]?.dropped_before).toBe(2);
    expect(written.slice(0, 3).every((r) => r.dropped_before === undefined)).toBe(true);
  });

  it('lets strict requests reserve room, so their records are never dropped', async () => {
    const { sink, written, state, unhold } = controlledSink();
    const { queue } = queueFor(sink, { maxQueue: 2 });
    state.held = true;
    expect(queue.reserve()).toBe(true);
    expect(queue.reserve()).toBe(true);
    expect(queue.reserve()).toBe(false);
    expect(queue.enqueue(record(1), false)).toBe(false);
    expect(queue.enqueue(record(2), true)).toBe(true);
    queue.release();
    expect(queue.reserve()).toBe(true);
    expect(queue.enqueue(record(3), true)).toBe(true);
    unhold();
    expect(await queue.flush(2_000)).toBe(true);
    expect(ids(written)).toEqual(['req_2', 'req_3']);
  });

  it('on close writes what it can in time, drops and counts the rest, and closes the sink', async () => {
    const { sink, state } = controlledSink();
    const { queue, dropped } = queueFor(sink);
    state.failing = true;
    queue.enqueue(record(1), false);
    queue.enqueue(record(2), false);
    await queue.close(30);
    expect(queue.dropped).toBe(2);
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(2);
    expect(state.closed).toBe(true);
    expect(queue.enqueue(record(3), false)).toBe(false);
  });

  it('treats a write that never finishes as failed', async () => {
    const { sink, state, written, unhold } = controlledSink();
    const { queue, errors } = queueFor(sink, { writeTimeoutMs: 20 });
    state.held = true;
    queue.enqueue(record(1), false);
    await until(() => errors.length > 0);
    expect(String((errors[0] as Error).message)).toMatch(/did not finish within 20 ms/);
    unhold();
    expect(await queue.flush(2_000)).toBe(true);
    expect(ids(written)).toContain('req_1');
  });
});

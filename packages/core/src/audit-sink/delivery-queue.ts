// Delivers records to one sink in the background: bounded, batched, in order, retried, chained, drops counted.
import type { AuditRecord, InferenceRecord } from '../inference-log/inference-record.js';
import type { AuditSink } from './audit-sink.js';
import { linkRecord, type ChainHasher, type ChainHead } from './hash-chain.js';

/** Options of a {@link DeliveryQueue}. */
export interface DeliveryQueueOptions {
  readonly sink: AuditSink;
  /** Records held (queued plus reserved) before new ones are dropped. */
  readonly maxQueue: number;
  /** Records per `write` call. */
  readonly batchSize: number;
  /**
   * How long a batch waits for more records before it is written, in ms (a full batch, a flush or a
   * close does not wait). 0 or absent: written as soon as the event loop is free.
   */
  readonly lingerMs?: number;
  /** Chains records when set. */
  readonly chain: ChainHasher | undefined;
  /** Backoff between retries of a failed write, doubling from `minMs` to `maxMs`. */
  readonly retry: { readonly minMs: number; readonly maxMs: number };
  /** A `write` (or `open`) slower than this counts as failed and is retried. */
  readonly writeTimeoutMs: number;
  readonly onDropped: (count: number) => void;
  readonly onError: (error: unknown) => void;
}

interface QueuedRecord {
  readonly record: InferenceRecord;
  readonly droppedBefore: number;
  linked?: AuditRecord;
}

// One promise and one timer per batch (not a race of two promises and a finally): this runs for every batch.
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The queue in front of one sink. `enqueue` never waits; a single background loop writes batches in
 * order and retries a failed batch (with backoff) until it is stored, so records are never reordered.
 * Strict mode reserves room with `reserve()` before a request runs, so its record is never dropped.
 */
export class DeliveryQueue {
  readonly sink: AuditSink;
  private readonly items: QueuedRecord[] = [];
  private reserved = 0;
  private pendingDrops = 0;
  private droppedTotal = 0;
  private healthy = true;
  private opened = false;
  private head: ChainHead | undefined;
  private backoff: number;
  private draining: Promise<void> | undefined;
  private closing = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private endLinger: (() => void) | undefined;
  /** Flushes under way: while one waits, batches do not linger. */
  private flushing = 0;

  constructor(private readonly options: DeliveryQueueOptions) {
    this.sink = options.sink;
    this.backoff = options.retry.minMs;
  }

  /** Records waiting to be written. */
  get depth(): number {
    return this.items.length;
  }

  /** Records dropped because the queue was full or closed. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** False while the sink's last write failed, until a write succeeds again. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  /** Whether a strict request may proceed: the sink is healthy and there is room. */
  get accepting(): boolean {
    return !this.closing && this.healthy && this.items.length + this.reserved < this.options.maxQueue;
  }

  /** Reserves room for one future record; false when the queue cannot take it. */
  reserve(): boolean {
    if (!this.accepting) return false;
    this.reserved += 1;
    return true;
  }

  /** Gives back a reservation that will not be used. */
  release(): void {
    this.reserved = Math.max(0, this.reserved - 1);
  }

  /** Queues a record (using a reservation when `reserved`); false when it was dropped. */
  enqueue(record: InferenceRecord, reserved: boolean): boolean {
    if (reserved) this.release();
    if (this.stopped || (!reserved && (this.closing || this.items.length + this.reserved >= this.options.maxQueue))) {
      this.drop(1);
      return false;
    }
    this.items.push({ record, droppedBefore: this.pendingDrops });
    this.pendingDrops = 0;
    if (this.items.length >= this.options.batchSize) this.endLinger?.();
    this.schedule();
    return true;
  }

  /** Resolves true once every queued record is written, or false after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    this.flushing += 1;
    this.endLinger?.();
    try {
      while (this.items.length > 0 || this.draining !== undefined) {
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(10, Math.max(1, deadline - Date.now()))));
      }
      return true;
    } finally {
      this.flushing -= 1;
    }
  }

  /** Writes what it can within `timeoutMs`, drops (and counts) the rest, then closes the sink. */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    await this.flush(timeoutMs);
    this.stopped = true;
    this.wake?.();
    await this.draining;
    if (this.items.length > 0) this.drop(this.items.splice(0).length);
    await this.sink.close?.();
  }

  /** Whether a batch waits for more records: not while a flush or close waits for the queue to empty. */
  private get lingers(): boolean {
    return (this.options.lingerMs ?? 0) > 0 && !this.closing && !this.flushing;
  }

  private drop(count: number): void {
    this.droppedTotal += count;
    this.pendingDrops += count;
    this.options.onDropped(count);
  }

  private schedule(): void {
    if (this.draining !== undefined || this.stopped) return;
    const linger = this.lingers && this.items.length < this.options.batchSize ? (this.options.lingerMs ?? 0) : 0;
    // Records finished in the same turn (setImmediate), or within the linger, go out in one batch:
    // under load one write then carries many records instead of one each.
    this.draining = new Promise<void>((resolve) => {
      if (linger === 0) {
        setImmediate(resolve);
        return;
      }
      const timer = setTimeout(() => {
        this.endLinger = undefined;
        resolve();
      }, linger);
      this.endLinger = () => {
        clearTimeout(timer);
        this.endLinger = undefined;
        resolve();
      };
    })
      .then(() => this.drain())
      .finally(() => {
        this.draining = undefined;
        if (this.items.length > 0 && !this.stopped) this.schedule();
      });
  }

  private link(item: QueuedRecord): AuditRecord {
    if (item.linked !== undefined) return item.linked;
    if (this.options.chain === undefined) {
      item.linked = item.droppedBefore > 0 ? { ...item.record, dropped_before: item.droppedBefore } : item.record;
    } else {
      const linked = linkRecord(item.record, this.head, this.options.chain, item.droppedBefore);
      item.linked = linked.record;
      this.head = linked.head;
    }
    return item.linked;
  }

  private async drain(): Promise<void> {
    const { writeTimeoutMs, batchSize, retry } = this.options;
    while (this.items.length > 0 && !this.stopped) {
      try {
        if (!this.opened) {
          this.head = this.sink.open === undefined ? undefined : await withTimeout(this.sink.open(), writeTimeoutMs, `audit sink "${this.sink.name}" open`);
          this.opened = true;
        }
        const batch = this.items.slice(0, batchSize).map((item) => this.link(item));
        await withTimeout(this.sink.write(batch), writeTimeoutMs, `audit sink "${this.sink.name}" write`);
        this.items.splice(0, batch.length);
        this.healthy = true;
        this.backoff = retry.minMs;
        // Records that came in during the write linger for more (schedule), rather than go out one by one.
        if (this.lingers && this.items.length < batchSize) return;
      } catch (error) {
        this.healthy = false;
        this.options.onError(error);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.backoff);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        this.backoff = Math.min(this.backoff * 2, retry.maxMs);
      }
    }
  }
}

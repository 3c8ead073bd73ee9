// Last-used times of keys, noted in memory per request and written to the store in one batch per interval.
import type { KeyUse, WritableKeyStore } from '../key-store/key-store.js';

/** Options of {@link LastUsedTracker}. */
export interface LastUsedTrackerOptions {
  /** Writes one batch; `WritableKeyStore.touch` of the key store. */
  readonly touch: NonNullable<WritableKeyStore['touch']>;
  /** Time between batches. */
  readonly flushIntervalMs: number;
  /** Most keys remembered between batches; past it, a batch is written early. */
  readonly maxPending: number;
  /** Told when a batch could not be written (its times are kept for the next one). */
  readonly onError: (error: Error) => void;
  readonly now: () => number;
}

/**
 * Remembers the latest use of each key (a Map write per request, no I/O) and hands them to the store in
 * one `touch` call every `flushIntervalMs`, and once more on `close()`. A failed batch is merged back,
 * so an outage delays last-used times but never loses the latest one, and never fails a request.
 *
 * @example
 * const tracker = new LastUsedTracker({ touch: (uses) => store.touch!(uses), flushIntervalMs: 60_000, maxPending: 100_000, onError: console.warn, now: Date.now });
 * tracker.note(principal.keyId);
 */
export class LastUsedTracker {
  readonly #options: LastUsedTrackerOptions;
  #pending = new Map<string, number>();
  #flushing: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(options: LastUsedTrackerOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Notes that a key authenticated a request now. */
  note(keyId: string): void {
    this.#pending.set(keyId, this.#options.now());
    if (this.#pending.size >= this.#options.maxPending) void this.flush();
  }

  /** Keys waiting for the next batch. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Writes what is pending now; resolves when the batch is written or has failed (never rejects). */
  flush(): Promise<void> {
    if (this.#flushing !== undefined) return this.#flushing;
    if (this.#pending.size === 0) return Promise.resolve();
    const batch = this.#pending;
    this.#pending = new Map();
    const uses: KeyUse[] = [...batch].map(([keyId, at]) => ({ keyId, at }));
    this.#flushing = Promise.resolve()
      .then(() => this.#options.touch(uses))
      .catch((error: unknown) => {
        // Kept for the next batch; a newer use noted meanwhile wins.
        for (const [keyId, at] of batch) if (!((this.#pending.get(keyId) ?? -Infinity) >= at)) this.#pending.set(keyId, at);
        this.#report(error);
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    return this.#flushing;
  }

  /** Stops the timer and writes the last batch. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#flushing;
    await this.flush();
  }

  #report(error: unknown): void {
    try {
      this.#options.onError(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A failing report hook must not break the next batch.
    }
  }
}

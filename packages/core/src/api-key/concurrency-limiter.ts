// Bounds how many argon2 verifications run and wait at once; past the queue, work is shed with a 503.
import { TollgateError } from '../errors/tollgate-error.js';

/**
 * Runs at most `maxConcurrent` tasks; up to `maxQueue` wait in order; more are refused with
 * TG_OVERLOADED (503, Retry-After: 1) instead of growing an unbounded queue.
 *
 * @example
 * const argon2Slots = new ConcurrencyLimiter(2, 64);
 * const ok = await argon2Slots.run(() => verifySecret(hash, secret));
 */
export class ConcurrencyLimiter {
  readonly #maxConcurrent: number;
  readonly #maxQueue: number;
  readonly #queue: Array<() => void> = [];
  #running = 0;

  constructor(maxConcurrent: number, maxQueue: number) {
    this.#maxConcurrent = maxConcurrent;
    this.#maxQueue = maxQueue;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#maxConcurrent) {
      if (this.#queue.length >= this.#maxQueue) throw new TollgateError('TG_OVERLOADED', { retryAfterSeconds: 1 });
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      // The slot passes straight to the next waiter, so #running stays counted.
      if (next === undefined) this.#running--;
      else next();
    }
  }

  /** True when {@link run} would refuse a task now: every slot busy and the queue full. */
  get saturated(): boolean {
    return this.#running >= this.#maxConcurrent && this.#queue.length >= this.#maxQueue;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#queue.length;
  }
}

// Counts failed verifications per key id or client IP in fixed windows, so brute force stops before argon2.

/** Options of {@link FailureThrottle}. */
export interface FailureThrottleConfig {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Most ids tracked; the oldest windows are forgotten first. */
  readonly maxTracked: number;
  readonly now: () => number;
}

interface Window {
  start: number;
  failures: number;
}

/**
 * A fixed-window failure counter with bounded memory.
 *
 * @example
 * const throttle = new FailureThrottle({ maxFailures: 10, windowMs: 60_000, maxTracked: 100_000, now: Date.now });
 * if (throttle.retryAfterMs(keyId) > 0) refuse();
 * if (!ok) throttle.recordFailure(keyId);
 */
export class FailureThrottle {
  readonly #windows = new Map<string, Window>();
  readonly #config: FailureThrottleConfig;

  constructor(config: FailureThrottleConfig) {
    this.#config = config;
  }

  /** Milliseconds until `id` may try again; 0 when it may try now. */
  retryAfterMs(id: string): number {
    const window = this.#windows.get(id);
    if (window === undefined) return 0;
    const elapsed = this.#config.now() - window.start;
    if (elapsed >= this.#config.windowMs) {
      this.#windows.delete(id);
      return 0;
    }
    return window.failures >= this.#config.maxFailures ? this.#config.windowMs - elapsed : 0;
  }

  /** Counts one failure for `id`. */
  recordFailure(id: string): void {
    const now = this.#config.now();
    const window = this.#windows.get(id);
    if (window !== undefined && now - window.start < this.#config.windowMs) {
      window.failures++;
      return;
    }
    if (window !== undefined) this.#windows.delete(id);
    if (this.#windows.size >= this.#config.maxTracked) {
      const oldest = this.#windows.keys().next();
      if (!oldest.done) this.#windows.delete(oldest.value);
    }
    this.#windows.set(id, { start: now, failures: 1 });
  }

  get tracked(): number {
    return this.#windows.size;
  }
}

// A store that connects in the background: calls wait for the attempt in flight, fail at once after a failed one, and retries back off.

/** How a {@link DeferredConnection} connects and retries. */
export interface DeferredConnectionOptions<T> {
  /** Makes the connected value (a store); rejects when it cannot. */
  readonly connect: () => Promise<T>;
  /** Releases a connected value. */
  readonly close: (value: T) => Promise<void>;
  /** Called once the value is connected, before any call gets it. */
  readonly onConnect?: (value: T) => void;
  /** A failure no retry can cure (a package that is not installed): no further attempt. @default () => false */
  readonly isPermanent?: (error: unknown) => boolean;
  /** First wait before another attempt after a failure; doubles up to `retryMaxMs`. @default 1000 */
  readonly retryMinMs?: number;
  /** @default 30000 */
  readonly retryMaxMs?: number;
}

/** Why a call could not get the value: the connection was closed. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

/**
 * Connects at once and again after each failure (with backoff), until closed. `use()` lends the
 * connected value, or waits for the attempt in flight, or rejects at once with the last failure, so a
 * request never waits for a retry timer; callers bound the wait with their own timeouts.
 *
 * @example
 * const connection = new DeferredConnection({ connect: () => redisKeyStore({ url }), close: (s) => s.close() });
 * await connection.ready(); // rejects with the StoreConnectionError of the first attempt, if it failed
 */
export class DeferredConnection<T> {
  #current: T | undefined;
  #attempt: Promise<T> | undefined;
  #failure: unknown;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delayMs: number;
  #closed = false;
  readonly #options: DeferredConnectionOptions<T>;

  constructor(options: DeferredConnectionOptions<T>) {
    this.#options = options;
    this.#delayMs = options.retryMinMs ?? 1_000;
    this.#start();
  }

  /** The connected value, if it is connected now. */
  get current(): T | undefined {
    return this.#current;
  }

  #start(): void {
    const attempt = this.#options.connect().then(
      async (value) => {
        if (this.#closed) {
          await this.#options.close(value).catch(() => undefined);
          throw new ConnectionClosedError('closed while connecting');
        }
        this.#options.onConnect?.(value);
        this.#current = value;
        this.#attempt = undefined;
        return value;
      },
      (error: unknown) => {
        this.#failure = error;
        this.#attempt = undefined;
        if (!this.#closed && this.#options.isPermanent?.(error) !== true) {
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            if (!this.#closed) this.#start();
          }, this.#delayMs);
          this.#timer.unref?.();
          this.#delayMs = Math.min(this.#delayMs * 2, this.#options.retryMaxMs ?? 30_000);
        }
        throw error;
      },
    );
    // Failures are reported through use() and ready(), never as unhandled rejections.
    attempt.catch(() => undefined);
    this.#attempt = attempt;
  }

  /** The value, or the attempt in flight; rejects with the last failure while no attempt is running. */
  use(): T | Promise<T> {
    if (this.#current !== undefined) return this.#current;
    if (this.#closed) return Promise.reject(new ConnectionClosedError('the store is closed'));
    return this.#attempt ?? Promise.reject(this.#failure);
  }

  /** Resolves once connected; rejects with the failure of the current (or last) attempt. */
  async ready(): Promise<void> {
    await this.use();
  }

  /** Stops retrying and closes the value, also one still connecting. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#attempt?.catch(() => undefined);
    const value = this.#current;
    this.#current = undefined;
    if (value !== undefined) await this.#options.close(value);
  }
}

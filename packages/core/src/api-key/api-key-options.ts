// Options of the apiKey() method, with their documented defaults.
import type { KeyStore } from '../key-store/key-store.js';

/** A failure throttle window. */
export interface FailureThrottleOptions {
  /** Failed verifications allowed in one window before further attempts are refused. */
  readonly maxFailures: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
}

/** Options of {@link apiKey}. */
export interface ApiKeyOptions {
  /** Where key records live. */
  readonly store: KeyStore;
  /**
   * Headers besides `Authorization: Bearer` that may carry a key.
   * @default ['x-api-key']
   */
  readonly headers?: readonly string[];
  /**
   * Key environments (`tg_<env>_…`) accepted here; keys of other environments are refused.
   * @default every environment
   */
  readonly environments?: readonly string[];
  readonly cache?: {
    /** How long a successful verification is reused without argon2. @default 30000 */
    readonly ttlMs?: number;
    /** Most cached verifications kept; the oldest go first. @default 10000 */
    readonly maxEntries?: number;
  };
  readonly argon2?: {
    /**
     * argon2 verifications running at once. One core is kept free for the event loop, so a flood of
     * wrong keys cannot starve valid requests.
     * @default os.availableParallelism() - 1, at least 1
     */
    readonly maxConcurrent?: number;
    /** Verifications waiting for a slot; past this, requests get 503 with Retry-After. @default 64 */
    readonly maxQueue?: number;
    /**
     * `'low'`: verifications run on worker threads at the lowest CPU priority (nice 19), so when the
     * machine is busy a flood of wrong keys gets only the CPU that serving leaves. Linux only: there
     * a thread's priority is its own; elsewhere (macOS, Windows) `'low'` is the same as `'normal'`.
     * `'normal'`: libuv's thread pool, at the process's priority.
     * @default 'low'
     */
    readonly priority?: 'low' | 'normal';
  };
  readonly throttle?: {
    /** Failed attempts per key id. @default { maxFailures: 10, windowMs: 60000 } */
    readonly perKeyId?: FailureThrottleOptions | false;
    /** Failed attempts per client IP. @default { maxFailures: 50, windowMs: 60000 } */
    readonly perIp?: FailureThrottleOptions | false;
    /** Most keys and IPs tracked at once. @default 100000 */
    readonly maxTracked?: number;
  };
  /**
   * Last-used times, written to the store (`touch`) in one batch per interval, never per request;
   * `false` turns it off. Only stores with `touch` record them (every store in tollgate has it).
   * @default { flushIntervalMs: 60000, maxPending: 100000 }
   */
  readonly lastUsed?:
    | false
    | {
        /** Time between batches. @default 60000 */
        readonly flushIntervalMs?: number;
        /** Most keys remembered between batches; past it a batch is written early. @default 100000 */
        readonly maxPending?: number;
        /** Told when a batch could not be written (it is retried with the next). @default process.emitWarning */
        readonly onError?: (error: Error) => void;
      };
  /** A store lookup slower than this is a 503. @default 2000 */
  readonly storeTimeoutMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

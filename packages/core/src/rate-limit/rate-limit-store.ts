// The RateLimitStore interface: check and reserve every counter and lease of one request atomically, then settle.
import type { LimitWindow } from './limit-window.js';

/** One counter a request is charged on: a rule's counter for one scope value, in one window. */
export interface CounterCharge {
  /** The counter's identity without its window (rule and scope value); the store adds the window. */
  readonly key: string;
  /** The limit in store units (requests, tokens, nano-USD). */
  readonly limit: number;
  readonly window: LimitWindow;
  /** Charged whatever the output: 1 request, the prompt's tokens, the prompt's cost. */
  readonly fixed: number;
  /** Charged per output token granted to each choice (n for output tokens, n x price for money). */
  readonly perOutputToken: number;
  /** False for a shadow rule: counted, never denies, never limits the output. */
  readonly enforce: boolean;
}

/** One concurrency lease: a slot held while the request runs, expiring on its own if never released. */
export interface LeaseCharge {
  readonly key: string;
  readonly limit: number;
  readonly enforce: boolean;
}

/** Everything one request asks for, checked and reserved together: all or nothing. */
export interface ReserveRequest {
  /** Unique id of this reservation (settle, renew and cancel name it). */
  readonly id: string;
  readonly counters: readonly CounterCharge[];
  readonly leases: readonly LeaseCharge[];
  /** Output tokens per choice: the store grants the most in [min, max] that every enforced counter allows. */
  readonly output: { readonly min: number; readonly max: number };
  /** How long leases and the reservation record live unless renewed. */
  readonly ttlMs: number;
}

/** A counter as the reservation found it. */
export interface CounterState {
  /** Units used in the window before this request. */
  readonly used: number;
  /** Units this request reserved (0 when the request was denied). */
  readonly amount: number;
  /** Units this request would need at the smallest output (what was checked, granted or not). */
  readonly requested: number;
  /** Whether this counter alone has room for the request (shadow counters too; only enforced ones deny). */
  readonly allowed: boolean;
  /** The window the request was counted in, by the store's clock. */
  readonly windowStart: number;
  readonly windowEnd: number;
}

/** A lease as the reservation found it. */
export interface LeaseState {
  /** Leases held before this request. */
  readonly held: number;
  /** Whether this lease alone has room (shadow leases too; only enforced ones deny). */
  readonly allowed: boolean;
}

/** The answer to a reservation: granted (and charged) or denied (and nothing charged anywhere). */
export interface ReserveResult {
  readonly granted: boolean;
  /** The store's clock when it decided, in milliseconds since the epoch. */
  readonly now: number;
  /** Output tokens per choice reserved (when granted). */
  readonly output: number;
  readonly counters: readonly CounterState[];
  readonly leases: readonly LeaseState[];
  /** True when a reservation with this id was already made or cancelled: nothing was done. */
  readonly duplicate?: boolean;
}

/** The real amount of one counter of a reservation, after the response. */
export interface CounterSettlement {
  readonly key: string;
  /** The window the counter was reserved in (`CounterState.windowStart`). */
  readonly windowStart: number;
  /** Units really used; the difference to the reservation is refunded or charged. */
  readonly actual: number;
}

/** A reservation to settle: its counters' real amounts; its leases are released. */
export interface SettleRequest {
  readonly id: string;
  readonly counters: readonly CounterSettlement[];
  readonly leaseKeys: readonly string[];
}

/** A reservation whose outcome is unknown (its call timed out), to undo if it happened. */
export interface CancelRequest {
  readonly id: string;
  /** The reserve request as it was sent. */
  readonly request: ReserveRequest;
  /** The store-clock estimate the request was built at, so the store can name the same windows. */
  readonly at: number;
}

/** A reservation still running, whose leases and record must not expire. */
export interface RenewRequest {
  readonly id: string;
  readonly leaseKeys: readonly string[];
}

/**
 * Where counters and leases live. Implementations must make `reserve` atomic across every counter and
 * lease of the request (all granted and charged, or nothing charged), take windows from their own
 * clock, and make `settle` and `cancel` idempotent. `test/conformance/rate-limit-store-conformance.ts`
 * is the behaviour every implementation passes.
 */
export interface RateLimitStore {
  /** Checks every counter and lease and reserves them all, or none. */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /** Replaces the reserved amounts with the real ones and releases the leases. A second call does nothing. */
  settle(request: SettleRequest): Promise<void>;
  /** Undoes a reservation that may or may not have happened; a later reserve with this id does nothing. */
  cancel(request: CancelRequest): Promise<void>;
  /** Keeps running reservations' leases and records alive for another `ttlMs`. */
  renew(requests: readonly RenewRequest[], ttlMs: number): Promise<void>;
  /** The store's clock estimate, for building requests (windows are decided by the store). */
  now(): number;
  close?(): Promise<void>;
}

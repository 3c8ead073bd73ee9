// In-memory RateLimitStore: exact within one process (JavaScript runs each reservation to completion), the default.
import { ConfigError } from '../errors/tollgate-error.js';
import { windowAt, type WindowSpan } from './limit-window.js';
import type { CancelRequest, CounterState, RateLimitStore, RenewRequest, ReserveRequest, ReserveResult, SettleRequest } from './rate-limit-store.js';
import { planReservation } from './reservation-plan.js';

/** Options of {@link memoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** The clock windows and leases are measured by. @default Date.now */
  readonly now?: () => number;
  /** How often expired windows, leases and records are swept, in milliseconds. @default 10000 */
  readonly sweepIntervalMs?: number;
}

interface Counter {
  used: number;
  expiresAt: number;
}

interface Record {
  /** Counter map key to amount reserved. */
  readonly charged: Map<string, number>;
  readonly leaseKeys: readonly string[];
  expiresAt: number;
  /** A tombstone left by cancel: a reserve with this id must do nothing. */
  readonly cancelled: boolean;
}

const counterId = (key: string, windowStart: number): string => `${key}@${windowStart}`;

/**
 * The synchronous core of a store that needs no I/O (the memory store). rateLimit calls it directly:
 * no promise, no timeout race, no turn of the microtask queue per request. Internal: a store written
 * by an app only ever has the asynchronous methods of RateLimitStore, which wrap these here.
 */
export interface ImmediateRateLimitStore {
  reserve(request: ReserveRequest): ReserveResult;
  settle(request: SettleRequest): void;
}

const immediateKey = Symbol('tollgate.immediateRateLimitStore');

/** The synchronous methods of a store made by {@link memoryRateLimitStore}; undefined for any other store. */
export function immediateStoreOf(store: RateLimitStore): ImmediateRateLimitStore | undefined {
  return (store as RateLimitStore & { [immediateKey]?: ImmediateRateLimitStore })[immediateKey];
}
const noKeys: readonly string[] = [];

/**
 * A store that keeps counters and leases in this process. Use it for one instance, for tests, and as
 * the insurance limiter while a shared store is down.
 *
 * @example
 * const limits = rateLimit({ store: memoryRateLimitStore(), rules: [{ name: 'rpm', scope: 'key', unit: 'requests', limit: 60, window: '1m' }] });
 */
export function memoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new ConfigError('memoryRateLimitStore: now must be a function returning milliseconds');
  const sweepEvery = options.sweepIntervalMs ?? 10_000;
  if (!Number.isSafeInteger(sweepEvery) || sweepEvery < 1) throw new ConfigError('memoryRateLimitStore: sweepIntervalMs must be a whole number above 0');
  const counters = new Map<string, Counter>();
  const leases = new Map<string, Map<string, number>>();
  const records = new Map<string, Record>();
  let nextSweep = now() + sweepEvery;

  const sweep = (at: number): void => {
    if (at < nextSweep) return;
    nextSweep = at + sweepEvery;
    for (const [id, counter] of counters) if (counter.expiresAt <= at) counters.delete(id);
    for (const [key, held] of leases) {
      for (const [id, expiresAt] of held) if (expiresAt <= at) held.delete(id);
      if (held.size === 0) leases.delete(key);
    }
    for (const [id, record] of records) if (record.expiresAt <= at) records.delete(id);
  };

  const liveLeases = (key: string, at: number): Map<string, number> | undefined => {
    const held = leases.get(key);
    if (held !== undefined) for (const [id, expiresAt] of held) if (expiresAt <= at) held.delete(id);
    return held;
  };

  const release = (id: string, record: Record, actual: ReadonlyMap<string, number>): void => {
    for (const [cid, reserved] of record.charged) {
      const counter = counters.get(cid);
      if (counter !== undefined) counter.used += (actual.get(cid) ?? 0) - reserved;
    }
    for (const key of record.leaseKeys) leases.get(key)?.delete(id);
    records.delete(id);
  };

  const reserve = (request: ReserveRequest): ReserveResult => {
    const at = now();
    sweep(at);
    // Plain loops, each counter's id built once: this runs for every request.
    const count = request.counters.length;
    const spans: WindowSpan[] = new Array(count);
    const ids: string[] = new Array(count);
    const used: number[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const span = windowAt(request.counters[i]!.window, at);
      const id = counterId(request.counters[i]!.key, span.start);
      const counter = counters.get(id);
      spans[i] = span;
      ids[i] = id;
      used[i] = counter === undefined || counter.expiresAt <= at ? 0 : counter.used;
    }
    const held = request.leases.map((l) => liveLeases(l.key, at)?.size ?? 0);
    if (records.has(request.id)) {
      const counterStates = request.counters.map((_, i) => ({ used: used[i]!, amount: 0, requested: 0, allowed: false, windowStart: spans[i]!.start, windowEnd: spans[i]!.end }));
      return { granted: false, duplicate: true, now: at, output: 0, counters: counterStates, leases: held.map((h) => ({ held: h, allowed: false })) };
    }
    const plan = planReservation(request.counters, used, request.leases, held, request.output);
    const counterStates: CounterState[] = new Array(count);
    for (let i = 0; i < count; i++) {
      counterStates[i] = {
        used: used[i]!,
        amount: plan.granted ? plan.amounts[i]! : 0,
        requested: plan.requested[i]!,
        allowed: plan.countersAllowed[i]!,
        windowStart: spans[i]!.start,
        windowEnd: spans[i]!.end,
      };
    }
    const leaseStates = held.map((h, j) => ({ held: h, allowed: plan.leasesAllowed[j]! }));
    if (plan.granted) {
      const charged = new Map<string, number>();
      for (let i = 0; i < count; i++) {
        const id = ids[i]!;
        const amount = plan.amounts[i]!;
        const counter = counters.get(id);
        if (counter === undefined || counter.expiresAt <= at) counters.set(id, { used: amount, expiresAt: spans[i]!.end });
        else counter.used += amount;
        charged.set(id, amount);
      }
      for (const lease of request.leases) {
        let leaseHeld = leases.get(lease.key);
        if (leaseHeld === undefined) leases.set(lease.key, (leaseHeld = new Map()));
        leaseHeld.set(request.id, at + request.ttlMs);
      }
      records.set(request.id, { charged, leaseKeys: request.leases.length === 0 ? noKeys : request.leases.map((l) => l.key), expiresAt: at + request.ttlMs, cancelled: false });
    }
    return { granted: plan.granted, now: at, output: plan.output, counters: counterStates, leases: leaseStates };
  };
  const settle = (request: SettleRequest): void => {
    const record = records.get(request.id);
    if (record === undefined || record.cancelled) return;
    const actual = new Map<string, number>();
    for (const c of request.counters) actual.set(counterId(c.key, c.windowStart), c.actual);
    release(request.id, record, actual);
  };

  const store: RateLimitStore & { [immediateKey]: ImmediateRateLimitStore } = {
    now,
    [immediateKey]: { reserve, settle },
    reserve: async (request: ReserveRequest): Promise<ReserveResult> => reserve(request),
    settle: async (request: SettleRequest): Promise<void> => settle(request),
    async cancel(request: CancelRequest): Promise<void> {
      const record = records.get(request.id);
      if (record === undefined) {
        records.set(request.id, { charged: new Map(), leaseKeys: [], expiresAt: now() + request.request.ttlMs, cancelled: true });
        return;
      }
      if (!record.cancelled) release(request.id, record, new Map());
    },
    async renew(requests: readonly RenewRequest[], ttlMs: number): Promise<void> {
      const at = now();
      for (const { id, leaseKeys } of requests) {
        const record = records.get(id);
        if (record === undefined || record.cancelled || record.expiresAt <= at) continue;
        record.expiresAt = at + ttlMs;
        for (const key of leaseKeys) {
          const held = leases.get(key);
          if (held?.has(id) === true) held.set(id, at + ttlMs);
        }
      }
    },
    async close(): Promise<void> {
      counters.clear();
      leases.clear();
      records.clear();
    },
  };
  return store;
}

// When the store fails: store calls bounded by a timeout, and each rule's outage policy applied to a reservation.
import { scopeText, type PreparedReservation } from './prepare-reservation.js';
import type { RuleOutcome } from './rate-limit-decision.js';
import type { ActiveRule } from './tenant-limits.js';

/** A store call that failed or took too long. The cause is kept for `onEvent`, never shown to clients. */
export class StoreFailure extends Error {
  override readonly name = 'StoreFailure';
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.timedOut = timedOut;
  }
}

/** What a store call that threw or rejected becomes: a StoreFailure naming the operation. */
export function storeFailure(error: unknown, operation: string): StoreFailure {
  return error instanceof StoreFailure ? error : new StoreFailure(`rate-limit store ${operation} failed: ${(error as Error)?.message ?? String(error)}`, false, error);
}

/**
 * Runs a store call, failing with a StoreFailure when it rejects or outlasts `timeoutMs`. A late
 * answer is dropped (its rejection handled), so nothing waits on a dead store. The timer starts only
 * when the call is still pending a microtask later: an in-memory store has answered by then, so its
 * calls never arm (and clear) a timer.
 *
 * @example
 * const result = await withinTimeout(() => store.reserve(request), 1000, 'reserve');
 */
export function withinTimeout<T>(call: () => Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (error: unknown): void => reject(storeFailure(error, operation));
    const done = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      return true;
    };
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(call());
    } catch (error) {
      done();
      fail(error);
      return;
    }
    pending.then(
      (value) => void (done() && resolve(value)),
      (error: unknown) => void (done() && fail(error)),
    );
    queueMicrotask(() => {
      if (settled) return;
      timer = setTimeout(() => void (done() && reject(new StoreFailure(`rate-limit store ${operation} took longer than ${timeoutMs} ms`, true))), timeoutMs);
    });
  });
}

/** A reservation split by what each rule does while its store is down. */
export interface OutagePlan {
  /** Enforced `fail_closed` rules: the request must be refused with a 503. */
  readonly closed: readonly ActiveRule[];
  /** The `insurance` rules, as a reservation for the in-memory limiter (at their insurance limits). */
  readonly insurance: PreparedReservation | undefined;
  /** `fail_open` rules, and shadow rules that cannot be counted: let through uncounted. */
  readonly open: readonly RuleOutcome[];
}

/**
 * Splits a reservation by outage policy.
 *
 * @example
 * const { closed, insurance, open } = planOutage(prepared);
 */
export function planOutage(prepared: PreparedReservation): OutagePlan {
  const closed: ActiveRule[] = [];
  const open: RuleOutcome[] = [];
  const counters: number[] = [];
  const leases: number[] = [];
  const sort = (rule: ActiveRule, keep: () => void): void => {
    if (rule.onStoreFailure === 'insurance') keep();
    else if (rule.onStoreFailure === 'fail_closed' && !rule.shadow) closed.push(rule);
    else open.push({ rule: rule.name, scope: scopeText(rule), unit: rule.unit, outcome: 'fail_open' });
  };
  prepared.counterRules.forEach((rule, i) => sort(rule, () => counters.push(i)));
  prepared.leaseRules.forEach((rule, j) => sort(rule, () => leases.push(j)));
  if (counters.length + leases.length === 0) return { closed, insurance: undefined, open };
  const { request } = prepared;
  const insurance: PreparedReservation = {
    ...prepared,
    request: {
      ...request,
      counters: counters.map((i) => ({ ...request.counters[i]!, limit: prepared.counterRules[i]!.insuranceLimit })),
      leases: leases.map((j) => ({ ...request.leases[j]!, limit: prepared.leaseRules[j]!.insuranceLimit })),
    },
    counterRules: counters.map((i) => ({ ...prepared.counterRules[i]!, limit: prepared.counterRules[i]!.insuranceLimit })),
    leaseRules: leases.map((j) => ({ ...prepared.leaseRules[j]!, limit: prepared.leaseRules[j]!.insuranceLimit })),
  };
  return { closed, insurance, open };
}

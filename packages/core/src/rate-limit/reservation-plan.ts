// The pure admission decision every store makes inside its atomic section (the Redis script mirrors it line by line).
import type { CounterCharge, LeaseCharge } from './rate-limit-store.js';

/** What one reservation would do, given the counters' and leases' current values. */
export interface ReservationPlan {
  readonly granted: boolean;
  /** Output tokens per choice granted. */
  readonly output: number;
  /** Units each counter is charged at `output`. */
  readonly amounts: readonly number[];
  /** Units each counter needs at the smallest output. */
  readonly requested: readonly number[];
  readonly countersAllowed: readonly boolean[];
  readonly leasesAllowed: readonly boolean[];
}

/** Units a counter is charged for `output` tokens per choice; rounded up, so nothing is ever free. */
export function chargeFor(counter: Pick<CounterCharge, 'fixed' | 'perOutputToken'>, output: number): number {
  return Math.ceil(counter.fixed + counter.perOutputToken * output);
}

/** The most output tokens per choice, at most `max`, that fit in `room` units of one counter; -1 when none do. */
function largestOutput(counter: CounterCharge, room: number, max: number): number {
  const output = Math.min(max, Math.floor((room - counter.fixed) / counter.perOutputToken));
  if (!(output >= 0) || chargeFor(counter, 0) > room) return -1;
  if (chargeFor(counter, output) <= room) return output;
  // Float rounding left the estimate a unit over: search below it (chargeFor grows with the output).
  let low = 0;
  let high = output;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (chargeFor(counter, mid) <= room) low = mid;
    else high = mid;
  }
  return low;
}

/**
 * Decides a reservation: the output is the largest in [min, max] every enforced counter allows;
 * the request is granted when every enforced counter and lease has room for it. Shadow entries
 * are charged when the request is granted but never deny it or limit its output.
 *
 * @example
 * planReservation([{ key: 'k', limit: 100, window, fixed: 10, perOutputToken: 1, enforce: true }], [0], [], [], { min: 1, max: 500 })
 * // { granted: true, output: 90, amounts: [100], ... }
 */
export function planReservation(
  counters: readonly CounterCharge[],
  used: readonly number[],
  leases: readonly LeaseCharge[],
  held: readonly number[],
  range: { readonly min: number; readonly max: number },
): ReservationPlan {
  let output = range.max;
  counters.forEach((counter, i) => {
    if (counter.enforce && counter.perOutputToken > 0) output = Math.min(output, largestOutput(counter, counter.limit - used[i]!, range.max));
  });
  if (output < range.min) output = range.min;
  const amounts = counters.map((counter) => chargeFor(counter, output));
  const requested = counters.map((counter) => chargeFor(counter, range.min));
  // `allowed` is what each entry alone would say (so shadow denials can be reported); only enforced ones decide.
  const countersAllowed = counters.map((counter, i) => used[i]! + amounts[i]! <= counter.limit);
  const leasesAllowed = leases.map((lease, j) => held[j]! + 1 <= lease.limit);
  const granted = counters.every((c, i) => !c.enforce || countersAllowed[i]) && leases.every((l, j) => !l.enforce || leasesAllowed[j]);
  return { granted, output, amounts, requested, countersAllowed, leasesAllowed };
}

// The life of a granted reservation: leases renewed while it runs, its stream metered, settled once at the end.
import type { TgContext } from '../context/tg-context.js';
import type { ResponseControl, ResponseObserver, ResponseOutcome } from '../pipeline/step.js';
import { inRuleUnits } from './limit-refusal.js';
import type { PreparedReservation } from './prepare-reservation.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import type { CancelRequest, RateLimitStore, ReserveResult } from './rate-limit-store.js';
import { chargeFor } from './reservation-plan.js';
import { reservedShape } from './request-cost.js';
import { responseMeter, type MeterReading } from './response-meter.js';
import { evidenceFor, settledAmounts } from './settle-reservation.js';
import { storeFailure, withinTimeout } from './store-outage.js';
import { immediateStoreOf } from './memory-rate-limit-store.js';

/** A granted reservation, from the moment it was made until it is settled. */
export interface HeldReservation {
  readonly context: TgContext;
  readonly prepared: PreparedReservation;
  readonly result: ReserveResult;
  readonly store: 'primary' | 'insurance';
  readonly heldSince: number;
  meter: (ResponseObserver & { reading(): MeterReading }) | undefined;
  cutOff: boolean;
  readonly decision: RateLimitDecision;
  /** Its index in the settler's list while held; undefined otherwise. */
  slot: number | undefined;
}

type Stores = { readonly primary: RateLimitStore; readonly insurance: RateLimitStore };

/** Keeps held reservations alive, meters their responses and settles them. */
export class ReservationSettler {
  // An array with each entry's index on it (removal swaps the last entry in), not a Set: a Set that
  // every request joins and leaves kept finished requests alive through young collections in the
  // apps (see "The hot path" in docs/design-notes.md).
  readonly #held: HeldReservation[] = [];
  readonly #stores: Stores;
  readonly #settings: ResolvedRateLimitOptions;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(stores: Stores, settings: ResolvedRateLimitOptions) {
    this.#stores = stores;
    this.#settings = settings;
  }

  /** Starts renewing a reservation's leases and record until it is settled. */
  hold(reservation: HeldReservation): void {
    this.#add(reservation);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#renew(), Math.floor(this.#settings.leaseMs / 3));
      this.#timer.unref?.();
    }
  }

  /** A meter for the response; with `cutOffStreams`, it aborts a stream that passes its reservation. */
  meter(reservation: HeldReservation, control: ResponseControl | undefined): ResponseObserver {
    const reserved = reservation.result.output * (reservation.prepared.cost?.choices ?? 1);
    const meter = responseMeter((pieces) => {
      if (!this.#settings.cutOffStreams || reservation.cutOff || pieces <= reserved) return;
      reservation.cutOff = true;
      control?.abort('the response passed its rate-limit reservation');
      this.#settings.onEvent?.({ type: 'cut_off', requestId: reservation.context.requestId, outputTokens: pieces, reserved });
    }, reservation.context);
    reservation.meter = meter;
    return meter;
  }

  /** Replaces the reservation with what the request really used, and releases its leases. */
  async settle(reservation: HeldReservation, outcome: ResponseOutcome): Promise<void> {
    this.#remove(reservation);
    const { context, prepared, result, decision } = reservation;
    const cost = prepared.cost;
    const evidence = evidenceFor(
      {
        refused: context.decisions.refusal !== undefined,
        usage: context.usage,
        // The meter is read only when nothing better is known (it may still have a whole JSON body to parse).
        reading: context.decisions.refusal !== undefined || context.usage !== undefined ? undefined : reservation.meter?.reading(),
        aborted: outcome.aborted || reservation.cutOff,
      },
      cost?.promptTokens ?? 0,
    );
    const actual = settledAmounts(prepared, result, evidence.usage);
    const tokens = evidence.usage ?? { inputTokens: cost?.promptTokens ?? 0, outputTokens: result.output * (cost?.choices ?? 1) };
    const price = cost?.nanoUsdPerToken;
    const costNano = price === undefined ? undefined : evidence.usage === undefined ? chargeFor(reservedShape('usd', cost!), result.output) : Math.ceil(tokens.inputTokens * price.input + tokens.outputTokens * price.output);
    let error: string | undefined;
    const store = this.#stores[reservation.store];
    const settlement = { id: prepared.request.id, counters: prepared.request.counters.map((c, i) => ({ key: c.key, windowStart: result.counters[i]!.windowStart, actual: actual[i]! })), leaseKeys: prepared.request.leases.map((l) => l.key) };
    try {
      const immediate = immediateStoreOf(store);
      if (immediate === undefined) await withinTimeout(() => store.settle(settlement), this.#settings.storeTimeoutMs, 'settle');
      else immediate.settle(settlement);
    } catch (thrown) {
      const failure = storeFailure(thrown, 'settle');
      error = failure.message;
      this.#settings.onEvent?.({ type: 'store_error', operation: 'settle', error: failure, requestId: context.requestId });
    }
    prepared.counterRules.forEach((rule, i) => {
      const entry = decision.rules.find((r) => r.rule === rule.name && r.store === reservation.store);
      if (entry !== undefined) entry.settled = inRuleUnits(rule.unit, error === undefined ? actual[i]! : result.counters[i]!.amount);
    });
    decision.settlement = {
      source: evidence.source,
      inputTokens: tokens.inputTokens,
      outputTokens: tokens.outputTokens,
      ...(costNano === undefined ? {} : { costUsd: inRuleUnits('usd', costNano) }),
      ...(reservation.cutOff ? { cutOff: true } : {}),
      ...(error === undefined ? {} : { error }),
    };
  }

  /** Undoes, in the background, a reservation whose call failed or timed out (it may have happened). */
  cancelLater(request: CancelRequest, requestId: string): void {
    withinTimeout(() => this.#stores.primary.cancel(request), this.#settings.storeTimeoutMs, 'cancel').catch((error: Error) => {
      this.#settings.onEvent?.({ type: 'store_error', operation: 'cancel', error, requestId });
    });
  }

  /** Stops renewing (at shutdown). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #add(reservation: HeldReservation): void {
    if (reservation.slot !== undefined) return;
    reservation.slot = this.#held.length;
    this.#held.push(reservation);
  }

  #remove(reservation: HeldReservation): void {
    const slot = reservation.slot;
    if (slot === undefined) return;
    reservation.slot = undefined;
    const last = this.#held.pop()!;
    if (last !== reservation) {
      this.#held[slot] = last;
      last.slot = slot;
    }
  }

  async #renew(): Promise<void> {
    if (this.#held.length === 0) {
      this.stop();
      return;
    }
    const now = Date.now();
    // A request whose end was never reported stops being renewed (its leases then expire) and is forgotten.
    for (const r of this.#held.filter((r) => now - r.heldSince >= this.#settings.maxRequestMs)) this.#remove(r);
    const due = (r: HeldReservation): boolean => now - r.heldSince >= this.#settings.leaseMs / 3;
    for (const name of ['primary', 'insurance'] as const) {
      const batch = this.#held.filter((r) => r.store === name && due(r)).map((r) => ({ id: r.prepared.request.id, leaseKeys: r.prepared.request.leases.map((l) => l.key) }));
      if (batch.length === 0) continue;
      try {
        await withinTimeout(() => this.#stores[name].renew(batch, this.#settings.leaseMs), this.#settings.storeTimeoutMs, 'renew');
      } catch (error) {
        this.#settings.onEvent?.({ type: 'store_error', operation: 'renew', error: error as Error });
      }
    }
  }
}

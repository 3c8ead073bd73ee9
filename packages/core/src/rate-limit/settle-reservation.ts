// What a finished request is charged: the evidence (usage, the stream, nothing) and each counter's real amount (pure).
import type { Usage } from '../context/principal.js';
import type { PreparedReservation } from './prepare-reservation.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import type { ReserveResult } from './rate-limit-store.js';
import type { MeterReading } from './response-meter.js';
import { actualAmount } from './request-cost.js';

/** How the request ended, as far as charging goes. */
export interface RequestEnd {
  /** A step refused the request after the reservation (the model was not called). */
  readonly refused: boolean;
  /** Usage reported by the handler or another step (`context.usage`). */
  readonly usage: Usage | undefined;
  /** What the response meter saw, if one watched the response. */
  readonly reading: MeterReading | undefined;
  /** The client went away, or the stream was cut off, before the end. */
  readonly aborted: boolean;
}

/** Tokens a request is charged for, and on what evidence; undefined tokens mean the full reservation. */
export interface Evidence {
  readonly source: NonNullable<RateLimitDecision['settlement']>['source'];
  readonly usage: Usage | undefined;
}

/**
 * Picks the evidence: a refusal costs no tokens; reported usage is used as reported (the response's
 * own `usage` filling in for `context.usage`); an aborted stream without usage is charged what it
 * streamed; anything else without usage is charged the full reservation, never zero.
 *
 * @example
 * evidenceFor({ refused: false, usage: context.usage, reading, aborted: outcome.aborted }, 120)
 */
export function evidenceFor(end: RequestEnd, promptTokens: number): Evidence {
  if (end.refused) return { source: 'refused', usage: { inputTokens: 0, outputTokens: 0 } };
  if (end.usage !== undefined) return { source: 'usage', usage: end.usage };
  const reading = end.reading;
  if (reading !== undefined && (reading.inputTokens !== undefined || reading.outputTokens !== undefined)) {
    return { source: 'usage', usage: { inputTokens: reading.inputTokens ?? promptTokens, outputTokens: reading.outputTokens ?? streamedTokens(reading) } };
  }
  if (end.aborted && reading?.stream === true) return { source: 'stream', usage: { inputTokens: promptTokens, outputTokens: streamedTokens(reading) } };
  return { source: 'reservation', usage: undefined };
}

/** Output tokens of a stream without usage: at least one per piece, or about four characters per token. */
export function streamedTokens(reading: MeterReading): number {
  return Math.max(reading.pieces, Math.ceil(reading.characters / 4));
}

/**
 * The real amount of each counter of a reservation: the evidence's cost, or the reserved amount when
 * there is no evidence. Requests and leases always count one.
 *
 * @example
 * const actual = settledAmounts(prepared, result, evidence.usage);
 */
export function settledAmounts(prepared: PreparedReservation, result: ReserveResult, usage: Usage | undefined): number[] {
  return prepared.counterRules.map((rule, i) => (usage === undefined ? result.counters[i]!.amount : actualAmount(rule.unit, usage, prepared.cost)));
}

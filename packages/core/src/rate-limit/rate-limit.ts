// rateLimit(): reserve every applicable limit before the model is called, settle with real usage after.
import type { TgContext } from '../context/tg-context.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import type { ClosableStep } from '../gate.js';
import { compileRules, needsInference, ruleMatchesModel, type CompiledRule } from './limit-rule.js';
import { limitRefusal } from './limit-refusal.js';
import { immediateStoreOf, memoryRateLimitStore } from './memory-rate-limit-store.js';
import { prepareReservation, type PreparedReservation } from './prepare-reservation.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { resolveRateLimitOptions, type RateLimitOptions } from './rate-limit-options.js';
import type { RateLimitStore, ReserveResult } from './rate-limit-store.js';
import { judgeReservation } from './judge-reservation.js';
import { ReservationSettler, type HeldReservation } from './reservation-settler.js';
import { planOutage, storeFailure, withinTimeout } from './store-outage.js';
import { applyToBody } from './request-body.js';
import { TenantLimits } from './tenant-limits.js';

/** The store's answer to a reservation: from the configured store, or from the insurance limiter while it is down. */
interface Answer {
  readonly prepared: PreparedReservation;
  readonly result: ReserveResult;
  readonly store: 'primary' | 'insurance';
}

/** The step `rateLimit()` returns. */
export interface RateLimitStep extends ClosableStep {
  readonly name: 'rateLimit';
  /** The store counters live in (closed by `close()` only when rateLimit created it). */
  readonly store: RateLimitStore;
}

/**
 * Checks and reserves every applicable limit (requests, tokens, concurrency, spend) across scopes
 * (key, user, tenant, model, IP, global) in one atomic store call; refuses with 429 when one is
 * reached; settles the reservation with real usage when the response ends. Limits come from
 * `rules` and from the tenant's record.
 *
 * @example
 * const limits = rateLimit({
 *   rules: [
 *     { name: 'key-rpm', scope: 'key', unit: 'requests', limit: 60, window: '1m' },
 *     { name: 'tenant-monthly-spend', scope: 'tenant', unit: 'usd', limit: 500, window: 'month', thresholds: [0.8] },
 *   ],
 *   store: redisRateLimitStore({ url: process.env.REDIS_URL }),
 * });
 * app.use('/v1', tollgate(gate({ authenticate, validateRequest, rateLimit: limits })));
 */
export function rateLimit(options: RateLimitOptions): RateLimitStep {
  if (options === null || typeof options !== 'object') throw new TypeError('rateLimit: options must be an object');
  const settings = resolveRateLimitOptions(options);
  const calendar = { timeZone: settings.timeZone, weekStartsOn: settings.weekStartsOn };
  const compiled: CompiledRule[] = compileRules(options.rules, calendar, 'rateLimit.rules');
  compiled.forEach((rule, i) => {
    if (rule.unit !== 'usd' || options.models === undefined) return;
    const unpriced = options.models.names.find((name) => ruleMatchesModel(rule, name) && options.models!.lookup(name)?.price === undefined);
    if (unpriced !== undefined) {
      throw new ConfigError(`rateLimit.rules[${i}] ("${rule.name}") limits spend on the model "${unpriced}", which has no price: give it a price in the model registry, or narrow the rule with models: [...]`);
    }
  });
  const tenantLimits = new TenantLimits(options.rules, compiled, calendar);
  const ownsStore = options.store === undefined;
  const store = options.store ?? memoryRateLimitStore();
  // Only used while the configured store fails, for rules whose policy is `insurance`.
  const insurance = memoryRateLimitStore();
  const held = new WeakMap<TgContext, HeldReservation>();
  const settler = new ReservationSettler({ primary: store, insurance }, settings);
  const emit = settings.onEvent;
  const immediate = immediateStoreOf(store);

  // Rules added by a tenant's record are checked at run time; configured ones also at startup, by the pipeline.
  const requires: string[] = [];
  if (compiled.some((r) => r.scopes.some((s) => s === 'key' || s === 'user' || s === 'tenant'))) requires.push('authenticate');
  if (compiled.some((r) => needsInference(r.unit) || r.models !== undefined || r.scopes.includes('model'))) requires.push('validateRequest');

  const reserveOutage = async (context: TgContext, prepared: PreparedReservation, decision: RateLimitDecision): Promise<Answer | undefined> => {
    const plan = planOutage(prepared);
    decision.rules.push(...plan.open);
    if (plan.closed.length > 0) {
      decision.outcome = 'unavailable';
      decision.rule = plan.closed[0]!.name;
      for (const rule of plan.closed) decision.rules.push({ rule: rule.name, scope: rule.scopes.join('+'), unit: rule.unit, outcome: 'unavailable' });
      throw new TollgateError('TG_LIMIT_STORE_UNAVAILABLE', { retryAfterSeconds: settings.outageRetryAfterMs / 1000, detail: { rule: plan.closed[0]!.name } });
    }
    if (plan.insurance === undefined) return undefined;
    return { prepared: plan.insurance, result: await insurance.reserve(plan.insurance.request), store: 'insurance' as const };
  };

  const reserveFailed = (context: TgContext, prepared: PreparedReservation, decision: RateLimitDecision, error: unknown, at: number): Promise<Answer | undefined> => {
    emit?.({ type: 'store_error', operation: 'reserve', error: storeFailure(error, 'reserve'), requestId: context.requestId });
    settler.cancelLater({ id: prepared.request.id, request: prepared.request, at }, context.requestId);
    return reserveOutage(context, prepared, decision);
  };

  const reserveAndAdmit = async (context: TgContext, prepared: PreparedReservation, decision: RateLimitDecision): Promise<void> => {
    const at = store.now();
    let answer: Answer | undefined;
    try {
      answer = { prepared, result: await withinTimeout(() => store.reserve(prepared.request), settings.storeTimeoutMs, 'reserve'), store: 'primary' };
    } catch (error) {
      answer = await reserveFailed(context, prepared, decision, error, at);
    }
    await admit(context, answer, decision);
  };

  /** Judges the store's answer: headers, refusal or the held reservation (and the body edits it asks for). */
  const admit = (context: TgContext, answer: Answer | undefined, decision: RateLimitDecision): Promise<void> | undefined => {
    if (answer === undefined) return undefined;
    const { prepared, result } = answer;
    if (result.duplicate === true) throw new TollgateError('TG_INTERNAL', { cause: new Error(`rate-limit reservation id ${prepared.request.id} was used twice`) });
    const judgement = judgeReservation(prepared, result, answer.store, settings.concurrencyRetryAfterMs);
    decision.rules.push(...judgement.outcomes);
    const headers = rateLimitHeaders(judgement.standings);
    Object.assign(context.responseHeaders, headers);
    for (const shadow of judgement.shadowDenials) emit?.({ type: 'shadow_deny', ...shadow, requestId: context.requestId });
    if (!result.granted) {
      decision.outcome = 'deny';
      const refusal = limitRefusal(judgement.denials, headers);
      decision.rule = String(refusal.detail?.['rule']);
      for (const denial of judgement.denials) emit?.({ type: 'deny', rule: denial.rule, counter: denial.scope, requestId: context.requestId });
      throw refusal;
    }
    for (const crossing of judgement.crossings) {
      const rule = prepared.counterRules.find((r) => r.name === crossing.rule)!;
      emit?.({ type: 'threshold', ...crossing, unit: rule.unit, requestId: context.requestId });
    }
    decision.reservationId = prepared.request.id;
    const reservation: HeldReservation = { context, prepared, result, store: answer.store, heldSince: Date.now(), meter: undefined, cutOff: false, decision, slot: undefined };
    held.set(context, reservation);
    settler.hold(reservation);
    if (prepared.cost === undefined) return undefined;
    decision.outputTokens = result.output;
    return applyToBody(context, prepared.cost, result.output, settings, decision);
  };

  return {
    name: 'rateLimit',
    requires,
    store,
    run(context) {
      let rules;
      try {
        rules = settings.tenantLimits ? tenantLimits.rulesFor(context.tenant) : tenantLimits.rulesFor(undefined);
      } catch (error) {
        throw new TollgateError('TG_INTERNAL', { cause: error });
      }
      const prepared = prepareReservation(rules, context, settings, globalThis.crypto.randomUUID());
      const decision: RateLimitDecision = { outcome: 'allow', rules: [...prepared.skipped] };
      context.decisions['rateLimit'] = decision;
      const { request } = prepared;
      if (request.counters.length + request.leases.length === 0) return undefined;
      // The memory store answers at once: no promise, no timeout race, nothing to wait for.
      if (immediate === undefined) return reserveAndAdmit(context, prepared, decision);
      const at = store.now();
      let result: ReserveResult;
      try {
        result = immediate.reserve(request);
      } catch (error) {
        return reserveFailed(context, prepared, decision, error, at).then((answer) => admit(context, answer, decision));
      }
      return admit(context, { prepared, result, store: 'primary' }, decision);
    },
    observeResponse(context, control) {
      const reservation = held.get(context);
      if (reservation?.prepared.cost === undefined) return undefined;
      return settler.meter(reservation, control);
    },
    async finish(context, outcome) {
      const reservation = held.get(context);
      if (reservation === undefined) return;
      held.delete(context);
      await settler.settle(reservation, outcome);
    },
    async close() {
      settler.stop();
      await insurance.close?.();
      if (ownsStore) await store.close?.();
    },
  };
}

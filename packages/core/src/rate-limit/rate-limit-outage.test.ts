// rateLimit when its store fails or hangs: each rule's outage policy, the store timeout, and recovery.
import { describe, expect, it } from 'vitest';
import { renderError } from '../errors/render-error.js';
import type { RateLimitDecision, RateLimitEvent } from './rate-limit-decision.js';
import { memoryRateLimitStore } from './memory-rate-limit-store.js';
import type { CancelRequest, RateLimitStore } from './rate-limit-store.js';
import { rateLimit } from './rate-limit.js';
import { limitedContext, refusalOf } from './test-context.js';

/** A working memory store that can be switched to failing (rejecting) or hanging (never answering). */
function unreliableStore() {
  const inner = memoryRateLimitStore();
  const state = { mode: 'ok' as 'ok' | 'fail' | 'hang', cancels: [] as CancelRequest[] };
  const gate = async <T>(call: () => Promise<T>): Promise<T> => {
    if (state.mode === 'fail') throw new Error('ECONNREFUSED 127.0.0.1:6390');
    if (state.mode === 'hang') return new Promise<T>(() => undefined);
    return call();
  };
  const store: RateLimitStore = {
    now: inner.now,
    reserve: (r) => gate(() => inner.reserve(r)),
    settle: (r) => gate(() => inner.settle(r)),
    cancel: (r) => {
      state.cancels.push(r);
      return gate(() => inner.cancel(r));
    },
    renew: (r, ttl) => gate(() => inner.renew(r, ttl)),
  };
  return { store, state };
}

const decisionOf = (context: { decisions: Record<string, unknown> }) => context.decisions['rateLimit'] as RateLimitDecision;

describe('rateLimit: store outages', () => {
  it('fails closed for money by default: 503 with Retry-After, never an allow', async () => {
    const { store, state } = unreliableStore();
    const step = rateLimit({ store, rules: [{ name: 'spend', scope: 'key', unit: 'usd', limit: 10, window: 'month' }] });
    state.mode = 'fail';
    const context = limitedContext({ inference: { maxTokens: 10 } });
    const error = await refusalOf(step, context);
    expect(error).toMatchObject({ code: 'TG_LIMIT_STORE_UNAVAILABLE', status: 503 });
    expect(renderError(error!).headers).toMatchObject({ 'retry-after': '5', 'x-should-retry': 'true' });
    expect(decisionOf(context)).toMatchObject({ outcome: 'unavailable', rule: 'spend', rules: [{ rule: 'spend', outcome: 'unavailable' }] });
  });

  it('falls back to the in-memory insurance limiter for request rates, at the insurance limit', async () => {
    const { store, state } = unreliableStore();
    const step = rateLimit({ store, rules: [{ name: 'rpm', scope: 'key', unit: 'requests', limit: 100, window: '1m', insuranceLimit: 2 }] });
    state.mode = 'fail';
    const admitted = [limitedContext(), limitedContext()];
    for (const context of admitted) expect(await refusalOf(step, context)).toBeUndefined();
    expect(decisionOf(admitted[0]!).rules[0]).toMatchObject({ outcome: 'allow', store: 'insurance', limit: 2 });
    expect((await refusalOf(step, limitedContext()))?.code).toBe('TG_RATE_LIMITED');
    state.mode = 'ok';
    const back = limitedContext();
    await step.run(back);
    expect(decisionOf(back).rules[0]).toMatchObject({ store: 'primary', used: 0, limit: 100 });
  });

  it('lets fail_open rules through uncounted and keeps the others', async () => {
    const events: RateLimitEvent[] = [];
    const { store, state } = unreliableStore();
    const step = rateLimit({ store, onEvent: (e) => events.push(e), rules: [{ name: 'open', scope: 'key', unit: 'requests', limit: 1, window: '1m', onStoreFailure: 'fail_open' }] });
    state.mode = 'fail';
    for (let i = 0; i < 3; i++) {
      const context = limitedContext();
      expect(await refusalOf(step, context)).toBeUndefined();
      expect(decisionOf(context).rules).toEqual([{ rule: 'open', scope: 'key', unit: 'requests', outcome: 'fail_open' }]);
    }
    expect(events.filter((e) => e.type === 'store_error' && e.operation === 'reserve')).toHaveLength(3);
  });

  it('gives up on a hanging store after storeTimeoutMs and cancels the reservation that may have happened', async () => {
    const { store, state } = unreliableStore();
    const step = rateLimit({ store, storeTimeoutMs: 50, rules: [{ name: 'rpm', scope: 'key', unit: 'requests', limit: 5, window: '1m' }, { name: 'spend', scope: 'key', unit: 'usd', limit: 1, window: 'day' }] });
    state.mode = 'hang';
    const hung = limitedContext({ inference: { maxTokens: 10 } });
    const error = await refusalOf(step, hung);
    expect(error?.code).toBe('TG_LIMIT_STORE_UNAVAILABLE');
    expect(state.cancels).toHaveLength(1);
    expect(state.cancels[0]?.request.counters.map((c) => c.key)).toEqual(['rpm|key=key1', 'spend|key=key1']);
    state.mode = 'ok';
    const context = limitedContext({ inference: { maxTokens: 10 } });
    await step.run(context);
    expect(decisionOf(context).rules[0]).toMatchObject({ store: 'primary', outcome: 'allow', used: 0 });
  });

  it('records a failed settlement and keeps the full reservation charged', async () => {
    const events: RateLimitEvent[] = [];
    const { store, state } = unreliableStore();
    const step = rateLimit({ store, onEvent: (e) => events.push(e), rules: [{ name: 'tokens', scope: 'key', unit: 'total_tokens', limit: 1000, window: '1h' }] });
    const context = limitedContext({ inference: { promptTokens: 100, maxTokens: 100 } });
    await step.run(context);
    context.recordUsage({ inputTokens: 100, outputTokens: 1 });
    state.mode = 'fail';
    await step.finish!(context, { status: 200, aborted: false });
    expect(decisionOf(context).settlement).toMatchObject({ source: 'usage', error: expect.stringContaining('settle failed') });
    expect(decisionOf(context).rules[0]).toMatchObject({ settled: 200 });
    expect(events.some((e) => e.type === 'store_error' && e.operation === 'settle')).toBe(true);
  });
});

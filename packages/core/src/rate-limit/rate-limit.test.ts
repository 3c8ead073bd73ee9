// rateLimit on requests and concurrency: scopes, headers, 429 bodies, shadow mode, thresholds, startup checks.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { renderError } from '../errors/render-error.js';
import type { RateLimitDecision, RateLimitEvent } from './rate-limit-decision.js';
import { immediateStoreOf, memoryRateLimitStore } from './memory-rate-limit-store.js';
import { rateLimit } from './rate-limit.js';
import { limitedContext, limitedHandle, refusalOf } from './test-context.js';

const rpm = { name: 'key-rpm', scope: 'key', unit: 'requests', limit: 2, window: '1m' } as const;

describe('rateLimit: requests', () => {
  it('admits up to the limit per key, then refuses with a retryable 429 naming rule and scope', async () => {
    const step = rateLimit({ rules: [rpm] });
    for (let i = 0; i < 2; i++) expect(await refusalOf(step, limitedContext({ keyId: 'k1' }))).toBeUndefined();
    expect(await refusalOf(step, limitedContext({ keyId: 'k2' }))).toBeUndefined();
    const context = limitedContext({ keyId: 'k1' });
    const error = await refusalOf(step, context);
    expect(error?.code).toBe('TG_RATE_LIMITED');
    const rendered = renderError(error!);
    expect(rendered.status).toBe(429);
    expect(rendered.headers['x-should-retry']).toBe('true');
    const retryMs = Number(rendered.headers['retry-after-ms']);
    expect(retryMs).toBeGreaterThan(0);
    expect(retryMs).toBeLessThanOrEqual(60_000);
    expect(Number(rendered.headers['retry-after'])).toBe(Math.ceil(retryMs / 1000));
    expect(JSON.parse(rendered.body).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', rule: 'key-rpm', scope: 'key', unit: 'requests', limit: 2, used: 2, requested: 1 });
    expect(rendered.headers['ratelimit']).toMatch(/^"key-rpm";r=0;t=\d+$/);
    expect(context.decisions['rateLimit']).toMatchObject({ outcome: 'deny', rule: 'key-rpm', rules: [{ rule: 'key-rpm', outcome: 'deny', used: 2, reserved: 0 }] });
  });

  it('puts IETF and OpenAI headers on an admitted response', async () => {
    const step = rateLimit({ rules: [rpm, { name: 'tenant-tpm', scope: 'tenant', unit: 'total_tokens', limit: 10_000, window: '1m' }] });
    const context = limitedContext({ tenant: { id: 'acme', status: 'active', tags: [] }, inference: { maxTokens: 50 } });
    await step.run(context);
    const h = context.responseHeaders;
    expect(h['ratelimit-policy']).toBe('"key-rpm";q=2;w=60;qu="requests", "tenant-tpm";q=10000;w=60;qu="tokens"');
    expect(h['ratelimit']).toMatch(/^"key-rpm";r=1;t=\d+, "tenant-tpm";r=9850;t=\d+$/);
    expect(h).toMatchObject({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '9850' });
    expect(h['x-ratelimit-reset-requests']).toMatch(/^(\d+ms|[\d.]+s|1m0s)$/);
  });

  it('groups IPv6 clients by /56 and IPv4 clients by address', async () => {
    const step = rateLimit({ rules: [{ name: 'ip', scope: 'ip', unit: 'requests', limit: 1, window: '1h' }] });
    expect(await refusalOf(step, limitedContext({ ip: '2001:db8:1:2a00::1' }))).toBeUndefined();
    expect((await refusalOf(step, limitedContext({ ip: '2001:db8:1:2aff:ffff::9' })))?.code).toBe('TG_RATE_LIMITED');
    expect(await refusalOf(step, limitedContext({ ip: '2001:db8:1:2b00::1' }))).toBeUndefined();
    expect(await refusalOf(step, limitedContext({ ip: '198.51.100.1' }))).toBeUndefined();
    expect(await refusalOf(step, limitedContext({ ip: '198.51.100.2' }))).toBeUndefined();
  });

  it('charges nothing on any scope when one scope denies', async () => {
    const store = memoryRateLimitStore();
    const step = rateLimit({ store, rules: [{ name: 'global', scope: 'global', unit: 'requests', limit: 100, window: '1h' }, { ...rpm, limit: 1 }] });
    await step.run(limitedContext({ keyId: 'a' }));
    for (let i = 0; i < 5; i++) expect((await refusalOf(step, limitedContext({ keyId: 'a' })))?.code).toBe('TG_RATE_LIMITED');
    const context = limitedContext({ keyId: 'b' });
    await step.run(context);
    expect((context.decisions['rateLimit'] as RateLimitDecision).rules.find((r) => r.rule === 'global')).toMatchObject({ used: 1 });
  });

  it('holds a concurrency lease until the response ends, and skips rules whose scope the request lacks', async () => {
    const step = rateLimit({ rules: [{ name: 'streams', scope: 'user', unit: 'concurrent', limit: 1 }, { name: 'per-key', scope: 'key', unit: 'requests', limit: 100, window: '1m' }] });
    const first = limitedContext();
    await step.run(first);
    expect(first.responseHeaders['ratelimit-policy']).toContain('"streams";q=1;qu="concurrent-requests"');
    const second = limitedContext();
    const error = await refusalOf(step, second);
    expect(error).toMatchObject({ code: 'TG_RATE_LIMITED', retryAfterSeconds: 1 });
    await step.finish!(first, { status: 200, aborted: false });
    expect(await refusalOf(step, limitedContext())).toBeUndefined();
    const keyless = limitedContext({ subject: 'bob' });
    keyless.principal = { ...keyless.principal!, keyId: undefined };
    await step.run(keyless);
    expect((keyless.decisions['rateLimit'] as RateLimitDecision).rules.find((r) => r.rule === 'per-key')).toMatchObject({ outcome: 'skipped', reason: 'no key for this request' });
  });

  it('records shadow denials without refusing, and emits threshold events once per crossing', async () => {
    const events: RateLimitEvent[] = [];
    const step = rateLimit({
      rules: [{ name: 'shadow', scope: 'key', unit: 'requests', limit: 1, window: '1h', shadow: true }, { name: 'soft', scope: 'key', unit: 'requests', limit: 10, window: '1h', thresholds: [0.5, 0.8] }],
      onEvent: (event) => events.push(event),
    });
    const contexts = Array.from({ length: 9 }, () => limitedContext());
    for (const context of contexts) expect(await refusalOf(step, context)).toBeUndefined();
    expect((contexts[1]!.decisions['rateLimit'] as RateLimitDecision).rules[0]).toMatchObject({ rule: 'shadow', outcome: 'shadow_deny' });
    expect(contexts[1]!.responseHeaders['ratelimit-policy']).not.toContain('shadow');
    expect(events.filter((e) => e.type === 'shadow_deny')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'threshold').map((e) => e.type === 'threshold' && [e.threshold, e.used])).toEqual([[0.5, 5], [0.8, 8]]);
  });

  it('requires authenticate for key, user and tenant rules, and validateRequest for token rules', () => {
    expect(rateLimit({ rules: [{ name: 'ip', scope: 'ip', unit: 'requests', limit: 1, window: '1s' }] }).requires).toEqual([]);
    expect(rateLimit({ rules: [rpm] }).requires).toEqual(['authenticate']);
    expect(rateLimit({ rules: [{ name: 't', scope: 'global', unit: 'output_tokens', limit: 1, window: '1s' }] }).requires).toEqual(['validateRequest']);
  });

  it('refuses bad options at startup with a ConfigError naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ ...rpm, limit: 0 }, /rules\[0\]\.limit must be a number above zero/],
      [{ ...rpm, limit: -5 }, /rules\[0\]\.limit must be a number above zero/],
      [{ ...rpm, limit: 2.5 }, /must be a whole number for unit requests/],
      [{ ...rpm, window: '0s' }, /rules\[0\]\.window must be a duration/],
      [{ ...rpm, window: '1 minute' }, /rules\[0\]\.window/],
      [{ ...rpm, window: undefined }, /window is required/],
      [{ ...rpm, scope: 'org' }, /scope must be one of/],
      [{ ...rpm, unit: 'bytes' }, /unit must be one of/],
      [{ ...rpm, thresholds: [1.2] }, /thresholds must be fractions/],
      [{ name: 'c', scope: 'key', unit: 'concurrent', limit: 2, window: '1m' }, /window does not apply/],
      [{ ...rpm, insuranceLimit: 0 }, /insuranceLimit must be a number above zero/],
      [{ ...rpm, unit: 'usd', limit: 1e-12 }, /out of range for unit usd/],
      [{ ...rpm, colour: 'red' }, /unknown field "colour"/],
    ];
    for (const [rule, message] of bad) expect(() => rateLimit({ rules: [rule as typeof rpm] }), String(message)).toThrow(message);
    expect(() => rateLimit({ rules: [rpm, rpm] })).toThrow(/two rules are named "key-rpm"/);
    expect(() => rateLimit({ rules: [rpm], timeZone: 'Mars/Olympus' })).toThrow(ConfigError);
    expect(() => rateLimit({ rules: [rpm], storeTimeoutMs: 0 })).toThrow(/storeTimeoutMs/);
  });

  it('never changes the options it was given', () => {
    const rules = [{ ...rpm, thresholds: [0.9, 0.5] }];
    const frozen = structuredClone(rules);
    rateLimit({ rules });
    expect(rules).toEqual(frozen);
  });

  it('renews the leases of a long request past leaseMs, and releases them at the end', async () => {
    const step = rateLimit({ leaseMs: 1000, rules: [{ name: 'one', scope: 'user', unit: 'concurrent', limit: 1 }] });
    const long = limitedContext();
    await step.run(long);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await refusalOf(step, limitedContext()))?.code).toBe('TG_RATE_LIMITED');
    await step.finish!(long, { status: 200, aborted: false });
    expect(await refusalOf(step, limitedContext())).toBeUndefined();
    await step.close!();
  });

  it('keeps renewing the requests still running when others end first, in any order', async () => {
    const step = rateLimit({ leaseMs: 1000, rules: [{ name: 'three', scope: 'global', unit: 'concurrent', limit: 3 }] });
    const [first, middle, last] = [limitedContext(), limitedContext(), limitedContext()];
    for (const context of [first, middle, last]) await step.run(context);
    // The middle one leaves first: the held list moves its last entry into the gap.
    await step.finish!(middle, { status: 200, aborted: false });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    // first and last were renewed past leaseMs; one slot is free.
    const fourth = limitedContext();
    expect(await refusalOf(step, fourth)).toBeUndefined();
    expect((await refusalOf(step, limitedContext()))?.code).toBe('TG_RATE_LIMITED');
    for (const context of [last, first, fourth]) await step.finish!(context, { status: 200, aborted: false });
    // A second finish of the same request changes nothing.
    await step.finish!(first, { status: 200, aborted: false });
    for (let i = 0; i < 3; i++) expect(await refusalOf(step, limitedContext())).toBeUndefined();
    await step.close!();
  });

  it('ends a held lease when finish reports the response over, even when the client aborted', async () => {
    const step = rateLimit({ rules: [{ name: 'one', scope: 'global', unit: 'concurrent', limit: 1 }] });
    const handle = limitedHandle();
    await step.run(handle.context);
    handle.abort('client disconnected');
    await step.finish!(handle.context, { status: 200, aborted: true });
    expect(await refusalOf(step, limitedContext())).toBeUndefined();
    await step.close!();
  });
});

describe('rateLimit: the memory store answered in the same turn', () => {
  it('reserves and settles without a promise, exactly as the asynchronous methods would', async () => {
    const store = memoryRateLimitStore();
    const immediate = immediateStoreOf(store);
    expect(immediate).toBeDefined();
    const step = rateLimit({ store, rules: [rpm] });
    const context = limitedContext({ keyId: 'sync' });
    // No promise: nothing to wait for between the reservation and the handler.
    expect(step.run(context)).toBeUndefined();
    expect(context.responseHeaders['x-ratelimit-remaining-requests']).toBe('1');
    await step.finish?.(context, { status: 200, aborted: false });
    expect((context.decisions['rateLimit'] as RateLimitDecision).rules[0]).toMatchObject({ rule: 'key-rpm', outcome: 'allow', settled: 1 });
    // The synchronous and asynchronous methods share one state.
    const second = limitedContext({ keyId: 'sync' });
    expect(step.run(second)).toBeUndefined();
    expect(second.responseHeaders['x-ratelimit-remaining-requests']).toBe('0');
    expect((await refusalOf(step, limitedContext({ keyId: 'sync' })))?.code).toBe('TG_RATE_LIMITED');
  });

  it('treats a throw from the synchronous reserve as a store failure: event, outage policy', async () => {
    const store = memoryRateLimitStore();
    immediateStoreOf(store)!.reserve = () => {
      throw new Error('broken');
    };
    const events: RateLimitEvent[] = [];
    const step = rateLimit({ store, rules: [{ ...rpm, onStoreFailure: 'fail_closed' }], onEvent: (event) => events.push(event) });
    const error = await refusalOf(step, limitedContext({ keyId: 'k' }));
    expect(error).toMatchObject({ code: 'TG_LIMIT_STORE_UNAVAILABLE', status: 503 });
    const failure = events.find((e) => e.type === 'store_error');
    expect(failure).toMatchObject({ type: 'store_error', operation: 'reserve' });
    expect((failure as { error: Error }).error.message).toBe('rate-limit store reserve failed: broken');
  });

  it('is not offered by any other store', () => {
    const inner = memoryRateLimitStore();
    expect(immediateStoreOf({ now: inner.now, reserve: inner.reserve, settle: inner.settle, cancel: inner.cancel, renew: inner.renew })).toBeUndefined();
  });
});

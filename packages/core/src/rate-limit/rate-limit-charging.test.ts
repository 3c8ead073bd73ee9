// rateLimit on tokens and money: reserving upper bounds, settling with real usage, streams, spend caps, lowering max_tokens.
import { describe, expect, it } from 'vitest';
import { renderError } from '../errors/render-error.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { RateLimitDecision, RateLimitEvent } from './rate-limit-decision.js';
import { rateLimit } from './rate-limit.js';
import { limitedContext, limitedHandle, pricedModel, refusalOf } from './test-context.js';

const decisionOf = (context: { decisions: Record<string, unknown> }) => context.decisions['rateLimit'] as RateLimitDecision;
const tokensPerHour = { name: 'tph', scope: 'key', unit: 'total_tokens', limit: 1000, window: '1h' } as const;
const sse = (events: unknown[]) => new TextEncoder().encode(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''));
const deltas = (count: number) => Array.from({ length: count }, () => ({ choices: [{ index: 0, delta: { content: 'word' } }] }));

describe('rateLimit: charging tokens', () => {
  it('reserves prompt + max_tokens x n, then settles to the reported usage', async () => {
    const step = rateLimit({ rules: [tokensPerHour] });
    const first = limitedContext({ inference: { promptTokens: 100, maxTokens: 200, n: 2 } });
    await step.run(first);
    expect(decisionOf(first).rules[0]).toMatchObject({ reserved: 500, used: 0 });
    first.recordUsage({ inputTokens: 90, outputTokens: 30 });
    await step.finish!(first, { status: 200, aborted: false });
    expect(decisionOf(first)).toMatchObject({ settlement: { source: 'usage', inputTokens: 90, outputTokens: 30 }, rules: [{ settled: 120 }] });
    const second = limitedContext({ inference: { promptTokens: 100, maxTokens: 200 } });
    await step.run(second);
    expect(decisionOf(second).rules[0]).toMatchObject({ used: 120, reserved: 300 });
  });

  it('charges the full reservation when the response reports no usage, and nothing when a later step refused', async () => {
    const step = rateLimit({ rules: [tokensPerHour] });
    const silent = limitedContext({ inference: { promptTokens: 100, maxTokens: 200 } });
    await step.run(silent);
    await step.finish!(silent, { status: 200, aborted: false });
    expect(decisionOf(silent).settlement).toMatchObject({ source: 'reservation', inputTokens: 100, outputTokens: 200 });
    const refused = limitedContext({ inference: { promptTokens: 100, maxTokens: 200 } });
    await step.run(refused);
    refused.decisions.refusal = { step: 'moderation', code: 'TG_POLICY_DENIED', status: 403 };
    await step.finish!(refused, { status: 403, aborted: false });
    const probe = limitedContext({ inference: { promptTokens: 1, maxTokens: 1 } });
    await step.run(probe);
    expect(decisionOf(probe).rules[0]).toMatchObject({ used: 300 });
  });

  it('reads usage from a JSON response body when nobody recorded it', async () => {
    const step = rateLimit({ rules: [tokensPerHour] });
    const context = limitedContext({ inference: { promptTokens: 100, maxTokens: 200 } });
    await step.run(context);
    const meter = step.observeResponse!(context)!;
    meter.start?.(200, 'application/json');
    meter.chunk(new TextEncoder().encode('{"choices":[],"usage":{"prompt_tokens":97,'));
    meter.chunk(new TextEncoder().encode('"completion_tokens":12,"total_tokens":109}}'));
    meter.end?.({ status: 200, aborted: false });
    await step.finish!(context, { status: 200, aborted: false });
    expect(decisionOf(context).settlement).toMatchObject({ source: 'usage', inputTokens: 97, outputTokens: 12 });
  });

  it('charges a client that disconnected mid-stream for what was streamed', async () => {
    const step = rateLimit({ rules: [tokensPerHour] });
    const context = limitedContext({ inference: { promptTokens: 100, maxTokens: 200, stream: true } });
    await step.run(context);
    const meter = step.observeResponse!(context)!;
    meter.start?.(200, 'text/event-stream');
    const bytes = sse(deltas(7));
    meter.chunk(bytes.subarray(0, 50));
    meter.chunk(bytes.subarray(50));
    meter.end?.({ status: 200, aborted: true });
    await step.finish!(context, { status: 200, aborted: true });
    expect(decisionOf(context).settlement).toMatchObject({ source: 'stream', inputTokens: 100, outputTokens: 7 });
  });

  it('cuts off a stream that passes its reservation', async () => {
    const events: RateLimitEvent[] = [];
    const step = rateLimit({ rules: [tokensPerHour], onEvent: (e) => events.push(e) });
    const handle = limitedHandle({ inference: { promptTokens: 10, maxTokens: 5, stream: true } });
    await step.run(handle.context);
    const meter = step.observeResponse!(handle.context, { abort: (reason) => handle.abort(reason) })!;
    meter.start?.(200, 'text/event-stream; charset=utf-8');
    meter.chunk(sse(deltas(5)));
    expect(handle.context.signal.aborted).toBe(false);
    meter.chunk(sse(deltas(1)));
    expect(handle.context.signal.aborted).toBe(true);
    meter.end?.({ status: 200, aborted: false });
    await step.finish!(handle.context, { status: 200, aborted: false });
    expect(events.find((e) => e.type === 'cut_off')).toMatchObject({ outputTokens: 6, reserved: 5 });
    expect(decisionOf(handle.context).settlement).toMatchObject({ source: 'stream', outputTokens: 6, cutOff: true });
  });

  it('asks streamed chat requests to include usage', async () => {
    const step = rateLimit({ rules: [tokensPerHour] });
    const body = { model: 'gpt-4o-mini', stream: true, stream_options: { foo: 1 } };
    const context = limitedContext({ body, inference: { maxTokens: 10, stream: true } });
    await step.run(context);
    expect(await context.request.json()).toEqual({ ...body, stream_options: { foo: 1, include_usage: true } });
  });

  it('refuses with a 500 naming validateRequest when a token rule meets an unparsed request', async () => {
    const step = rateLimit({ rules: [{ ...tokensPerHour, scope: 'global' }] });
    const pipeline = createPipeline({ steps: [step] });
    const handle = pipeline.start({ method: 'POST', path: '/v1/chat/completions', headerValues: () => [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) });
    const response = await pipeline.run(handle);
    expect(response?.status).toBe(500);
    expect(JSON.parse(response!.body).error.message).toContain('"validateRequest"');
    const direct = limitedContext();
    expect(await refusalOf(step, direct)).toMatchObject({ code: 'TG_PIPELINE_ORDER', message: expect.stringContaining('"validateRequest"') });
  });

  it('applies only request rules to what validateRequest found is no inference request (GET /v1/models)', async () => {
    const step = rateLimit({ rules: [{ ...tokensPerHour, scope: 'global' }, { name: 'rpm', scope: 'global', unit: 'requests', limit: 1, window: '1m' }] });
    const handle = limitedHandle();
    handle.complete('validateRequest');
    expect(await refusalOf(step, handle.context)).toBeUndefined();
    const decision = handle.context.decisions['rateLimit'] as { rules: Array<{ rule: string }> };
    expect(decision.rules.map((r) => r.rule)).toEqual(['rpm']);
    const second = limitedHandle();
    second.complete('validateRequest');
    expect(await refusalOf(step, second.context)).toMatchObject({ code: 'TG_RATE_LIMITED' });
  });
});

describe('rateLimit: spend', () => {
  const spend = { name: 'tenant-spend', scope: 'tenant', unit: 'usd', limit: 0.001, window: 'month' } as const;
  const tenant = { id: 'acme', status: 'active', tags: [] } as const;

  it('reserves the price of the upper bound and refuses an exhausted budget without retry', async () => {
    const step = rateLimit({ rules: [spend] });
    // 100 prompt tokens at $0.15/M + 1000 output at $0.60/M = $0.000615 reserved.
    const first = limitedContext({ tenant, inference: { promptTokens: 100, maxTokens: 1000 } });
    await step.run(first);
    expect(decisionOf(first).rules[0]).toMatchObject({ reserved: 0.000615 });
    const second = limitedContext({ tenant, inference: { promptTokens: 100, maxTokens: 1000 } });
    const error = await refusalOf(step, second);
    expect(error?.code).toBe('TG_QUOTA_EXHAUSTED');
    const rendered = renderError(error!);
    expect(rendered.status).toBe(429);
    expect(rendered.headers['x-should-retry']).toBe('false');
    const body = JSON.parse(rendered.body).error;
    expect(body).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota', rule: 'tenant-spend', scope: 'tenant' });
    expect(new Date(body.resets_at).getTime()).toBeGreaterThan(Date.now());
    expect(body.message).toContain('Lower max_tokens or wait for the reset');
  });

  it('lowers max_tokens to what the budget still allows when asked to', async () => {
    const step = rateLimit({ rules: [spend], lowerMaxTokens: { minimum: 16 } });
    const body: Record<string, unknown> = { model: 'gpt-4o-mini', max_tokens: 1000 };
    const first = limitedContext({ tenant, inference: { promptTokens: 100, maxTokens: 1000 } });
    await step.run(first);
    const second = limitedContext({ tenant, body, inference: { promptTokens: 100, maxTokens: 1000 } });
    await step.run(second);
    // $0.001 - $0.000615 = $0.000385; minus the prompt ($0.000015) leaves 616 output tokens at $0.60/M.
    expect(body['max_tokens']).toBe(616);
    expect(second.inference?.maxTokens).toBe(616);
    expect(decisionOf(second)).toMatchObject({ outputTokens: 616, maxTokensLowered: { from: 1000, to: 616 } });
    expect((await refusalOf(step, limitedContext({ tenant, inference: { promptTokens: 100, maxTokens: 1000 } })))?.code).toBe('TG_QUOTA_EXHAUSTED');
  });

  it('refuses a model without a price under a spend rule, and lets it through other rules', async () => {
    const unpriced = { ...pricedModel, name: 'local-llama', price: undefined };
    const step = rateLimit({ rules: [spend, { ...tokensPerHour, models: ['local-*'] }] });
    const error = await refusalOf(step, limitedContext({ tenant, model: unpriced, inference: { maxTokens: 10 } }));
    expect(error).toMatchObject({ code: 'TG_MODEL_UNPRICED', status: 403 });
    expect(error?.message).toContain('tenant-spend');
    const noSpend = rateLimit({ rules: [{ ...tokensPerHour, models: ['local-*'] }] });
    expect(await refusalOf(noSpend, limitedContext({ model: unpriced, inference: { maxTokens: 10 } }))).toBeUndefined();
  });
});

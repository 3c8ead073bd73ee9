// Sharing parsed stream events: the queue's rules, and a streamed answer through validateRequest and rateLimit parsed once per event.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPipeline } from '../pipeline/pipeline.js';
import type { RateLimitDecision, RateLimitEvent } from '../rate-limit/rate-limit-decision.js';
import { rateLimit } from '../rate-limit/rate-limit.js';
import { validateRequest } from '../validate-request/validate-request.js';
import { ParsedEvents } from './parsed-events.js';

describe('ParsedEvents', () => {
  it('gives each waiting event to the taker that asks with the same text, in order', () => {
    const shared = new ParsedEvents();
    shared.offer('{"a":1}', { a: 1 });
    shared.offer('{"a":1}', { a: 'second' });
    shared.offer('{"b":2}', { b: 2 });
    expect(shared.take('{"a":1}')).toEqual({ value: { a: 1 } });
    expect(shared.take('{"a":1}')).toEqual({ value: { a: 'second' } });
    expect(shared.take('{"b":2}')).toEqual({ value: { b: 2 } });
    expect(shared.take('{"b":2}')).toBeUndefined();
  });

  it('answers nothing for a text it was not offered, and keeps what waits for a later ask', () => {
    const shared = new ParsedEvents();
    shared.offer('{"a":1}', { a: 1 });
    expect(shared.take('{"a":2}')).toBeUndefined();
    expect(shared.take('{"a":1}')).toEqual({ value: { a: 1 } });
  });

  it('drops the events before the one taken (the taker never asks for them) and keeps at most 32 waiting', () => {
    const shared = new ParsedEvents();
    shared.offer('multi\nline', 'joined');
    shared.offer('x', 'x');
    expect(shared.take('x')).toEqual({ value: 'x' });
    expect(shared.take('multi\nline')).toBeUndefined();
    for (let i = 0; i < 40; i++) shared.offer(String(i), i);
    expect(shared.take('7')).toBeUndefined();
    expect(shared.take('8')).toEqual({ value: 8 });
    expect(shared.take('39')).toEqual({ value: 39 });
  });
});

const deltas = (count: number) => Array.from({ length: count }, (_, i) => ({ choices: [{ index: 0, delta: { content: `w${i}` } }] }));
const event = (value: unknown) => new TextEncoder().encode(`data: ${JSON.stringify(value)}\n\n`);

/** validateRequest then rateLimit (tokens per hour, global), one streamed chat request started and run. */
async function streamedRequest(maxTokens: number, events: RateLimitEvent[]) {
  const pipeline = createPipeline({
    steps: [
      validateRequest({ models: { 'gpt-4o': {} } }),
      rateLimit({ rules: [{ name: 'tph', scope: 'global', unit: 'total_tokens', limit: 1_000_000, window: '1h' }], onEvent: (e) => events.push(e) }),
    ],
  });
  const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: maxTokens });
  const handle = pipeline.start({
    method: 'POST',
    path: '/v1/chat/completions',
    headerValues: (name) => (name === 'content-type' ? ['application/json'] : []),
    remoteAddress: '127.0.0.1',
    body: () => ({ kind: 'raw', chunks: async function* () { yield new TextEncoder().encode(body); } }),
  });
  expect(await pipeline.run(handle)).toBeUndefined();
  const observer = pipeline.observe(handle)!;
  observer.start?.(200, 'text/event-stream');
  return { pipeline, handle, observer };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a streamed answer read by validateRequest and rateLimit', () => {
  it('is parsed once per event, and both still read every event and the usage', async () => {
    const { pipeline, handle, observer } = await streamedRequest(100, []);
    const parse = vi.spyOn(JSON, 'parse');
    for (const value of [...deltas(5), { choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } }]) observer.chunk(event(value));
    observer.chunk(new TextEncoder().encode('data: [DONE]\n\n'));
    expect(parse).toHaveBeenCalledTimes(6);
    parse.mockRestore();
    observer.end?.({ status: 200, aborted: false });
    await pipeline.finish(handle, { status: 200, aborted: false });
    expect(handle.context.usage).toEqual({ inputTokens: 9, outputTokens: 5 });
    expect((handle.context.decisions['rateLimit'] as RateLimitDecision).settlement).toMatchObject({ source: 'usage', inputTokens: 9, outputTokens: 5 });
  });

  it('still cuts off a stream that passes its reservation, counting the shared events', async () => {
    const events: RateLimitEvent[] = [];
    const { pipeline, handle, observer } = await streamedRequest(3, events);
    for (const value of deltas(5)) observer.chunk(event(value));
    expect(events).toEqual([expect.objectContaining({ type: 'cut_off', outputTokens: 4, reserved: 3 })]);
    expect(handle.context.signal.aborted).toBe(true);
    observer.end?.({ status: 200, aborted: true });
    await pipeline.finish(handle, { status: 200, aborted: true });
    expect((handle.context.decisions['rateLimit'] as RateLimitDecision).settlement).toMatchObject({ cutOff: true });
  });

  it('parses for itself what it was not offered: data lines split from their blank line, events of several lines', async () => {
    const events: RateLimitEvent[] = [];
    const { pipeline, handle, observer } = await streamedRequest(1, events);
    const encode = (text: string) => new TextEncoder().encode(text);
    // The meter meets each data line before the reader has the whole event, so it parses them itself:
    // two pieces against a reservation of one is a cut-off only if it did.
    for (const value of deltas(2)) {
      observer.chunk(encode(`data: ${JSON.stringify(value)}\n`));
      observer.chunk(encode('\n'));
    }
    expect(events).toEqual([expect.objectContaining({ type: 'cut_off', outputTokens: 2, reserved: 1 })]);
    // Two data lines make one event for the reader, two lines for the meter (neither JSON alone).
    observer.chunk(encode('data: {"choices":[{"index":0,\ndata: "delta":{"content":"x"}}]}\n\n'));
    observer.chunk(event({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } }));
    observer.end?.({ status: 200, aborted: true });
    await pipeline.finish(handle, { status: 200, aborted: true });
    // Cut off, so charged the larger of what it reported and what it streamed (validateRequest's rule).
    expect(handle.context.usage).toEqual({ inputTokens: 9, outputTokens: 5 });
    expect((handle.context.decisions['rateLimit'] as RateLimitDecision).settlement).toMatchObject({ source: 'usage', outputTokens: 5, cutOff: true });
  });
});

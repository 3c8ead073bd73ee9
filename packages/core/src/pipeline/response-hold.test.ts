// The pipeline's combined hold: asked only when a step's observer can hold, first refusal wins, failing closed.
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../errors/tollgate-error.js';
import { createPipeline } from './pipeline.js';
import { judgeHeldResponse } from './response-hold.js';
import type { ResponseHold, Step } from './step.js';

const input = { method: 'POST', path: '/v1/chat/completions', headerValues: () => [], remoteAddress: undefined, body: () => ({ kind: 'none' }) as const };

function holding(name: string, hold: () => ResponseHold | undefined): Step {
  return { name, requires: [], run: () => undefined, observeResponse: () => ({ chunk: () => undefined, hold }) };
}

const verdictOf = (error: TollgateError | undefined, maxBytes = 100): ResponseHold => ({ maxBytes, verdict: async () => error });

function observe(steps: Step[]) {
  const pipeline = createPipeline({ steps });
  const handle = pipeline.start(input);
  return { pipeline, handle, observer: pipeline.observe(handle) };
}

describe('the pipeline’s combined hold', () => {
  it('adds no hold when no step’s observer can hold, so plain requests pay nothing', () => {
    const plain: Step = { name: 'plain', requires: [], run: () => undefined, observeResponse: () => ({ chunk: () => undefined }) };
    const { observer } = observe([plain]);
    observer?.start?.(200, 'application/json');
    expect(observer?.hold?.()).toBeUndefined();
    expect(observe([holding('a', () => undefined)]).observer?.hold?.()).toBeUndefined();
  });

  it('asks every holding step; the first refusal in chain order wins and is recorded as decisions.blocked', async () => {
    const { handle, observer } = observe([
      holding('a', () => verdictOf(undefined, 50)),
      holding('b', () => verdictOf(new TollgateError('TG_OUTPUT_BLOCKED'), 200)),
      holding('c', () => verdictOf(new TollgateError('TG_CONTENT_BLOCKED'))),
    ]);
    const hold = observer!.hold!()!;
    expect(hold.maxBytes).toBe(50);
    expect((await hold.verdict(false))?.code).toBe('TG_OUTPUT_BLOCKED');
    expect(handle.context.decisions.blocked).toEqual({ step: 'b', code: 'TG_OUTPUT_BLOCKED', status: 502 });
    expect(handle.context.decisions.refusal).toBeUndefined();
  });

  it('fails closed: a hold() or verdict that throws refuses with TG_INTERNAL, and a body over the limit is refused whatever the verdict', async () => {
    const throwingHold = observe([holding('a', () => { throw new Error('observer bug'); })]);
    const broken = throwingHold.observer!.hold!()!;
    expect(broken.maxBytes).toBe(0);
    expect((await broken.verdict(false))?.code).toBe('TG_INTERNAL');
    expect(throwingHold.handle.context.decisions.blocked).toMatchObject({ step: 'a', code: 'TG_INTERNAL', status: 500 });

    const throwingVerdict = observe([holding('a', () => ({ maxBytes: 10, verdict: () => Promise.reject(new Error('detector bug')) }))]);
    expect((await throwingVerdict.observer!.hold!()!.verdict(false))?.code).toBe('TG_INTERNAL');

    const passing = observe([holding('a', () => verdictOf(undefined))]);
    expect(await passing.observer!.hold!()!.verdict(false)).toBeUndefined();
    expect((await passing.observer!.hold!()!.verdict(true))?.code).toBe('TG_OUTPUT_BLOCKED');
    expect(passing.handle.context.decisions.blocked).toMatchObject({ step: 'a', code: 'TG_OUTPUT_BLOCKED' });
  });
});

describe('judgeHeldResponse', () => {
  it('renders the refusal as the pipeline does, with the context’s response headers; undefined sends the answer', async () => {
    const { pipeline, handle } = observe([]);
    handle.context.responseHeaders['ratelimit-policy'] = '"r";q=10;w=60';
    expect(await judgeHeldResponse(pipeline, handle, verdictOf(undefined), false)).toBeUndefined();
    const refusal = await judgeHeldResponse(pipeline, handle, verdictOf(new TollgateError('TG_OUTPUT_BLOCKED')), false);
    expect(refusal).toMatchObject({ status: 502, headers: { 'ratelimit-policy': '"r";q=10;w=60', 'x-request-id': handle.context.requestId, 'x-should-retry': 'false' } });
    expect(JSON.parse(refusal!.body)).toMatchObject({ error: { tg_code: 'TG_OUTPUT_BLOCKED' } });
  });

  it('never lets a body over the limit out, even from a hold that would pass it', async () => {
    const { pipeline, handle } = observe([]);
    expect((await judgeHeldResponse(pipeline, handle, verdictOf(undefined), true))?.status).toBe(502);
    expect(handle.context.decisions.blocked).toMatchObject({ code: 'TG_OUTPUT_BLOCKED' });
  });
});

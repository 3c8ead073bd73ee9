// rateLimit on bad input: absurd max_tokens and n, huge prompts and requests larger than a limit are refused before reserving.
import { describe, expect, it } from 'vitest';
import type { RateLimitDecision } from './rate-limit-decision.js';
import { rateLimit } from './rate-limit.js';
import { limitedContext, pricedModel, refusalOf } from './test-context.js';

const rules = [{ name: 'tokens', scope: 'key', unit: 'total_tokens', limit: 5000, window: '1h' }] as const;
const usedAfter = async (step: ReturnType<typeof rateLimit>): Promise<number | undefined> => {
  const probe = limitedContext({ inference: { promptTokens: 1, maxTokens: 1 } });
  await step.run(probe);
  return (probe.decisions['rateLimit'] as RateLimitDecision).rules[0]?.used;
};

describe('rateLimit: bad input', () => {
  it.each([
    ['negative max_tokens', { maxTokens: -5 }, 'max_tokens'],
    ['zero max_tokens', { maxTokens: 0 }, 'max_tokens'],
    ['fractional max_tokens', { maxTokens: 10.5 }, 'max_tokens'],
    ['max_tokens over the model cap', { maxTokens: 16_385 }, 'max_tokens'],
    ['NaN max_tokens', { maxTokens: Number.NaN }, 'max_tokens'],
    ['n = 0', { n: 0 }, 'n'],
    ['negative n', { n: -2 }, 'n'],
    ['n over 128', { n: 129 }, 'n'],
    ['fractional n', { n: 1.5 }, 'n'],
    ['a prompt over the context window', { promptTokens: 128_000 }, 'messages'],
  ])('refuses %s with a 400 naming the field, before reserving anything', async (_, inference, param) => {
    const step = rateLimit({ rules: [...rules] });
    const error = await refusalOf(step, limitedContext({ inference }));
    expect(error).toMatchObject({ code: 'TG_LIMIT_INVALID_REQUEST', status: 400, param });
    expect(await usedAfter(step)).toBe(0);
  });

  it('refuses max_tokens in the millions when the model states no cap, and requires it where output is limited', async () => {
    const uncapped = { ...pricedModel, maxOutputTokens: undefined, contextWindow: undefined };
    const step = rateLimit({ rules: [...rules] });
    expect(await refusalOf(step, limitedContext({ model: uncapped, inference: { maxTokens: 5_000_000 } }))).toMatchObject({ param: 'max_tokens', message: expect.stringContaining('1 to 1000000') });
    expect(await refusalOf(step, limitedContext({ model: uncapped, inference: { maxTokens: undefined } }))).toMatchObject({ code: 'TG_LIMIT_INVALID_REQUEST', param: 'max_tokens' });
    const inputOnly = rateLimit({ rules: [{ ...rules[0], unit: 'input_tokens' }] });
    expect(await refusalOf(inputOnly, limitedContext({ model: uncapped, inference: { maxTokens: undefined } }))).toBeUndefined();
  });

  it('refuses a request larger than a whole limit with a 400 (no wait would help), naming what to shrink', async () => {
    const step = rateLimit({ rules: [...rules] });
    const output = await refusalOf(step, limitedContext({ inference: { promptTokens: 100, maxTokens: 4950 } }));
    expect(output).toMatchObject({ code: 'TG_REQUEST_OVER_LIMIT', status: 400, param: 'max_tokens' });
    expect(output?.message).toContain('"tokens"');
    const prompt = await refusalOf(step, limitedContext({ inference: { promptTokens: 6000, maxTokens: 10 } }));
    expect(prompt).toMatchObject({ code: 'TG_REQUEST_OVER_LIMIT', param: 'messages' });
    expect(await usedAfter(step)).toBe(0);
  });

  it('reserves only what the context window leaves for output', async () => {
    const step = rateLimit({ rules: [{ ...rules[0], limit: 200_000 }] });
    const context = limitedContext({ inference: { promptTokens: 120_000, maxTokens: 16_000 } });
    await step.run(context);
    expect((context.decisions['rateLimit'] as RateLimitDecision).rules[0]).toMatchObject({ reserved: 128_000 });
  });

  it('reserves no output for embeddings', async () => {
    const step = rateLimit({ rules: [...rules] });
    const context = limitedContext({ inference: { api: 'embeddings', promptTokens: 300, n: 1 } });
    await step.run(context);
    expect((context.decisions['rateLimit'] as RateLimitDecision).rules[0]).toMatchObject({ reserved: 300 });
  });
});

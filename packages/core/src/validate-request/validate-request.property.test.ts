// Property tests of the request side: any body, any bytes, any nesting: a 2xx pass or a 4xx answer, never a 500.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TestOutcome } from './test-pipeline.js';
import { testPipeline } from './test-pipeline.js';

const models = {
  'gpt-4o': { provider: 'openai', contextWindow: 128_000, maxOutputTokens: 16_384, caps: { messages: 500, tools: 64 } },
  'claude-sonnet-4-5': { provider: 'anthropic', contextWindow: 200_000 },
  'text-embedding-3-small': { provider: 'openai' },
};
const send = testPipeline({ models }, { maxBytes: 262_144 });
const strictSend = testPipeline({ models, unknownFields: 'refuse' }, { maxBytes: 262_144 });
const paths = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/responses', '/v1/messages'];

/** The request was let through with sound numbers, or refused with a client error and a rendered body. */
function sound(outcome: TestOutcome): void {
  const { response, handle } = outcome;
  if (response === undefined) {
    const inference = handle.context.inference;
    expect(inference).toBeDefined();
    for (const n of [inference!.promptTokens, inference!.n, inference!.toolCount, inference!.messageCount]) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
    return;
  }
  expect([400, 404, 413, 415]).toContain(response.status);
  expect(response.json.error['tg_code']).toMatch(/^TG_/);
  expect(response.json.error['message']).toEqual(expect.any(String));
}

// Bodies shaped like the real thing, so that the schemas are passed often and the later checks run.
const text = fc.string({ unit: 'grapheme', maxLength: 60 });
const part = fc.oneof(fc.record({ type: fc.constant('text'), text }), fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: fc.webUrl(), detail: fc.constantFrom('low', 'high', 'auto') }) }), fc.jsonValue({ maxDepth: 2 }));
const message = fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool', 'developer', 'wizard'), content: fc.oneof(text, fc.array(part, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: ['role'] });
const plausible = fc.record(
  {
    model: fc.constantFrom('gpt-4o', 'claude-sonnet-4-5', 'text-embedding-3-small', 'nope', ''),
    messages: fc.array(message, { maxLength: 6 }),
    input: fc.oneof(text, fc.array(text, { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 })),
    prompt: fc.oneof(text, fc.array(fc.array(fc.integer({ min: -2, max: 100 }), { maxLength: 3 }), { maxLength: 3 })),
    max_tokens: fc.oneof(fc.integer({ min: -5, max: 300_000 }), fc.double(), fc.constant(null)),
    n: fc.oneof(fc.integer({ min: -1, max: 200 }), fc.string()),
    stream: fc.oneof(fc.boolean(), fc.constant('yes')),
    tools: fc.array(fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.stringMatching(/^[a-z_]{1,12}$/), parameters: fc.jsonValue({ maxDepth: 4 }) }) }), { maxLength: 3 }),
    extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: [] },
);

describe('validateRequest never answers 500', () => {
  it('on plausible bodies for every API, loose or strict', async () => {
    await fc.assert(
      fc.asyncProperty(plausible, fc.constantFrom(...paths), fc.boolean(), async (body, path, strict) => {
        sound(await (strict ? strictSend : send)({ path, body }));
      }),
      { numRuns: 400 },
    );
  });

  it('on arbitrary JSON values and arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null'), fc.string({ unit: 'binary', maxLength: 300 })), fc.constantFrom(...paths), async (body, path) => {
        sound(await send({ path, body }));
      }),
      { numRuns: 300 },
    );
  });

  it('on deep nesting, huge arrays and long unicode texts', async () => {
    const hostile = fc.oneof(
      fc.integer({ min: 1, max: 100_000 }).map((depth) => `{"model":"gpt-4o","messages":${'['.repeat(depth)}${']'.repeat(depth)}}`),
      fc.integer({ min: 0, max: 40_000 }).map((n) => JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: n }, () => ({ role: 'user', content: 'x' })) })),
      fc.integer({ min: 0, max: 20_000 }).map((n) => JSON.stringify({ model: 'text-embedding-3-small', input: Array.from({ length: n }, (_, i) => i) })),
      fc.string({ unit: 'grapheme', minLength: 1000, maxLength: 20_000 }).map((content) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] })),
      fc.string({ unit: 'binary', minLength: 1000, maxLength: 20_000 }).map((content) => JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content }] })),
    );
    await fc.assert(
      fc.asyncProperty(hostile, fc.constantFrom(...paths), async (body, path) => {
        sound(await send({ path, body }));
      }),
      { numRuns: 60 },
    );
  });

  it('on valid bodies with a key duplicated anywhere: always the duplicate_key answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('model', 'messages', 'max_tokens', 'n'), fc.jsonValue({ maxDepth: 2 }), async (key, value) => {
        const body = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"n":1,${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`;
        const { response } = await send({ body });
        expect(response?.json.error).toMatchObject({ code: 'duplicate_key', param: key });
      }),
      { numRuns: 100 },
    );
  });
});

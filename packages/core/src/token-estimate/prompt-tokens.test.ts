// The prompt estimate against reference counts shipped in fixtures/prompt-token-counts.json (see its `about`).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { countTokens as o200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { ValidatedBody } from '../validate-request/request-schemas.js';
import { conservativeTokenEstimate } from './conservative-estimate.js';
import { estimatePromptTokens } from './prompt-tokens.js';
import { textCounter } from './text-tokens.js';

interface Counts {
  readonly o200k_base: number;
  readonly cl100k_base: number;
}
interface Fixture {
  readonly chat: ReadonlyArray<{ id: string; source: 'api' | 'cookbook-method'; request: Record<string, unknown>; prompt_tokens: Counts }>;
  readonly texts: ReadonlyArray<{ id: string; text: string; tokens: Counts }>;
  readonly estimateExceptions: ReadonlyArray<{ id: string; text: string; tokens: Counts }>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/prompt-token-counts.json', import.meta.url), 'utf8')) as Fixture;
const generous = { deadline: Number.POSITIVE_INFINITY, exhausted: false };
// One model per encoding: gpt-4o (o200k_base) and gpt-4 (cl100k_base), as in the cookbook.
const models = { o200k_base: 'gpt-4o', cl100k_base: 'gpt-4' } as const;

describe('prompt token estimate for OpenAI families', () => {
  it('ships API-reported counts, not only derived ones', () => {
    expect(fixture.chat.filter((c) => c.source === 'api').map((c) => c.id)).toEqual(['cookbook-chat', 'cookbook-tools']);
  });

  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    it.each(fixture.chat.map((c) => [c.id, c] as const))(`matches the reference count exactly with ${encoding}: %s`, async (_id, entry) => {
      const counter = await textCounter(encoding);
      const request = { api: 'chat', body: { model: models[encoding], ...entry.request } } as ValidatedBody;
      const estimate = estimatePromptTokens(request, models[encoding], counter, 10_000);
      expect(estimate).toEqual({ tokens: entry.prompt_tokens[encoding], tokenizer: encoding, exact: true });
    });
  }

  it('counts plain texts exactly, also when they are cut into pieces', async () => {
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      const counter = await textCounter(encoding);
      for (const { id, text, tokens } of fixture.texts) {
        expect(counter.count(text, generous), `${encoding} ${id}`).toBe(tokens[encoding]);
        // Repeated past the 256-character piece size, the count stays the sum.
        const long = `${text} ${text} ${text} ${text} ${text}`;
        const separator = counter.count(` ${text}`, generous) - tokens[encoding];
        expect(counter.count(long, generous), `${encoding} ${id} x5`).toBe(tokens[encoding] + 4 * (tokens[encoding] + separator));
      }
    }
  });

  it('counts any text of words, spaces, tabs and newlines exactly as one call to the encoder would', async () => {
    const counter = await textCounter('o200k_base');
    const piece = fc.oneof(fc.stringMatching(/^[A-Za-z0-9'.,!?-]{1,12}$/), fc.constantFrom(' ', '  ', '   ', '\n', '\t', ' \n', '\r\n', '日本語', '🎉'));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 50, maxLength: 600 }), (pieces) => {
        const text = pieces.join('');
        expect(counter.count(text, generous)).toBe(o200kCount(text, { disallowedSpecial: new Set() }));
      }),
      { numRuns: 100 },
    );
  });

  // One call of gpt-tokenizer on such a run does not return within minutes (BPE on one huge pre-token), and encode() overflows the stack.
  it('counts a 300,000-character CJK run in bounded pieces', async () => {
    const counter = await textCounter('o200k_base');
    const run = '你好世界这是一个测试'.repeat(30_000);
    const tokens = counter.count(run, generous);
    const tenth = counter.count(run.slice(0, 30_000), generous);
    expect(Math.abs(tokens - 10 * tenth)).toBeLessThanOrEqual(10 * Math.ceil(30_000 / 256));
  });

  it('falls back to the conservative estimate once the time budget is spent, and says so', async () => {
    const counter = await textCounter('o200k_base');
    const spent = { deadline: performance.now() - 1, exhausted: false };
    const text = fixture.texts[0]!.text;
    expect(counter.count(text, spent)).toBe(conservativeTokenEstimate(text));
    expect(spent.exhausted).toBe(true);
    const request = { api: 'embeddings', body: { model: 'text-embedding-3-small', input: text } } as ValidatedBody;
    expect(estimatePromptTokens(request, 'text-embedding-3-small', counter, 0).exact).toBe(false);
  });

  it('answers a repeated text from its cache with the same count, and still estimates it past the budget', async () => {
    const counter = await textCounter('o200k_base');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), (text) => {
        const first = counter.count(text, generous);
        expect(counter.count(text, generous)).toBe(first);
        if (text.length <= 256) expect(first).toBe(o200kCount(text));
        const spent = { deadline: performance.now() - 1, exhausted: false };
        expect(counter.count(text, spent)).toBe(text.length === 0 ? 0 : conservativeTokenEstimate(text));
      }),
      { numRuns: 200 },
    );
  });

  it('counts token-id prompts as themselves and embedding inputs without framing', async () => {
    const counter = await textCounter('cl100k_base');
    const ids = { api: 'completions', body: { model: 'gpt-3.5-turbo-instruct', prompt: [[1, 2, 3], [4, 5]] } } as ValidatedBody;
    expect(estimatePromptTokens(ids, 'gpt-3.5-turbo-instruct', counter, 50).tokens).toBe(5);
    const embed = { api: 'embeddings', body: { model: 'text-embedding-3-small', input: ['Hello there!', 'hi'] } } as ValidatedBody;
    expect(estimatePromptTokens(embed, 'text-embedding-3-small', counter, 50).tokens).toBe(counter.count('Hello there!', generous) + counter.count('hi', generous));
  });

  it('tolerates an app counter that throws or returns nonsense by estimating instead', async () => {
    for (const bad of [() => Number.NaN, () => -1, () => { throw new Error('boom'); }]) {
      const counter = await textCounter(bad);
      expect(counter.count('Hello there', generous)).toBe(conservativeTokenEstimate('Hello there'));
    }
    expect((await textCounter(() => 7)).count('anything', generous)).toBe(7);
  });
});

describe('conservative estimate for families without a tokenizer', () => {
  it.each(fixture.texts.map((t) => [t.id, t] as const))('is never below either OpenAI count, and at most 2.2 times above: %s', (_id, { text, tokens }) => {
    const estimate = conservativeTokenEstimate(text);
    const reference = Math.max(tokens.o200k_base, tokens.cl100k_base);
    expect(estimate).toBeGreaterThanOrEqual(reference);
    expect(estimate).toBeLessThanOrEqual(Math.ceil(reference * 2.2));
  });

  it.each(fixture.estimateExceptions.map((t) => [t.id, t] as const))('stays within the documented undercount for %s', (_id, { text, tokens }) => {
    expect(conservativeTokenEstimate(text)).toBeGreaterThanOrEqual(Math.floor(Math.max(tokens.o200k_base, tokens.cl100k_base) * 0.65));
  });

  it('counts an empty text as nothing and a lone surrogate as a character', () => {
    expect(conservativeTokenEstimate('')).toBe(0);
    expect(conservativeTokenEstimate('\ud800')).toBe(2);
    expect(conservativeTokenEstimate('😀')).toBe(3);
  });
});

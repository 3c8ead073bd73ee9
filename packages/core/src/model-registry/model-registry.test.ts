// The model registry: resolution by name and alias, startup validation, defaults, and no shared state with the caller.
import { describe, expect, it } from 'vitest';
import { defaultTokenizer, type ModelDefinition } from './model-definition.js';
import { modelRegistry } from './model-registry.js';

const definitions: Record<string, ModelDefinition> = {
  'gpt-4o-mini': {
    provider: 'openai',
    aliases: ['gpt-4o-mini-2024-07-18', 'mini'],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    tags: ['tier:basic'],
    capabilities: { streaming: true, tools: true, vision: true },
    caps: { maxTokens: 4096 },
  },
  'claude-sonnet-4-5': { provider: 'anthropic', contextWindow: 200_000, apis: ['anthropic_messages'] },
  'local-llama': { provider: 'vllm', tokenizer: (text) => text.length },
};

describe('modelRegistry', () => {
  it('resolves names and aliases to one canonical entry, and nothing else', () => {
    const models = modelRegistry(definitions);
    expect(models.names).toEqual(['gpt-4o-mini', 'claude-sonnet-4-5', 'local-llama']);
    for (const name of ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'mini']) expect(models.resolve(name)?.info.name).toBe('gpt-4o-mini');
    expect(models.resolve('GPT-4O-MINI')).toBeUndefined();
    expect(models.resolve('__proto__')).toBeUndefined();
    expect(models.resolve('toString')).toBeUndefined();
    expect(models.resolve(42 as unknown as string)).toBeUndefined();
  });

  it('carries what was given into ModelInfo, and nothing invented', () => {
    const models = modelRegistry(definitions);
    expect(models.resolve('mini')).toEqual({
      info: {
        name: 'gpt-4o-mini', provider: 'openai', tags: ['tier:basic'], contextWindow: 128_000, maxOutputTokens: 16_384,
        price: { inputPerMTok: 0.15, outputPerMTok: 0.6 }, capabilities: { streaming: true, tools: true, vision: true },
      },
      caps: { maxTokens: 4096 },
      tokenizer: 'o200k_base',
      apis: undefined,
    });
    expect(models.resolve('claude-sonnet-4-5')?.info).toEqual({ name: 'claude-sonnet-4-5', provider: 'anthropic', tags: [], contextWindow: 200_000 });
    expect(models.lookup('mini')).toMatchObject({ name: 'gpt-4o-mini', requested: 'mini' });
    expect(models.lookup('nope')).toBeUndefined();
  });

  it('copies and freezes: later changes to the caller object change nothing', () => {
    const mine = structuredClone({ m: { tags: ['a'], contextWindow: 10 } }) as Record<string, { tags: string[]; contextWindow: number }>;
    const models = modelRegistry(mine);
    mine['m']!.tags.push('b');
    mine['m']!.contextWindow = 99;
    expect(models.resolve('m')?.info).toMatchObject({ tags: ['a'], contextWindow: 10 });
    expect(Object.isFrozen(models.resolve('m')?.info.tags)).toBe(true);
  });

  it('refuses bad definitions at startup, naming the model and the field', () => {
    expect(() => modelRegistry({ 'gpt-4o': { contextWindow: -1 } })).toThrow(/models\["gpt-4o"\]\.contextWindow/);
    expect(() => modelRegistry({ m: { price: { inputPerMTok: 1 } } as ModelDefinition })).toThrow(/models\.m\.price\.outputPerMTok/);
    expect(() => modelRegistry({ m: { prise: 1 } as ModelDefinition })).toThrow(/prise/);
    expect(() => modelRegistry({ m: { tokenizer: 'p50k' as 'estimate' } })).toThrow(/models\.m\.tokenizer/);
    expect(() => modelRegistry({ m: { contextWindow: 100, maxOutputTokens: 200 } })).toThrow(/maxOutputTokens \(200\) is larger than its contextWindow/);
    expect(() => modelRegistry([] as unknown as Record<string, ModelDefinition>)).toThrow(/expected an object/);
  });

  it('refuses aliases that collide with a name or with another alias', () => {
    expect(() => modelRegistry({ a: {}, b: { aliases: ['a'] } })).toThrow(/alias "a" of "b" is already the name or an alias of "a"/);
    expect(() => modelRegistry({ a: { aliases: ['x'] }, b: { aliases: ['x'] } })).toThrow(/alias "x"/);
    expect(modelRegistry({ a: { aliases: ['a', 'x', 'x'] } }).resolve('x')?.info.name).toBe('a');
  });
});

describe('defaultTokenizer', () => {
  it('knows the OpenAI families, their encodings, vendor prefixes, and estimates the rest', () => {
    expect(defaultTokenizer('gpt-4o', undefined)).toBe('o200k_base');
    expect(defaultTokenizer('openai/gpt-4.1-mini', undefined)).toBe('o200k_base');
    expect(defaultTokenizer('o3-mini', undefined)).toBe('o200k_base');
    expect(defaultTokenizer('gpt-4-turbo', undefined)).toBe('cl100k_base');
    expect(defaultTokenizer('gpt-3.5-turbo', undefined)).toBe('cl100k_base');
    expect(defaultTokenizer('text-embedding-3-small', undefined)).toBe('cl100k_base');
    expect(defaultTokenizer('my-finetune', 'openai')).toBe('o200k_base');
    expect(defaultTokenizer('claude-sonnet-4-5', 'anthropic')).toBe('estimate');
    expect(defaultTokenizer('llama-3.1-70b', 'vllm')).toBe('estimate');
  });
});

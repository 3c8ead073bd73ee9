// The token-count cache: least recently used first out, bounded by entries, characters and text length.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenCountCache } from './count-cache.js';

describe('TokenCountCache', () => {
  it('drops the least recently used entry past maxEntries', () => {
    const cache = new TokenCountCache({ maxEntries: 2, maxChars: 1000, maxTextLength: 100 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // 'b' is now the least recently used
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('keeps no text longer than maxTextLength, and drops old texts past maxChars', () => {
    const cache = new TokenCountCache({ maxEntries: 100, maxChars: 10, maxTextLength: 6 });
    cache.set('1234567', 2);
    expect(cache.get('1234567')).toBeUndefined();
    cache.set('aaaaaa', 1);
    cache.set('bbbbbb', 1);
    expect([cache.get('aaaaaa'), cache.get('bbbbbb')]).toEqual([undefined, 1]);
  });

  it('never holds more than its bounds, and answers what it holds as it was set', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.nat(1000)), { maxLength: 200 }), (entries) => {
        const bounds = { maxEntries: 8, maxChars: 40, maxTextLength: 10 };
        const cache = new TokenCountCache(bounds);
        const first = new Map<string, number>();
        for (const [text, count] of entries) {
          if (cache.get(text) === undefined) cache.set(text, count);
          if (!first.has(text) && text.length <= bounds.maxTextLength) first.set(text, count);
          expect(cache.size).toBeLessThanOrEqual(bounds.maxEntries);
        }
        // An entry is only ever the count it was set with while it was held.
        for (const [text] of entries) {
          const held = cache.get(text);
          if (held !== undefined) expect(entries.some(([t, c]) => t === text && c === held)).toBe(true);
        }
      }),
    );
  });
});

// canonicalJson: each object's defined members with keys in string order, whatever order they were written in.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

/**
 * The definition, written the slow and obvious way: each object's defined members, keys sorted as
 * strings, joined. (Not JSON.stringify of a rebuilt object: that would list integer-like keys first.)
 */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${Array.from(value.keys(), (i) => (!(i in value) ? '' : value[i] === undefined ? 'null' : reference(value[i]))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
  return `{${members.join(',')}}`;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function objectOf(keys: readonly string[], value: (key: string, index: number) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  keys.forEach((key, index) => (out[key] = value(key, index)));
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: [true, null, undefined], c: { z: 'z', y: undefined, x: [] } })).toBe('{"a":[true,null,null],"b":1,"c":{"x":[],"z":"z"}}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('a"b\n')).toBe('"a\\"b\\n"');
  });

  it.each([
    ['chat messages', { messages: [{ role: 'user', content: 'hi' }, { content: [{ type: 'text', text: 'x' }], role: 'system' }] }],
    ['integer-like keys, which Object.keys lists first and numerically', { 10: 'a', 9: 'b', b: 1, '-1': 2, '01': 3, a: 4 }],
    ['keys outside ASCII, ordered by UTF-16 code unit', { é: 1, z: 2, '\u{1F600}': 3, '\uFFFF': 4, E: 5, '': 6 }],
    ['keys that need escaping', { 'a"b': 1, 'new\nline': 2, '\\': 3, '\u2028': 4 }],
    ['more keys than the in-place sort takes', objectOf(Array.from({ length: 40 }, (_, i) => `k${(i * 7919) % 97}`), (_k, i) => i)],
    ['exactly sixteen and seventeen keys', { s: objectOf('abcdefghijklmnop'.split(''), (k) => k), t: objectOf('abcdefghijklmnopq'.split(''), (k) => k) }],
  ])('gives the reference text for %s, in any key order', (_what, value) => {
    const expected = reference(value);
    expect(canonicalJson(value)).toBe(expected);
    const record = value as Record<string, unknown>;
    for (const seed of [1, 2, 3]) {
      const reordered = objectOf(shuffled(Object.keys(record), seed), (key) => record[key]);
      expect(canonicalJson(reordered)).toBe(expected);
    }
  });

  it('keeps array holes empty and objects inside arrays sorted', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , { b: 2, a: 1 }];
    expect(canonicalJson(holey)).toBe('[1,,{"a":1,"b":2}]');
  });

  it('quotes keys correctly past the bound of its key cache, and for keys too long to cache', () => {
    const many = objectOf(Array.from({ length: 1_500 }, (_, i) => `key-${i}-"q"`), (_k, i) => i);
    const long = { [`${'x'.repeat(200)}"\n`]: 1, ['y'.repeat(65)]: 2 };
    expect(canonicalJson(many)).toBe(reference(many));
    expect(canonicalJson(many)).toBe(reference(many));
    expect(canonicalJson(long)).toBe(reference(long));
    expect(canonicalJson(long)).toBe(reference(long));
  });
});

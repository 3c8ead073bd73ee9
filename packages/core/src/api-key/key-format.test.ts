// Unit tests of the API key format: round trip, strict parsing of hostile input, checksum, scanner pattern.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apiKeyPattern, assertKeyEnv, crc32, formatApiKey, keyIdLength, maxApiKeyLength, newKeyId, newSecret, parseApiKey, secretLength, type ApiKeyParts,
} from './key-format.js';

const fixed: ApiKeyParts = { env: 'live', keyId: 'AbCdEf012345', secret: 'Zz9'.repeat(14) + 'q' };
const fixedKey = formatApiKey(fixed);
const randomKey = (env = 'live'): string => formatApiKey({ env, keyId: newKeyId(), secret: newSecret() });
const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const envArb = fc.stringMatching(/^[a-z0-9]{1,16}$/);
const keyIdArb = fc.stringMatching(/^[0-9A-Za-z]{12}$/);
const secretArb = fc.stringMatching(/^[0-9A-Za-z]{43}$/);

describe('crc32', () => {
  it('matches the IEEE check value and the empty string', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
  });
});

describe('formatApiKey / parseApiKey', () => {
  it('has the documented layout', () => {
    expect(fixedKey).toMatch(/^tg_live_AbCdEf012345_(Zz9){14}q[0-9A-Za-z]{6}$/);
    expect(fixed.secret).toHaveLength(secretLength);
  });

  it('round-trips any valid environment, key id and secret', () => {
    fc.assert(
      fc.property(envArb, keyIdArb, secretArb, (env, keyId, secret) => {
        const key = formatApiKey({ env, keyId, secret });
        expect(key.length).toBeLessThanOrEqual(maxApiKeyLength);
        expect(parseApiKey(key)).toEqual({ env, keyId, secret });
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips generated keys, including the longest environment', () => {
    for (const env of ['live', 'test', '0', 'a'.repeat(16)]) {
      const key = randomKey(env);
      expect(parseApiKey(key)?.env).toBe(env);
    }
    expect(randomKey('a'.repeat(16))).toHaveLength(maxApiKeyLength);
  });

  it('refuses every single-character substitution, deletion and insertion of a key', () => {
    const replacements = [...base62, '_', '-', ' ', '\t', '\0', '.', 'é', 'Ａ'];
    for (let i = 0; i < fixedKey.length; i++) {
      const before = fixedKey.slice(0, i);
      const after = fixedKey.slice(i + 1);
      const own = fixedKey.charCodeAt(i);
      // Same low byte as the original: a CRC over char codes & 0xff would not see it, the structure must.
      const shadows = [String.fromCharCode(own + 0x100), String.fromCharCode(own + 0xff00)];
      for (const c of [...replacements, ...shadows]) {
        if (c === fixedKey[i]) continue;
        expect(parseApiKey(before + c + after), `${i}: ${JSON.stringify(c)}`).toBeUndefined();
      }
      expect(parseApiKey(before + after), `delete ${i}`).toBeUndefined();
      for (const c of ['a', '0', '_']) expect(parseApiKey(before + c + fixedKey.slice(i)), `insert ${i}`).toBeUndefined();
    }
  });

  it('refuses single-character substitutions of random keys', () => {
    fc.assert(
      fc.property(envArb, keyIdArb, secretArb, fc.nat(), fc.constantFrom(...base62, '_'), (env, keyId, secret, at, c) => {
        const key = formatApiKey({ env, keyId, secret });
        const i = at % key.length;
        fc.pre(key[i] !== c);
        expect(parseApiKey(key.slice(0, i) + c + key.slice(i + 1))).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a wrong prefix', () => {
    for (const prefix of ['tk_', 'TG_', 'tg-', 'sk_', '_tg_', 'tg__']) {
      expect(parseApiKey(prefix + fixedKey.slice(3))).toBeUndefined();
    }
  });

  it('refuses an upper-case or over-long environment even with a correct checksum', () => {
    expect(parseApiKey(formatApiKey({ ...fixed, env: 'LIVE' }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, env: 'Live' }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, env: 'a'.repeat(17) }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, env: '' }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, env: 'li-ve' }))).toBeUndefined();
  });

  it('refuses wrong part lengths and characters even with a correct checksum', () => {
    expect(parseApiKey(formatApiKey({ ...fixed, keyId: fixed.keyId.slice(1) }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, keyId: `${fixed.keyId}x` }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, keyId: 'AbCdEf01234_' }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, secret: fixed.secret.slice(1) }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, secret: `${fixed.secret.slice(1)}-` }))).toBeUndefined();
    expect(parseApiKey(formatApiKey({ ...fixed, secret: `${fixed.secret}x` }))).toBeUndefined();
  });

  it('refuses hostile strings without throwing', () => {
    const hostile = [
      '', 'tg_', 'tg_live_', 'tg_live_x', `tg_live_${'a'.repeat(8192)}`, `${fixedKey}${'a'.repeat(8192)}`, 'x'.repeat(8192),
      `${fixedKey}\0`, `\0${fixedKey}`, fixedKey.replace('_AbC', '_\0bC'), `${fixedKey} `, ` ${fixedKey}`, `${fixedKey}\n`,
      fixedKey.replace('Zz9', 'Z 9'), fixedKey.replace('Zz9', 'Z\t9'), fixedKey.replace('live', 'lïve'), fixedKey.replace('Zz9', 'Zż9'),
      fixedKey.replace('live', 'li\u200bve'), `Bearer ${fixedKey}`, `"${fixedKey}"`,
    ];
    for (const text of hostile) {
      expect(text).not.toBe(fixedKey);
      expect(parseApiKey(text), JSON.stringify(text.slice(0, 40))).toBeUndefined();
    }
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (text) => {
        expect(parseApiKey(`tg_${text}`)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});

describe('generation', () => {
  it('makes 43-character base62 secrets and 12-character key ids', () => {
    for (let i = 0; i < 100; i++) {
      expect(newSecret()).toMatch(/^[0-9A-Za-z]{43}$/);
      expect(newKeyId()).toMatch(new RegExp(`^[0-9A-Za-z]{${keyIdLength}}$`));
    }
  });

  it('makes 1000 different keys, key ids and secrets', () => {
    const parts = Array.from({ length: 1000 }, () => parseApiKey(randomKey())!);
    expect(new Set(parts.map((p) => p.keyId)).size).toBe(1000);
    expect(new Set(parts.map((p) => p.secret)).size).toBe(1000);
    expect(new Set(parts.map((p) => formatApiKey(p))).size).toBe(1000);
  });

  it('spreads key id characters over the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 300 }, () => newKeyId()).join(''));
    expect(seen.size).toBe(62);
  });
});

describe('assertKeyEnv', () => {
  it('accepts 1-16 lower-case letters or digits and refuses the rest', () => {
    for (const env of ['live', 'test', 'x', '0', 'a'.repeat(16)]) expect(() => assertKeyEnv(env)).not.toThrow();
    for (const env of ['', 'Live', 'a'.repeat(17), 'li_ve', 'li-ve', 'live\n', 'lïve']) expect(() => assertKeyEnv(env)).toThrow(TypeError);
  });
});

describe('apiKeyPattern', () => {
  const find = (text: string): string[] => [...text.matchAll(new RegExp(apiKeyPattern, 'g'))].map((m) => m[0]);

  it('finds keys inside text, logs and JSON', () => {
    const other = randomKey('test');
    expect(find(`Authorization: Bearer ${fixedKey}\r\n`)).toEqual([fixedKey]);
    expect(find(JSON.stringify({ key: fixedKey, again: other }))).toEqual([fixedKey, other]);
    expect(find(`https://example.com/?k=${fixedKey}&x=1`)).toEqual([fixedKey]);
    expect(`line ${fixedKey} and ${other}`.match(new RegExp(apiKeyPattern, 'g'))).toEqual([fixedKey, other]);
  });

  it('does not match fragments glued to other word characters or cut short', () => {
    expect(find(`x${fixedKey}`)).toEqual([]);
    expect(find(`${fixedKey}9`)).toEqual([]);
    expect(find(fixedKey.slice(0, -1))).toEqual([]);
    expect(find('tg_live_short')).toEqual([]);
  });
});

// Redaction and log-injection safety of record fields: credentials scrubbed, control characters neutralised, keys made safe.
import { describe, expect, it } from 'vitest';
import { formatApiKey, newKeyId, newSecret } from '../api-key/key-format.js';
import { canonicalJson } from './canonical-json.js';
import { safeContent, safeText, safeValue, scrubCredentials } from './record-safety.js';

const key = formatApiKey({ env: 'live', keyId: newKeyId(), secret: newSecret() });
const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz';

describe('scrubCredentials', () => {
  it.each([
    ['a tollgate key', `path /v1/keys/${key}/x`, key],
    ['a key cut short', `ua ${key.slice(0, 40)}`, key.slice(20, 40)],
    ['a bearer token', 'Authorization: Bearer abcdefgh12345678', 'abcdefgh12345678'],
    ['a JWT', `token ${jwt}`, 'eyJzdWIiOiJhbGljZSJ9'],
    ['a provider key', 'sk-proj-ABCDEFGHIJKLMNOPQRSTUV', 'ABCDEFGHIJKLMNOPQRSTUV'],
    ['a query-style secret', 'x?api_key=hunter2hunter2&y=1', 'hunter2hunter2'],
    ['a token parameter', '/cb?token=abcdefghijklmnop', 'abcdefghijklmnop'],
    ['a JSON-style password', '{"password": "correct horse"}', 'correct'],
    ['a Redis URL password', 'redis://default:s3cr3t-pw@cache.internal:6379/0', 's3cr3t-pw'],
    ['a Postgres URL password', 'connect postgres://app:pg%40pass@db.internal/tollgate?sslmode=require', 'pg%40pass'],
    ['a URL password with no user', 'rediss://:onlypw@h', 'onlypw'],
    ['a URL password holding an unescaped @', 'postgres://u:p@ss@h/db', 'p@ss'],
  ])('removes %s', (_what, text, secret) => {
    const out = scrubCredentials(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted');
  });

  it('gives what the six replaces give, whether or not the quick scan finds a hint', () => {
    const reference = (text: string): string =>
      [
        [/tg_[a-z0-9]{1,16}_[0-9A-Za-z]{12}_[0-9A-Za-z]{4,}/g, 'tg_[redacted]'],
        [/\b(bearer|basic|token)(\s+)[^\s,;"']{8,}/gi, '$1$2[redacted]'],
        [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
        [/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-[redacted]'],
        [/\b((?:api[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|client[_-]?secret|secret|password|passwd|pwd|sig|signature)["']?\s*[=:]\s*["']?)[^\s&,;"']+/gi, '$1[redacted]'],
        [/\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#]+@/gi, '$1[redacted]@'],
      ].reduce((out, [pattern, replacement]) => out.replace(pattern as RegExp, replacement as string), text);
    const texts = [
      'total_tokens', 'tenant-tpm', 'TG_LIVE_ABC', `Bearer ${key}`, `TOKEN=${key}`, 'Basic   dXNlcjpwYXNzd29yZA==', 'sk-short', 'SK-ABCDEFGHIJKLMNOPQRSTUVWX',
      `${jwt.toUpperCase()}`, 'Sig: x', 'pwd="a b"', 'api-key:zzz', 'signatures are fine', 'a\u2028b', '', 'token', `x ${key.slice(0, 25)}`,
      'Redis://u:p@h', 'x://:@h', 'redis://h:6379', 'postgres://u:p w@h',
    ];
    for (const text of texts) expect(scrubCredentials(text)).toBe(reference(text));
  });

  it('keeps the user, host and path of a URL and redacts only its password, also where the quick scan decides', () => {
    expect(scrubCredentials('postgres://app:hunter2@db.internal:5432/tollgate')).toBe('postgres://app:[redacted]@db.internal:5432/tollgate');
    expect(scrubCredentials('REDIS://u:PW@H')).toBe('REDIS://u:[redacted]@H');
    // No password: nothing to redact, and a port after the host is not a password.
    for (const text of ['redis://cache.internal:6379', 'https://user@host.example/x', 'mailto:a@b.example']) expect(scrubCredentials(text)).toBe(text);
  });

  it('leaves ordinary text alone', () => {
    expect(scrubCredentials('curl/8.4.0 (x86_64) max_tokens=16 tokens=3')).toBe('curl/8.4.0 (x86_64) max_tokens=16 tokens=3');
  });
});

describe('safeText', () => {
  it('keeps a forged JSON fragment and CR/LF inside one string value', () => {
    const forged = 'agent/1\r\n{"tenant_id":"victim","status":200}\u2028x\u001b[31m';
    const line = JSON.stringify({ user_agent: safeText(forged, 512), tenant_id: 'acme' });
    expect(line).not.toMatch(/[\r\n\u2028\u2029\u001b]/);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['user_agent', 'tenant_id']);
    expect(parsed['tenant_id']).toBe('acme');
    expect(parsed['user_agent']).toContain('{"tenant_id":"victim"');
  });

  it('cuts long values and never leaves a credential at the cut', () => {
    expect(safeText('a'.repeat(1000), 10)).toBe(`${'a'.repeat(10)}…`);
    const text = `${'x'.repeat(15)}${key}`;
    expect(safeText(text, 30)).not.toContain(key.slice(0, 20));
  });
});

describe('safeContent', () => {
  it('keeps newlines of raw content but drops terminal escapes and credentials', () => {
    expect(safeContent(`line 1\nline 2\u001b[2J ${key}`)).toBe('line 1\nline 2\uFFFD[2J tg_[redacted]');
  });
});

describe('safeValue', () => {
  it('snake-cases keys and redacts secret-named ones, however nested', () => {
    const out = safeValue({ ruleName: 'free-tier', maxTokens: 10, nested: { apiKey: 'x', Authorization: 'y', clientSecret: 'z', tokens: 5 } });
    expect(out).toEqual({ rule_name: 'free-tier', max_tokens: 10, nested: { api_key: '[redacted]', authorization: '[redacted]', client_secret: '[redacted]', tokens: 5 } });
  });

  it('drops a key that only becomes __proto__ once snake-cased', () => {
    const out = safeValue(JSON.parse('{"__Proto__": {"admin": true}, "Constructor": 1, "good": 2}')) as Record<string, unknown>;
    expect(out).toEqual({ good: 2 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('drops keys that could forge or pollute, and values that are not JSON', () => {
    const hostile = JSON.parse('{"__proto__": {"admin": true}, "ok\\"key": 1, "good": 2}') as object;
    const out = safeValue({ ...hostile, fn: () => 1, sym: Symbol('s'), big: 10n, nan: Number.NaN, when: new Date(0) }) as Record<string, unknown>;
    expect(out).toEqual({ good: 2, big: '10', nan: null, when: '1970-01-01T00:00:00.000Z' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('bounds depth and size, and never keeps an error message', () => {
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    expect(canonicalJson(safeValue(deep))).toBe('{"a":{"b":{"c":{"d":{"e":"[too deep]"}}}}}');
    expect((safeValue(Array.from({ length: 80 }, (_, i) => i)) as unknown[]).length).toBe(50);
    const error = Object.assign(new Error(`db password=${key}`), { code: 'ECONNREFUSED' });
    expect(safeValue({ error })).toEqual({ error: { name: 'Error', code: 'ECONNREFUSED' } });
  });
});

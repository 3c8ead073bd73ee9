import { describe, expect, it } from 'vitest';
import { introspection } from './introspection.js';
import { judgeAnswer } from './introspect-token.js';

const rules = { issuer: 'https://idp.example.com', audience: ['api'], nowSeconds: 1_000, toleranceSeconds: 5 };

describe('judgeAnswer', () => {
  it('accepts only active: true with times, issuer and audience in order', () => {
    expect(judgeAnswer({ active: true, sub: 'a', exp: 2_000, aud: 'api', iss: 'https://idp.example.com' }, rules).active).toBe(true);
    expect(judgeAnswer({ active: true, sub: 'a', aud: ['x', 'api'] }, rules).active).toBe(true);
    for (const answer of [
      { active: 'true', aud: 'api' },
      { active: 1, aud: 'api' },
      { active: false, aud: 'api' },
      { aud: 'api' },
      { active: true, aud: 'api', exp: 990 },
      { active: true, aud: 'api', exp: '2000' },
      { active: true, aud: 'api', nbf: 1_100 },
      { active: true, aud: 'api', iss: 'https://evil.example.com' },
      { active: true, aud: 'other' },
      { active: true },
      { active: true, aud: 'api', cnf: { 'x5t#S256': 'abc' } },
      { active: true, aud: 'api', token_type: 'DPoP' },
    ]) {
      expect(judgeAnswer(answer, rules).active, JSON.stringify(answer)).toBe(false);
    }
    expect(judgeAnswer({ active: true, sub: 'a' }, { ...rules, audience: undefined, issuer: undefined }).active).toBe(true);
  });
});

describe('introspection() options', () => {
  const base = { endpoint: 'https://idp.example.com/introspect', clientId: 'c', clientSecret: 's' };
  it('checks options at startup and takes opaque bearer tokens only, unless told otherwise', () => {
    expect(() => introspection({ ...base, clientSecret: '' })).toThrow(/clientSecret is required/);
    expect(() => introspection({ ...base, endpoint: 'http://idp.example.com/introspect' })).toThrow(/https URL/);
    expect(() => introspection({ ...base, discovery: true, issuer: 'https://idp.example.com' })).toThrow(/exactly one of endpoint and discovery/);
    expect(() => introspection({ ...base, clientAuth: 'private_key_jwt' as never })).toThrow(/clientAuth/);
    expect(() => introspection({ ...base, maxConcurrent: 0 })).toThrow(/maxConcurrent/);
    const method = introspection(base);
    expect(method.accepts({ value: '2YotnFZFEjr1zCsicMWpAA', header: 'authorization' })).toBe(true);
    expect(method.accepts({ value: 'a.b.c', header: 'authorization' })).toBe(false);
    expect(method.accepts({ value: 'tg_live_x', header: 'authorization' })).toBe(false);
    expect(method.accepts({ value: '2YotnFZFEjr1zCsicMWpAA', header: 'x-api-key' })).toBe(false);
    expect(introspection({ ...base, tokenForm: 'any' }).accepts({ value: 'a.b.c', header: 'authorization' })).toBe(true);
  });
});

// jwt() options are checked once at startup; the caller's object is never changed.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwt } from './jwt.js';
import type { JwtOptions } from './jwt-options.js';

const base = { issuer: 'https://idp.example.com/', audience: 'api', algorithms: ['RS256'], discovery: true } as const;
const build = (extra: Partial<JwtOptions> | Record<string, unknown>) => () => jwt({ ...base, ...extra } as JwtOptions);

describe('jwt() options', () => {
  it('requires algorithms and never allows none', () => {
    expect(build({ algorithms: undefined })).toThrow(/jwt\.algorithms is required/);
    expect(build({ algorithms: [] })).toThrow(/jwt\.algorithms is required/);
    for (const none of ['none', 'None', 'NONE']) expect(build({ algorithms: [none] })).toThrow(/can never be allowed/);
    expect(build({ algorithms: ['RS257'] })).toThrow(/unknown algorithm "RS257"/);
    expect(build({ algorithms: ['rs256'] })).toThrow(/unknown algorithm/);
  });

  it('refuses HMAC secrets shorter than the hash, and mixed or mismatched key sources', () => {
    const hs = { discovery: undefined, algorithms: ['HS256'] };
    expect(build({ ...hs, secret: 'x'.repeat(31) })).toThrow(/31 bytes; HS256 needs at least 32/);
    expect(build({ ...hs, secret: 'x'.repeat(32) })).not.toThrow();
    expect(build({ ...hs, algorithms: ['HS512'], secret: 'x'.repeat(63) })).toThrow(/needs at least 64/);
    expect(build({ ...hs, secret: new Uint8Array(16) })).toThrow(/16 bytes/);
    expect(build({ algorithms: ['HS256', 'RS256'], secret: 'x'.repeat(40) })).toThrow(/mixes HMAC/);
    expect(build({ algorithms: ['HS256'] })).toThrow(/give secret, not discovery/);
    expect(build({ discovery: undefined, algorithms: ['RS256'], secret: 'x'.repeat(40) })).toThrow(/secret works only with HS/);
    expect(build({ jwksUri: 'https://idp.example.com/jwks' })).toThrow(/exactly one key source.*discovery, jwksUri|jwksUri, discovery/);
    expect(build({ discovery: false })).toThrow(/got none/);
  });

  it('checks static keys against the algorithms and refuses private keys', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(build({ discovery: undefined, algorithms: ['ES256'], publicKeys: [pem] })).not.toThrow();
    expect(build({ discovery: undefined, algorithms: ['RS256'], publicKeys: [pem] })).toThrow(/EC P-256\) cannot verify any of RS256/);
    expect(build({ discovery: undefined, algorithms: ['ES256'], publicKeys: [privateKey.export({ format: 'jwk' })] })).toThrow(/private or symmetric/);
    expect(build({ discovery: undefined, algorithms: ['ES256'], publicKeys: ['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'] })).toThrow(/jwt\.publicKeys\[0\] is not a public key/);
  });

  it('bounds the tolerances and limits, and checks URLs', () => {
    expect(build({ clockToleranceSeconds: 61 })).toThrow(/clockToleranceSeconds/);
    expect(build({ maxTokenLength: 100_000 })).toThrow(/maxTokenLength/);
    expect(build({ jwks: { maxAgeMs: 60_000, maxStalenessMs: 30_000 } })).toThrow(/maxStalenessMs/);
    expect(build({ discovery: undefined, jwksUri: 'http://idp.example.com/jwks' })).toThrow(/https URL/);
    expect(build({ issuer: 'http://idp.example.com' })).toThrow(/https URL/);
    expect(build({ audience: [] })).toThrow(/jwt\.audience/);
    expect(build({ issuer: '' })).toThrow(/jwt\.issuer is required/);
    expect(build({ claims: { roles: '' } })).toThrow(/jwt\.claims\.roles/);
  });

  it('leaves the caller options untouched and takes only Authorization bearer JWTs', () => {
    const options = { ...base, algorithms: ['RS256' as const], jwks: { maxAgeMs: 60_000 } } satisfies JwtOptions;
    const frozen = structuredClone(options);
    const method = jwt(options);
    expect(options).toEqual(frozen);
    expect(method.accepts({ value: 'a.b.c', header: 'authorization' })).toBe(true);
    expect(method.accepts({ value: 'a.b.c', header: 'x-api-key' })).toBe(false);
    expect(method.accepts({ value: 'tg_live_x', header: 'authorization' })).toBe(false);
    expect(method.accepts({ value: 'opaque', header: 'authorization' })).toBe(false);
  });
});

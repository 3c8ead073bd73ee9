// The jwt, introspection and mtls sections: mapping to options, files read relative to the config, errors placed at the field.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jwt } from '../jwt/jwt.js';
import { gate } from '../gate.js';
import { parseConfig } from './load-config.js';
import { introspectionMethodSchema, toIntrospectionOptions } from './sections/introspection-method.js';
import { jwtMethodSchema, toJwtOptions } from './sections/jwt-method.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-token-sections-'));
const head = 'version: 1\nauthenticate:\n  methods:\n';
const fail = (path: unknown, error: unknown): never => {
  throw Object.assign(new Error(String(error)), { path });
};

function problemsOf(text: string): string {
  try {
    parseConfig(text, { baseDir: dir, env: {}, source: 'tollgate.yaml' });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config sections of the token methods', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes every jwt field through and invents none', () => {
    const full = jwtMethodSchema.parse({
      type: 'jwt', issuer: 'https://i.example/', audience: ['a', 'b'], algorithms: ['RS256'], discovery: true, typ: 'at+jwt',
      clockToleranceSeconds: 10, maxTokenAgeSeconds: 600, maxExpiresInSeconds: 3600, requiredClaims: ['jti'],
      claims: { subject: 'oid', tenant: 'tid', roles: ['https://x.example/roles'], scopes: 'scp', kind: 'auto' },
      jwks: { maxAgeMs: 60_000, cooldownMs: 1_000, maxStalenessMs: 120_000, timeoutMs: 500, maxBytes: 4_096 }, cache: false, maxTokenLength: 4_096,
    });
    const options = toJwtOptions(full, dir, fail);
    expect(options).toMatchObject({ audience: ['a', 'b'], claims: { roles: ['https://x.example/roles'], tenant: 'tid' }, jwks: { maxAgeMs: 60_000 }, cache: false, maxTokenLength: 4_096 });
    expect(options.audience).not.toBe(full.audience);
    expect(toJwtOptions(jwtMethodSchema.parse({ type: 'jwt', issuer: 'i', audience: 'a', algorithms: ['HS256'], secret: 's' }), dir, fail)).toEqual({ issuer: 'i', audience: 'a', algorithms: ['HS256'], secret: 's' });
    expect(() => jwt(options)).not.toThrow();
  });

  it('decodes a base64url secret and reads public keys from files next to the config', async () => {
    const secret = Buffer.alloc(32, 1).toString('base64url');
    expect(parseConfig(`${head}    - { type: jwt, issuer: i, audience: a, algorithms: [HS256], secret: "${secret}", secretEncoding: base64url }\n`, { env: {} }).authenticate.methods).toHaveLength(1);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'signing.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] }));
    const options = parseConfig(`${head}    - { type: jwt, issuer: i, audience: a, algorithms: [ES256], publicKeyFiles: [signing.pem, jwks.json] }\n`, { baseDir: dir, env: {} });
    await gate(options).close();
    expect(problemsOf(`${head}    - { type: jwt, issuer: i, audience: a, algorithms: [ES256], publicKeyFiles: [missing.pem] }\n`)).toMatch(/authenticate\.methods\[0\]\.publicKeyFiles\[0\]: .*cannot read a public key from missing\.pem/);
  });

  it('places startup refusals at the method and lists only the keys of its own type', () => {
    expect(problemsOf(`${head}    - { type: jwt, issuer: i, audience: a, algorithms: [HS256], secret: short }\n`)).toMatch(/authenticate\.methods\[0\]: .*jwt\.secret is 5 bytes/);
    expect(problemsOf(`${head}    - { type: jwt, issuer: i, audience: a, algorithms: [RS256], discovery: true, jwksUrl: x }\n`)).toContain(
      'unknown key "jwksUrl"; expected one of: algorithms, audience, cache, claims, clockToleranceSeconds, discovery, issuer, jwks, jwksUri, maxExpiresInSeconds, maxTokenAgeSeconds, maxTokenLength, publicKeyFiles, requiredClaims, secret, secretEncoding, typ, type',
    );
    expect(problemsOf(`${head}    - { type: jwt, issuer: i, audience: a, algorithms: [RS256], discovery: true, clockToleranceSeconds: 61 }\n`)).toMatch(/clockToleranceSeconds: must be a whole number from 0 to 60/);
    expect(() => jwt({ issuer: 'i', audience: 'a', algorithms: ['RS256'], discovery: true, clockToleranceSeconds: 61 })).toThrow(/from 0 to 60/);
    expect(problemsOf(`${head}    - { type: introspection, clientId: c, clientSecret: s }\n`)).toMatch(/give exactly one of endpoint and discovery/);
    // Narrowing hints to the member a `type` names must not lose them when a literal is simply wrong.
    expect(problemsOf(`version: 2\nerorrs: {}\n${head.slice('version: 1\n'.length)}    - { type: apiKey, store: { type: memory } }\n`)).toMatch(/unknown key "erorrs"; expected one of: authenticate/);
  });

  it('maps introspection fields and builds the method', () => {
    const config = introspectionMethodSchema.parse({ type: 'introspection', endpoint: 'https://i.example/introspect', clientId: 'c', clientSecret: 's', audience: ['x'], cache: false, maxQueue: 3, claims: { tenant: 'org' } });
    expect(toIntrospectionOptions(config)).toEqual({ endpoint: 'https://i.example/introspect', clientId: 'c', clientSecret: 's', audience: ['x'], cache: false, maxQueue: 3, claims: { tenant: 'org' } });
  });

  it('builds an mtls method from inline bindings and refuses bad identities, duplicates and missing CA files', async () => {
    const fp = 'ab'.repeat(32);
    const options = parseConfig(`${head}    - type: mtls\n      certificates:\n        - { identity: "fingerprint:${fp}", subject: job }\n        - { identity: "san:URI:spiffe://acme/batch", subject: batch, tenantId: acme }\n`, { env: {} });
    const [method] = options.authenticate.methods;
    expect(method?.name).toBe('mtls');
    expect(await (method as unknown as { store: { get(i: string): Promise<unknown> } }).store.get(`fingerprint:${fp.toUpperCase().match(/../g)!.join(':')}`)).toEqual({ subject: 'job' });
    expect(problemsOf(`${head}    - { type: mtls, certificates: [{ identity: "cn:x", subject: a }] }\n`)).toMatch(/identity: must be fingerprint:/);
    expect(problemsOf(`${head}    - { type: mtls, certificates: [{ identity: "san:DNS:a", subject: a }, { identity: "san:DNS:a", subject: b }] }\n`)).toMatch(/certificates\[1\]\.identity: .*listed twice/);
    expect(problemsOf(`${head}    - { type: mtls, certificates: [{ identity: "san:DNS:a", subject: a }], forwarded: { header: client-cert, format: rfc9440, caFiles: [nope.pem] } }\n`)).toMatch(/forwarded\.caFiles\[0\]: .*cannot read nope\.pem/);
  });
});

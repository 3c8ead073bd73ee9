// The JWT method against a real provider: each key source, claim mapping, token-type and age rules, and the verified-token cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt, type JwtOptions } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { signHs256 } from '../support/jws-signer.js';
import { jwtOptions } from '../support/jwt-fixture.js';
import { jwtApi, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';

describe('jwt() with a real OpenID provider', () => {
  let idp: TestProvider;
  const apps: AuthApp[] = [];
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    idp = await startTestProvider();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await idp.close();
  });

  async function appWith(options: JwtOptions): Promise<AuthApp> {
    const app = await startAuthApp([jwt(options)]);
    apps.push(app);
    return app;
  }

  const claims = (extra: Record<string, unknown> = {}) => ({ iss: idp.issuer, aud: jwtApi, sub: 'alice', scope: 'chat', iat: now(), exp: now() + 600, ...extra });

  it('finds the keys by discovery and maps a client-credentials token to a service principal', async () => {
    const app = await appWith(jwtOptions(idp, { claims: { tenant: 'org_id', roles: 'realm_access.roles' } }));
    const result = await app.bearer(await idp.clientCredentialsToken());
    expect(result.status).toBe(200);
    expect(result.body.principal).toMatchObject({ subject: 'svc-batch', kind: 'service', method: 'jwt', tenantId: 'acme', roles: ['batch'], scopes: ['chat', 'models'] });
    expect(idp.hits.get('/.well-known/openid-configuration')).toBeGreaterThanOrEqual(1);
  });

  it('verifies a token once and serves repeats from the cache, without more JWKS fetches', async () => {
    const app = await appWith(jwtOptions(idp));
    const token = await idp.clientCredentialsToken();
    expect((await app.bearer(token)).body.authn).toMatchObject({ outcome: 'allow', method: 'jwt', cached: false });
    const fetches = idp.hits.get('/jwks');
    for (let i = 0; i < 5; i++) expect((await app.bearer(token)).body.authn).toMatchObject({ cached: true });
    expect(idp.hits.get('/jwks')).toBe(fetches);
  });

  it('never serves a cached verification past the token expiry', async () => {
    let offsetMs = 0;
    const app = await appWith(jwtOptions(idp, { now: () => Date.now() + offsetMs, clockToleranceSeconds: 0, cache: { ttlMs: 3_600_000 } }));
    const token = idp.sign(claims({ exp: now() + 30 }));
    expect((await app.bearer(token)).status).toBe(200);
    offsetMs = 31_000;
    expect((await app.bearer(token)).status).toBe(401);
  });

  it('takes keys from a JWKS URL, from static public keys, or from a shared secret', async () => {
    const byUri = await appWith(jwtOptions(idp, { discovery: undefined, jwksUri: idp.jwksUri }));
    expect((await byUri.bearer(await idp.clientCredentialsToken())).status).toBe(200);
    const pem = idp.keys[0]!.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const byPem = await appWith(jwtOptions(idp, { discovery: undefined, publicKeys: [pem] }));
    expect((await byPem.bearer(await idp.clientCredentialsToken())).status).toBe(200);
    const secret = 'a-shared-secret-of-at-least-32-bytes!!';
    const bySecret = await appWith({ issuer: 'https://issuer.example', audience: 'api', algorithms: ['HS256'], secret });
    expect((await bySecret.bearer(signHs256({ iss: 'https://issuer.example', aud: 'api', sub: 'bob', exp: now() + 60 }, secret))).body.principal).toMatchObject({ subject: 'bob', kind: 'user' });
    expect((await bySecret.bearer(signHs256({ iss: 'https://issuer.example', aud: 'api', sub: 'bob', exp: now() + 60 }, `${secret}x`))).status).toBe(401);
  });

  it('enforces typ, required claims and maximum token age', async () => {
    const app = await appWith(jwtOptions(idp, { requiredClaims: ['jti'], maxTokenAgeSeconds: 300 }));
    expect((await app.bearer(idp.sign(claims({ jti: 'a' })))).status).toBe(200);
    expect((await app.bearer(idp.sign(claims({ jti: 'b' }), { typ: 'JWT' }))).status).toBe(401);
    expect((await app.bearer(idp.sign(claims()))).status).toBe(401);
    expect((await app.bearer(idp.sign(claims({ jti: 'c', iat: now() - 400 })))).status).toBe(401);
    const { iat: _iat, ...withoutIat } = claims({ jti: 'd' });
    expect((await app.bearer(idp.sign(withoutIat))).status).toBe(401);
  });

  it('refuses a token whose tenant claim is present but not a string, and one without any subject', async () => {
    const app = await appWith(jwtOptions(idp, { claims: { tenant: 'org_id' } }));
    expect((await app.bearer(idp.sign(claims({ org_id: { id: 'acme' } })))).status).toBe(401);
    const { sub: _sub, ...anonymous } = claims();
    expect((await app.bearer(idp.sign(anonymous))).status).toBe(401);
    expect((await app.bearer(idp.sign(claims({ org_id: 'acme' })))).body.principal).toMatchObject({ tenantId: 'acme' });
  });
});

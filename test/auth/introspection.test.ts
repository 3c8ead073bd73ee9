// Opaque access tokens from a real provider, checked by RFC 7662 introspection: mapping, caching within exp, revocation, outages.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { introspection, type IntrospectionOptions } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { attackTest } from '../support/attack-table.js';
import { opaqueApi, resourceClient, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';

describe('introspection against a real provider', () => {
  let idp: TestProvider;
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const apps: AuthApp[] = [];
  const providerErrors: Error[] = [];

  beforeAll(async () => {
    idp = await startTestProvider();
  });
  afterEach(async () => {
    idp.setMode('ok');
    offsetMs = 0;
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => idp.close());

  async function appWith(extra: Partial<IntrospectionOptions> = {}) {
    const method = introspection({
      endpoint: idp.introspectionEndpoint,
      clientId: resourceClient.id,
      clientSecret: resourceClient.secret,
      issuer: idp.issuer,
      audience: opaqueApi,
      claims: { tenant: 'org_id', roles: 'realm_access.roles' },
      cache: { ttlMs: 30_000 },
      onProviderError: (error) => providerErrors.push(error),
      now,
      ...extra,
    } as IntrospectionOptions);
    const app = await startAuthApp([method]);
    apps.push(app);
    return { app, method };
  }

  it('maps an active answer to the principal and serves repeats from the cache', async () => {
    const { app, method } = await appWith();
    const token = await idp.clientCredentialsToken(opaqueApi);
    const first = await app.bearer(token);
    expect(first.status).toBe(200);
    expect(first.body.principal).toMatchObject({ subject: 'svc-batch', kind: 'service', method: 'oauth_introspection', tenantId: 'acme', roles: ['batch'], scopes: ['chat', 'models'] });
    const second = await app.bearer(token);
    expect(second.body.authn).toMatchObject({ outcome: 'allow', method: 'oauth_introspection', cached: true });
    expect(method.calls).toBe(1);
  });

  it('finds the endpoint by discovery and authenticates with client_secret_post too', async () => {
    const { app } = await appWith({ endpoint: undefined, discovery: true, clientAuth: 'client_secret_post' });
    expect((await app.bearer(await idp.clientCredentialsToken(opaqueApi))).status).toBe(200);
  });

  it('never serves a cached answer past the token expiry', async () => {
    const { app, method } = await appWith({ cache: { ttlMs: 3_600_000 } });
    const token = await idp.clientCredentialsToken(opaqueApi);
    expect((await app.bearer(token)).status).toBe(200);
    offsetMs = 606_000; // the provider issues 600 s tokens; 5 s of tolerance
    expect((await app.bearer(token)).status).toBe(401);
    expect(method.calls).toBe(2);
  });

  it('refuses an answer for another audience', async () => {
    const { app } = await appWith({ audience: 'https://someone-else.test' });
    expect((await app.bearer(await idp.clientCredentialsToken(opaqueApi))).status).toBe(401);
  });

  it('answers 503, not 401, when the provider refuses tollgate\'s own client credentials, and says why', async () => {
    providerErrors.length = 0;
    const { app } = await appWith({ clientSecret: 'wrong-secret-wrong-secret-wrong-secret' });
    const result = await app.bearer(await idp.clientCredentialsToken(opaqueApi));
    expect(result.status).toBe(503);
    expect(result.code).toBe('TG_VERIFIER_UNAVAILABLE');
    expect(providerErrors.map((e) => e.message).join()).toMatch(/HTTP 401/);
  });

  attackTest('introspection-revoked', async () => {
    const { app } = await appWith();
    const token = await idp.clientCredentialsToken(opaqueApi);
    expect((await app.bearer(token)).status).toBe(200);
    await idp.revoke(token);
    offsetMs = 31_000;
    return app.bearer(token);
  });

  attackTest('introspection-replay-inactive', async () => {
    const { app, method } = await appWith();
    const results = [];
    for (let i = 0; i < 50; i++) results.push(await app.bearer('NotATokenTheProviderEverIssued_0123456789'));
    expect(method.calls).toBe(1);
    return results;
  });

  attackTest('introspection-down', async () => {
    const { app, method } = await appWith({ maxStalenessMs: 120_000, cooldownMs: 2_000 });
    const seen = await idp.clientCredentialsToken(opaqueApi);
    expect((await app.bearer(seen)).status).toBe(200);
    const unseen = await idp.clientCredentialsToken(opaqueApi);
    idp.setMode('down', '/token/introspection');
    offsetMs = 60_000; // past the TTL, within the staleness limit: the earlier answer still stands
    expect((await app.bearer(seen)).status).toBe(200);
    const refused = await app.bearer(unseen);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const callsAfterFailure = method.calls;
    expect((await app.bearer(unseen)).status).toBe(503); // within the cooldown: the endpoint is not called again
    expect(method.calls).toBe(callsAfterFailure);
    offsetMs = 130_000;
    expect((await app.bearer(seen)).status).toBe(503);
    return refused;
  });

  it('answers 503 instead of hanging when the endpoint never answers', async () => {
    idp.setMode('hang', '/token/introspection');
    const { app } = await appWith({ timeoutMs: 300 });
    expect((await app.bearer('SomeOpaqueTokenValue_abcdefghijklmnop')).status).toBe(503);
  });
});

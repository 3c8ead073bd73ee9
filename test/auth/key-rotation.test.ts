// Key rotation at a real provider: a new key is picked up with one refetch, a removed key stops working within jwks.maxAgeMs.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { jwt } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { attackTest } from '../support/attack-table.js';
import { headerOf } from '../support/jws-signer.js';
import { jwtOptions } from '../support/jwt-fixture.js';
import { newSigningKey, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';

describe('key rotation at the provider', () => {
  let idp: TestProvider;
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const apps: AuthApp[] = [];

  beforeAll(async () => {
    idp = await startTestProvider();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await idp.close();
  });

  async function warmApp(maxAgeMs: number) {
    const method = jwt(jwtOptions(idp, { now, jwks: { maxAgeMs, cooldownMs: 10_000 }, cache: { ttlMs: 3_600_000 } }));
    await method.warm();
    const app = await startAuthApp([method]);
    apps.push(app);
    return { app, method };
  }

  attackTest('rotation-new-kid', async () => {
    offsetMs = 0;
    idp.rotate([newSigningKey('key-a')]);
    const { app, method } = await warmApp(600_000);
    idp.rotate([newSigningKey('key-b'), idp.keys[0]!]);
    const rotated = await idp.clientCredentialsToken();
    expect(headerOf(rotated).kid).toBe('key-b');
    offsetMs = 11_000;
    const first = await app.bearer(rotated);
    const second = await app.bearer(await idp.clientCredentialsToken());
    expect(method.jwks!.fetches).toBe(2);
    expect(second.body.authn).toMatchObject({ method: 'jwt', cached: false });
    return [first, second];
  });

  attackTest('rotation-removed-kid', async () => {
    offsetMs = 0;
    idp.rotate([newSigningKey('key-c')]);
    const { app, method } = await warmApp(60_000);
    const old = await idp.clientCredentialsToken();
    expect((await app.bearer(old)).status).toBe(200);
    idp.rotate([newSigningKey('key-d')]);
    // Within the documented lag the old key's tokens still pass (from the cache, then from the old keys).
    offsetMs = 59_000;
    expect((await app.bearer(old)).status).toBe(200);
    offsetMs = 61_000;
    const refused = await app.bearer(old);
    expect(method.jwks!.fetches).toBe(2);
    expect((await app.bearer(await idp.clientCredentialsToken())).status).toBe(200);
    return refused;
  });
});

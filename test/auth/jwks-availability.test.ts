// The JWKS under pressure: floods of unknown kids, a refresh stampede, and a provider that is down, returns garbage or hangs.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jwt, type JwtMethod, type JwtOptions } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { attackTest } from '../support/attack-table.js';
import { jwtOptions } from '../support/jwt-fixture.js';
import { jwtApi, newSigningKey, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';

describe('JWKS availability', () => {
  let idp: TestProvider;
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const apps: AuthApp[] = [];

  beforeAll(async () => {
    idp = await startTestProvider();
  });
  afterEach(async () => {
    idp.setMode('ok');
    offsetMs = 0;
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => idp.close());

  /** A fresh app whose jwt() method runs on the test clock; `warm` loads the keys first. */
  async function appWith(extra: Partial<JwtOptions>, warm = true): Promise<{ app: AuthApp; method: JwtMethod }> {
    const method = jwt(jwtOptions(idp, { now, ...extra }));
    if (warm) await method.warm();
    const app = await startAuthApp([method]);
    apps.push(app);
    return { app, method };
  }

  /** A provider-signed token valid on the test clock. */
  function token(header: Record<string, unknown> = {}, key = idp.keys[0]!): string {
    const t = Math.floor(now() / 1000);
    return idp.sign({ iss: idp.issuer, aud: jwtApi, sub: 'svc-batch', scope: 'chat', iat: t, exp: t + 600 }, header, key);
  }

  const jwksHits = () => idp.hits.get('/jwks') ?? 0;

  attackTest('kid-flood', async () => {
    const { app, method } = await appWith({ jwks: { cooldownMs: 30_000 } });
    offsetMs = 31_000; // past the cooldown, so the flood may cause one refetch
    const before = method.jwks!.fetches;
    const results = [];
    for (let batch = 0; batch < 10; batch++) {
      results.push(...(await Promise.all(Array.from({ length: 50 }, () => app.bearer(token({ kid: randomUUID() }))))));
    }
    expect(method.jwks!.fetches - before).toBe(1);
    offsetMs += 31_000;
    results.push(...(await Promise.all(Array.from({ length: 50 }, () => app.bearer(token({ kid: randomUUID() }))))));
    expect(method.jwks!.fetches - before).toBe(2);
    return results;
  });

  attackTest(
    'refresh-stampede',
    async () => {
      const { app, method } = await appWith({ jwks: { cooldownMs: 30_000 } });
      const fresh = newSigningKey('key-2');
      idp.rotate([fresh, idp.keys[0]!]);
      offsetMs = 31_000;
      const hitsBefore = jwksHits();
      const signed = token({}, fresh);
      const results = await Promise.all(Array.from({ length: 1_000 }, () => app.bearer(signed)));
      expect(jwksHits() - hitsBefore).toBe(1);
      expect(method.jwks!.fetches).toBe(2);
      return results;
    },
    60_000,
  );

  attackTest('jwks-down-stale-keys', async () => {
    const { app, method } = await appWith({ cache: false, jwks: { maxAgeMs: 60_000, maxStalenessMs: 600_000, cooldownMs: 5_000 } });
    idp.setMode('down', '/jwks');
    offsetMs = 120_000;
    const before = jwksHits();
    const result = await app.bearer(token());
    expect(jwksHits() - before).toBe(1); // it did try, and fell back on the last good keys
    expect(method.jwks!.fetchedAt).toBeLessThan(now() - 60_000);
    return result;
  });

  attackTest('jwks-down-past-staleness', async () => {
    const { app } = await appWith({ cache: false, jwks: { maxAgeMs: 60_000, maxStalenessMs: 600_000, cooldownMs: 5_000 } });
    idp.setMode('down', '/jwks');
    offsetMs = 601_000;
    const result = await app.bearer(token());
    expect(Number(result.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(result.headers['www-authenticate']).toBeUndefined();
    // Back up: the next attempt after the cooldown recovers without a restart.
    idp.setMode('ok');
    offsetMs += 5_000;
    expect((await app.bearer(token())).status).toBe(200);
    return result;
  });

  attackTest('jwks-garbage', async () => {
    idp.setMode('garbage', '/jwks');
    const { app } = await appWith({}, false);
    const never = await app.bearer(token());
    // With keys loaded earlier, garbage is an outage like any other: the last good keys still serve.
    idp.setMode('ok');
    const { app: loaded } = await appWith({ cache: false, jwks: { maxAgeMs: 60_000, cooldownMs: 1_000 } });
    idp.setMode('garbage', '/jwks');
    offsetMs = 61_000;
    expect((await loaded.bearer(token())).status).toBe(200);
    return never;
  });

  attackTest('jwks-hang', async () => {
    idp.setMode('hang', '/jwks');
    const { app } = await appWith({ jwks: { timeoutMs: 300 } }, false);
    const results = await Promise.all([app.bearer(token()), app.bearer(token())]);
    expect(results[0]!.headers['retry-after']).toBeDefined();
    return results;
  });

  it('warm() rejects with the 503 a request would get when the provider is down at startup', async () => {
    idp.setMode('down');
    const method = jwt(jwtOptions(idp, { now }));
    await expect(method.warm()).rejects.toMatchObject({ code: 'TG_VERIFIER_UNAVAILABLE', status: 503 });
  });
});

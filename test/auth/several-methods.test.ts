// API keys, JWTs and opaque tokens side by side: the credential's form picks the method; two credentials are a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, createApiKey, introspection, jwt, memoryKeyStore } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { attackTest } from '../support/attack-table.js';
import { jwtOptions } from '../support/jwt-fixture.js';
import { opaqueApi, resourceClient, startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';

describe('several methods in one authenticate step', () => {
  let idp: TestProvider;
  let app: AuthApp;
  let optionalApp: AuthApp;
  let jwtOnly: AuthApp;
  let key: string;

  beforeAll(async () => {
    idp = await startTestProvider();
    const keys = memoryKeyStore();
    const created = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
    key = created.key;
    await keys.put(created.record);
    const methods = () => [
      apiKey({ store: keys }),
      jwt(jwtOptions(idp)),
      introspection({ endpoint: idp.introspectionEndpoint, clientId: resourceClient.id, clientSecret: resourceClient.secret, audience: opaqueApi }),
    ];
    app = await startAuthApp(methods());
    optionalApp = await startAuthApp(methods(), { optional: true });
    jwtOnly = await startAuthApp([apiKey({ store: keys }), jwt(jwtOptions(idp))]);
  });
  afterAll(async () => {
    await Promise.all([app.close(), optionalApp.close(), jwtOnly.close()]);
    await idp.close();
  });

  it('routes each credential to the method its form belongs to', async () => {
    const viaKey = await app.bearer(key);
    expect(viaKey.body.principal).toMatchObject({ subject: 'alice', method: 'api_key' });
    expect((await app.call({ 'x-api-key': key })).body.principal).toMatchObject({ method: 'api_key' });
    const viaJwt = await app.bearer(await idp.clientCredentialsToken());
    expect(viaJwt.body.principal).toMatchObject({ subject: 'svc-batch', method: 'jwt' });
    expect(viaJwt.body.principal).not.toHaveProperty('tenantId'); // no tenant claim mapped here
    const viaIntrospection = await app.bearer(await idp.clientCredentialsToken(opaqueApi));
    expect(viaIntrospection.body.principal).toMatchObject({ subject: 'svc-batch', method: 'oauth_introspection' });
    expect(viaIntrospection.body.authn).toMatchObject({ outcome: 'allow', method: 'oauth_introspection' });
  });

  it('gives the same 401 for a bad credential of every form, and for a form no method takes', async () => {
    const bad = [key.slice(0, -2) + 'xx', idp.sign({ iss: 'nope', aud: 'nope', exp: 1 }), 'OpaqueButUnknown_0123456789abcdef'];
    const results = await Promise.all(bad.map((token) => app.bearer(token)));
    for (const result of results) {
      expect(result.status).toBe(401);
      expect(result.headers['www-authenticate']).toBe('Bearer realm="tollgate", error="invalid_token"');
      expect(result.body.error).toEqual(results[0]!.body.error);
    }
    expect((await jwtOnly.bearer('OpaqueButUnknown_0123456789abcdef')).code).toBe('TG_INVALID_CREDENTIAL');
  });

  it('lets a public route see a principal when one is present, without requiring it', async () => {
    const anonymous = await optionalApp.call();
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.principal).toBeNull();
    const known = await optionalApp.bearer(await idp.clientCredentialsToken());
    expect(known.body.principal).toMatchObject({ subject: 'svc-batch' });
    expect((await optionalApp.bearer(idp.sign({ iss: 'nope' }))).status).toBe(401);
  });

  attackTest('two-different-credentials', async () => app.call({ authorization: `Bearer ${await idp.clientCredentialsToken()}`, 'x-api-key': key }));
});

// Signature and algorithm attacks on the JWT method, against keys from a real OpenID provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { attackTest } from '../support/attack-table.js';
import { b64u, signatureOf, signHs256, signJwt } from '../support/jws-signer.js';
import { startJwtFixture, jwtOptions, type JwtFixture } from '../support/jwt-fixture.js';
import { newSigningKey, type SigningKey } from '../support/oidc-test-provider.js';

describe('JWT signature attacks', () => {
  let fx: JwtFixture;
  let ecApp: AuthApp;
  let ecKey: SigningKey;

  beforeAll(async () => {
    fx = await startJwtFixture();
    ecKey = newSigningKey('ec-1', 'ES256');
    // The provider publishes an RSA and an EC key; the main app allows RS256 only, ecApp ES256 only.
    fx.idp.rotate([fx.idp.keys[0]!, ecKey]);
    ecApp = await startAuthApp([jwt(jwtOptions(fx.idp, { algorithms: ['ES256'] }))]);
  });
  afterAll(async () => {
    await ecApp.close();
    await fx.close();
  });

  it('accepts the controls: a real RS256 token from the provider and a good ES256 token', async () => {
    const real = await fx.app.bearer(await fx.idp.clientCredentialsToken());
    expect(real.status).toBe(200);
    expect(real.body.principal).toMatchObject({ subject: 'svc-batch', kind: 'service', method: 'jwt', scopes: ['chat', 'models'] });
    expect((await ecApp.bearer(signJwt(fx.claims(), ecKey))).status).toBe(200);
  });

  attackTest('alg-none', async () => {
    const body = b64u(JSON.stringify(fx.claims()));
    return Promise.all(['none', 'None', 'NONE'].map((alg) => fx.app.bearer(`${b64u(JSON.stringify({ alg, typ: 'at+jwt', kid: 'key-1' }))}.${body}.`)));
  });

  attackTest('hs256-with-rsa-public-key', async () => {
    const rsa = fx.idp.keys[0]!;
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const secrets = [pem, pem.trim(), JSON.stringify(rsa.publicJwk)];
    return Promise.all(secrets.map((secret) => fx.app.bearer(signHs256(fx.claims(), secret, { kid: rsa.kid }))));
  });

  attackTest('alg-not-allowed', async () => fx.app.bearer(signJwt(fx.claims(), ecKey)));

  attackTest('ecdsa-zero-signature', async () => {
    const good = signJwt(fx.claims(), ecKey);
    return ecApp.bearer(`${good.split('.').slice(0, 2).join('.')}.${b64u(new Uint8Array(64))}`);
  });

  attackTest('ecdsa-der-signature', async () => {
    const input = `${b64u(JSON.stringify({ alg: 'ES256', kid: ecKey.kid, typ: 'at+jwt' }))}.${b64u(JSON.stringify(fx.claims()))}`;
    const der = signatureOf(input, 'ES256', ecKey.privateKey, true);
    expect(der[0]).toBe(0x30); // an ASN.1 SEQUENCE: really the DER form
    return ecApp.bearer(`${input}.${b64u(der)}`);
  });

  attackTest('rfc7515-unsecured', async () => {
    // RFC 7515 Appendix A.5, verbatim.
    const a5 = 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.';
    return Promise.all([fx.app.bearer(a5), ecApp.bearer(a5)]);
  });
});

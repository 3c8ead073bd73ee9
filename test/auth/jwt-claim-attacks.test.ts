// Claim attacks on the JWT method: every token here carries a valid signature by the provider's real key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackTest } from '../support/attack-table.js';
import { b64u, signatureOf } from '../support/jws-signer.js';
import { startJwtFixture, type JwtFixture } from '../support/jwt-fixture.js';
import { jwtApi } from '../support/oidc-test-provider.js';

describe('JWT claim attacks', () => {
  let fx: JwtFixture;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    fx = await startJwtFixture();
  });
  afterAll(() => fx.close());

  /** Signs a payload written as raw JSON text with the provider's key. */
  function signRaw(json: string): string {
    const key = fx.idp.keys[0]!;
    const input = `${b64u(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' }))}.${b64u(json)}`;
    return `${input}.${b64u(signatureOf(input, 'RS256', key.privateKey))}`;
  }

  it('accepts the control: the same claims, unmodified, and tolerates a 3 s clock skew', async () => {
    expect((await fx.app.bearer(fx.idp.sign(fx.claims()))).status).toBe(200);
    expect((await fx.app.bearer(fx.idp.sign(fx.claims({ nbf: now() + 3, iat: now() + 3 })))).status).toBe(200);
    expect((await fx.app.bearer(signRaw(JSON.stringify(fx.claims())))).status).toBe(200);
  });

  attackTest('expired', async () => fx.app.bearer(fx.idp.sign(fx.claims({ iat: now() - 1200, exp: now() - 600 }))));
  attackTest('exp-string', async () => fx.app.bearer(fx.idp.sign(fx.claims({ exp: String(now() + 600) }))));
  attackTest('exp-nan', async () => {
    const json = JSON.stringify(fx.claims({ exp: 0 })).replace('"exp":0', '"exp":NaN');
    return fx.app.bearer(signRaw(json));
  });
  attackTest('exp-huge', async () => {
    const infinite = JSON.stringify(fx.claims({ exp: 0 })).replace('"exp":0', '"exp":1e400');
    return Promise.all([fx.app.bearer(signRaw(infinite)), fx.app.bearer(fx.idp.sign(fx.claims({ exp: 1_000_000_000_000 })))]);
  });
  attackTest('exp-missing', async () => {
    const { exp: _exp, ...claims } = fx.claims();
    return fx.app.bearer(fx.idp.sign(claims));
  });
  attackTest('nbf-future', async () => fx.app.bearer(fx.idp.sign(fx.claims({ nbf: now() + 3600 }))));
  attackTest('iat-future', async () => fx.app.bearer(fx.idp.sign(fx.claims({ iat: now() + 3600 }))));
  attackTest('wrong-iss', async () => fx.app.bearer(fx.idp.sign(fx.claims({ iss: 'https://evil.example.com' }))));
  attackTest('wrong-aud', async () => fx.app.bearer(fx.idp.sign(fx.claims({ aud: 'https://other-api.example.com' }))));
  attackTest('aud-array-without-ours', async () => fx.app.bearer(fx.idp.sign(fx.claims({ aud: ['https://a.example.com', `${jwtApi}/`, jwtApi.toUpperCase()] }))));

  attackTest('id-token-as-access-token', async () => {
    // What oidc-provider puts in an ID token, with our audience (the worst case: the client id equals the API's audience).
    const idToken = { iss: fx.idp.issuer, sub: 'alice', aud: jwtApi, exp: now() + 600, iat: now(), auth_time: now(), nonce: 'n-0S6_WzA2Mj', at_hash: '77QmUPtjPfzWtF2AnpK9RQ', azp: jwtApi };
    const asIssued = fx.idp.sign(idToken, { typ: 'JWT' });
    const retyped = fx.idp.sign(idToken, { typ: 'at+jwt' });
    return Promise.all([fx.app.bearer(asIssued), fx.app.bearer(retyped)]);
  });
});

// Header-parameter attacks on the JWT method: hostile kids, keys pointed at or embedded in the token, unknown crit.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { jwt } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { startAttackerServer, type AttackerServer } from '../support/attacker-server.js';
import { attackTest } from '../support/attack-table.js';
import { newKeyPair, signJwt } from '../support/jws-signer.js';
import { jwtOptions, startJwtFixture, type JwtFixture } from '../support/jwt-fixture.js';

describe('JWT header attacks', () => {
  let fx: JwtFixture;
  let attacker: AttackerServer;
  let bigApp: AuthApp;
  const mallory = newKeyPair('RS256', 'mallory');

  beforeAll(async () => {
    fx = await startJwtFixture();
    attacker = await startAttackerServer({ keys: [mallory.publicJwk] });
    // Every length limit raised and Node's header limit lifted, so tollgate itself must refuse a huge kid.
    bigApp = await startAuthApp([jwt(jwtOptions(fx.idp, { maxTokenLength: 65_536 }))], { maxCredentialLength: 65_536, maxHeaderSize: 4_000_000 });
    expect((await fx.app.bearer(await fx.idp.clientCredentialsToken())).status).toBe(200);
  });
  afterAll(async () => {
    await bigApp.close();
    await attacker.close();
    await fx.close();
  });

  /** Sends provider-signed tokens with a hostile kid and checks at most one JWKS refetch happened for them. */
  async function withKid(kid: unknown) {
    const before = fx.idp.hits.get('/jwks') ?? 0;
    const result = await fx.app.bearer(fx.idp.sign(fx.claims(), { kid }));
    expect((fx.idp.hits.get('/jwks') ?? 0) - before).toBeLessThanOrEqual(1);
    return result;
  }

  attackTest('kid-path-traversal', () => withKid('../../../../../../dev/null'));
  attackTest('kid-sql', () => withKid("' UNION SELECT 'secret' --"));
  attackTest('kid-number', () => withKid(1));
  attackTest('kid-object', () => withKid({ $ne: null }));

  attackTest('kid-megabyte', async () => {
    const token = fx.idp.sign(fx.claims(), { kid: 'k'.repeat(1_048_576) });
    const direct = await jwt(jwtOptions(fx.idp)).verify({ value: token, header: 'authorization' }, undefined as never).catch((e: { status: number; code: string }) => e);
    expect(direct).toMatchObject({ status: 401, code: 'TG_INVALID_CREDENTIAL' });
    return bigApp.bearer(token);
  });

  attackTest('jku-elsewhere', async () => {
    const result = await fx.app.bearer(signJwt(fx.claims(), mallory, { jku: `${attacker.url}/jwks.json` }));
    expect(attacker.requests).toBe(0);
    return result;
  });

  attackTest('x5u-elsewhere', async () => {
    const result = await fx.app.bearer(signJwt(fx.claims(), mallory, { x5u: `${attacker.url}/cert.pem` }));
    expect(attacker.requests).toBe(0);
    return result;
  });

  attackTest('embedded-jwk', async () => fx.app.bearer(signJwt(fx.claims(), mallory, { jwk: mallory.publicJwk, kid: undefined })));

  attackTest('embedded-x5c', async () => {
    const pems = await generate([{ name: 'commonName', value: 'mallory' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
    const der = new X509Certificate(pems.cert).raw;
    const key = { ...mallory, privateKey: createPrivateKey(pems.private) };
    return fx.app.bearer(signJwt(fx.claims(), key, { x5c: [der.toString('base64')], kid: undefined }));
  });

  attackTest('crit-unknown', async () => {
    const token = fx.idp.sign(fx.claims(), { crit: ['https://example.com/must-understand'], 'https://example.com/must-understand': true });
    return fx.app.bearer(token);
  });
});

// Encoding and framing attacks on the JWT method: bad base64url, segment counts, invalid UTF-8, oversized tokens, duplicate headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt } from '@tollgate/core';
import { startAuthApp, type AuthApp } from '../support/auth-app.js';
import { attackTest } from '../support/attack-table.js';
import { b64u, signatureOf } from '../support/jws-signer.js';
import { jwtOptions, startJwtFixture, type JwtFixture } from '../support/jwt-fixture.js';

describe('JWT encoding and framing attacks', () => {
  let fx: JwtFixture;
  let bigApp: AuthApp;
  let good: string;

  beforeAll(async () => {
    fx = await startJwtFixture();
    bigApp = await startAuthApp([jwt(jwtOptions(fx.idp, { maxTokenLength: 65_536 }))], { maxCredentialLength: 65_536, maxHeaderSize: 131_072 });
    good = fx.idp.sign(fx.claims());
  });
  afterAll(async () => {
    await bigApp.close();
    await fx.close();
  });

  /** Signs raw header and payload bytes with the provider's key. */
  function signBytes(header: Uint8Array | string, payload: Uint8Array | string): string {
    const input = `${b64u(header)}.${b64u(payload)}`;
    return `${input}.${b64u(signatureOf(input, 'RS256', fx.idp.keys[0]!.privateKey))}`;
  }

  it('accepts the control token', async () => {
    expect((await fx.app.bearer(good)).status).toBe(200);
  });

  attackTest('malformed-base64url', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    const variants = [`${h}.${p}.${s}==`, `${h}.${p.slice(0, 10)}+${p.slice(11)}.${s}`, `${h}.${p.slice(0, 10)}/${p.slice(11)}.${s}`];
    // A payload of length 4n+1, which no byte string encodes to.
    variants.push(`${h}.${p}${'A'.repeat((5 - (p.length % 4)) % 4 || 4)}.${s}`);
    expect(variants.at(-1)!.split('.')[1]!.length % 4).toBe(1);
    return Promise.all(variants.map((v) => fx.app.bearer(v)));
  });

  attackTest('wrong-segment-count', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    return Promise.all([`${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s}.${s}.${s}`].map((v) => fx.app.bearer(v)));
  });

  attackTest('invalid-utf8', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'key-1', typ: 'at+jwt' }));
    const badHeader = Buffer.concat([header.subarray(0, -1), Buffer.from([0x2c, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])]); // ,"x":"\xC3(" }
    const payload = Buffer.from(JSON.stringify(fx.claims({ name: 'PLACEHOLDER' })).replace('PLACEHOLDER', '\u0000'));
    const badPayload = Buffer.from(payload.toString('latin1').replace('\\u0000', '\xff\xfe'), 'latin1');
    return Promise.all([fx.app.bearer(signBytes(badHeader, payload)), fx.app.bearer(signBytes(header, badPayload))]);
  });

  attackTest('huge-token-many-claims', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const forge = (count: number): string => {
      const claims: Record<string, unknown> = fx.claims();
      for (let i = 0; i < count; i++) claims[count <= 3_844 ? alphabet[i % 62]! + alphabet[Math.floor(i / 62)]! : `k${i}`] = 0;
      expect(Object.keys(claims).length).toBeGreaterThan(count);
      const header = b64u(JSON.stringify({ alg: 'RS256', kid: 'key-1', typ: 'at+jwt' }));
      return `${header}.${b64u(JSON.stringify(claims))}.${b64u(new Uint8Array(256))}`;
    };
    const fifteenKb = forge(1_600);
    expect(fifteenKb.length).toBeGreaterThan(15_000);
    expect(fifteenKb.length).toBeLessThan(16_000);
    const fortyKb = forge(5_000);
    return Promise.all([fx.app.bearer(fifteenKb), bigApp.bearer(fifteenKb), bigApp.bearer(fortyKb)]);
  });

  attackTest('two-authorization-headers', async () => {
    const head = `GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${good}\r\nAuthorization: Bearer ${good}\r\nConnection: close\r\n\r\n`;
    const status = await fx.app.raw(head);
    return { status, code: status === 400 ? 'TG_CONFLICTING_CREDENTIALS' : `status ${status}`, headers: {}, body: {} };
  });
});

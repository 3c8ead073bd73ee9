// RFC 7515 Appendix A.1-A.4 and RFC 8037 A.4 verify through the JWT method's key handling and header checks when
// their algorithm is allowed, and not otherwise; A.5 (unsecured) never does.
import { compactVerify, type JWTVerifyGetKey } from 'jose';
import { describe, expect, it } from 'vitest';
import type { JwtOptions } from './jwt-options.js';
import { checkAlgorithms, type JwtAlgorithm } from './jwt-algorithms.js';
import { inspectJws } from './jws-inspection.js';
import { jwtKeySource } from './jwt-keys.js';

const payload = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const rsaModulus =
  20446702916744654562596343388758805860065209639960173505037453331270270518732245089773723012043203236097095623402044690115755377345254696448759605707788965848889501746836211206270643833663949992536246985362693736387185145424787922241585721992924045675229348655595626434390043002821512765630397723028023792577935108185822753692574221566930937805031155820097146819964920270008811327036286786392793593121762425048860211859763441770446703722015857250621107855398693133264081150697423188751482418465308470313958250757758547155699749157985955379381294962058862159085915015369381046959790476428631998204940879604226680285601n;

function bigIntToBase64url(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
}

interface Vector {
  readonly name: string;
  readonly alg: JwtAlgorithm;
  readonly token: string;
  readonly keys: Pick<JwtOptions, 'publicKeys' | 'secret'>;
  readonly payload: string;
}

const claims = '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}';
const vectors: Vector[] = [
  {
    name: 'RFC 7515 A.1 (HS256)',
    alg: 'HS256',
    token: `eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.${payload}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`,
    keys: { secret: Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url') },
    payload: claims,
  },
  {
    name: 'RFC 7515 A.2 (RS256)',
    alg: 'RS256',
    token: `eyJhbGciOiJSUzI1NiJ9.${payload}.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw`,
    keys: { publicKeys: [{ kty: 'RSA', n: bigIntToBase64url(rsaModulus), e: 'AQAB' }] },
    payload: claims,
  },
  {
    name: 'RFC 7515 A.3 (ES256)',
    alg: 'ES256',
    token: `eyJhbGciOiJFUzI1NiJ9.${payload}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`,
    keys: { publicKeys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] },
    payload: claims,
  },
  {
    name: 'RFC 7515 A.4 (ES512)',
    alg: 'ES512',
    token:
      'eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn',
    keys: {
      publicKeys: [
        {
          kty: 'EC',
          crv: 'P-521',
          x: 'AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk',
          y: 'ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2',
        },
      ],
    },
    payload: 'Payload',
  },
  {
    name: 'RFC 8037 A.4 (Ed25519, alg EdDSA)',
    alg: 'EdDSA',
    token: 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
    keys: { publicKeys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] },
    payload: 'Example of Ed25519 signing',
  },
];

/** Verifies a compact JWS the way jwt() does up to the signature: header checks, then the configured keys. */
async function verifyWith(token: string, algorithms: readonly JwtAlgorithm[], keys: Vector['keys']): Promise<string> {
  const allowed = checkAlgorithms(algorithms, 'algorithms');
  const source = jwtKeySource({ issuer: 'joe', audience: 'x', algorithms: allowed, ...keys } as JwtOptions, allowed, Date.now);
  const { header } = inspectJws(token, allowed, 8192);
  const key = await source.keyFor(header['kid'] as string | undefined);
  const result = typeof key === 'function' ? await compactVerify(token, key as JWTVerifyGetKey, { algorithms: [...allowed] }) : await compactVerify(token, key, { algorithms: [...allowed] });
  return new TextDecoder().decode(result.payload);
}

describe('RFC test vectors', () => {
  for (const vector of vectors) {
    it(`${vector.name} verifies when ${vector.alg} is allowed`, async () => {
      expect(await verifyWith(vector.token, [vector.alg], vector.keys)).toBe(vector.payload);
    });

    it(`${vector.name} does not verify when only another algorithm of its family is allowed`, async () => {
      const others: Record<string, [JwtAlgorithm, Vector['keys']]> = {
        HS256: ['HS384', { secret: new Uint8Array(64).fill(7) }],
        RS256: ['PS256', vectors[1]!.keys],
        ES256: ['ES512', vectors[3]!.keys],
        ES512: ['ES256', vectors[2]!.keys],
        EdDSA: ['ES256', vectors[2]!.keys],
      };
      const [other, keys] = others[vector.alg]!;
      await expect(verifyWith(vector.token, [other], keys)).rejects.toMatchObject({ code: 'TG_INVALID_CREDENTIAL' });
    });

    it(`${vector.name} does not verify once a signature byte changes`, async () => {
      const [h, p, s] = vector.token.split('.') as [string, string, string];
      const bytes = Buffer.from(s, 'base64url');
      bytes[5]! ^= 0x01;
      await expect(verifyWith(`${h}.${p}.${bytes.toString('base64url')}`, [vector.alg], vector.keys)).rejects.toThrow();
    });
  }

  it('RFC 7515 A.5 (unsecured) never verifies and "none" cannot even be configured', async () => {
    const a5 = `eyJhbGciOiJub25lIn0.${payload}.`;
    expect(() => checkAlgorithms(['none'], 'jwt.algorithms')).toThrow(/can never be allowed/);
    expect(() => checkAlgorithms(['RS256', 'None'], 'jwt.algorithms')).toThrow(/can never be allowed/);
    for (const vector of vectors) {
      await expect(verifyWith(a5, [vector.alg], vector.keys)).rejects.toMatchObject({ code: 'TG_INVALID_CREDENTIAL' });
    }
  });
});

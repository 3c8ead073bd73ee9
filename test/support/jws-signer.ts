// Builds compact JWS tokens with node:crypto only, byte for byte as a test wants them (crafted headers,
// raw or DER ECDSA signatures, HMAC with any key), so attack tests control every part.
import { createHmac, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';

export type TestAlgorithm = 'RS256' | 'ES256' | 'ES512' | 'EdDSA' | 'HS256';

export interface TestKeyPair {
  readonly alg: TestAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public JWK with kid, alg and use. */
  readonly publicJwk: JsonWebKey & { kid: string; alg: string; use: string };
  /** Private JWK (for handing to oidc-provider). */
  readonly privateJwk: JsonWebKey & { kid: string; alg: string; use: string };
}

/** A fresh asymmetric key pair for `alg`. */
export function newKeyPair(alg: Exclude<TestAlgorithm, 'HS256'>, kid: string): TestKeyPair {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-521' });
  const extra = { kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), ...extra }, privateJwk: { ...privateKey.export({ format: 'jwk' }), ...extra } };
}

/** base64url of a string (UTF-8) or bytes. */
export function b64u(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

/** The signature of `input` for `alg` (ECDSA in the JWS raw r||s form unless `der` is set). */
export function signatureOf(input: string, alg: TestAlgorithm, key: KeyObject | Uint8Array | string, der = false): Buffer {
  if (alg === 'HS256') return createHmac('sha256', key as Uint8Array | string).update(input).digest();
  if (alg === 'EdDSA') return sign(null, Buffer.from(input), key as KeyObject);
  const hash = alg === 'ES512' ? 'sha512' : 'sha256';
  return sign(hash, Buffer.from(input), alg === 'RS256' ? (key as KeyObject) : { key: key as KeyObject, dsaEncoding: der ? 'der' : 'ieee-p1363' });
}

/**
 * Signs a JWT. The header is written as given (plus `alg` and `kid` unless overridden); pass raw
 * strings to control the exact bytes of either part.
 *
 * @example
 * const token = signJwt({ sub: 'alice', exp: now + 60 }, key);
 */
export function signJwt(payload: Record<string, unknown> | string, key: TestKeyPair, header: Record<string, unknown> = {}, options: { der?: boolean } = {}): string {
  const head = b64u(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }));
  const body = b64u(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const input = `${head}.${body}`;
  return `${input}.${b64u(signatureOf(input, key.alg, key.privateKey, options.der))}`;
}

/** Signs with HMAC-SHA256 under any secret (for the key-confusion attack). */
export function signHs256(payload: Record<string, unknown>, secret: string | Uint8Array, header: Record<string, unknown> = {}): string {
  const input = `${b64u(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', ...header }))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(signatureOf(input, 'HS256', secret))}`;
}

/** Decodes the payload of a compact JWS (no verification). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Decodes the header of a compact JWS (no verification). */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

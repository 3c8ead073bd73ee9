// Certificates made in the test run (the selfsigned package): a client CA, a server certificate, good,
// expired and foreign client certificates, so mTLS is tested over real TLS handshakes.
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface TlsFixtures {
  readonly ca: Pem;
  readonly server: Pem;
  /** CN=svc-batch, SAN URI:spiffe://acme/batch and DNS:batch.acme.internal, issued by `ca`. */
  readonly client: Pem;
  /** Issued by `ca`, expired yesterday. */
  readonly expired: Pem;
  /** CN=svc-batch too, but issued by another CA. */
  readonly foreign: Pem;
  /** SHA-256 fingerprint (Node's `AB:CD:…` form) of a PEM certificate. */
  fingerprint(cert: string): string;
  /** The certificate as RFC 9440 `Client-Cert` writes it: `:<base64 DER>:`. */
  rfc9440(cert: string): string;
}

const day = 86_400_000;

async function issue(cn: string, ca: Pem | undefined, extra: { notBefore?: Date; notAfter?: Date; san?: Array<{ type: 1 | 2 | 6 | 7; value?: string; ip?: string }>; isCa?: boolean; server?: boolean } = {}): Promise<Pem> {
  const extensions = [
    { name: 'basicConstraints' as const, cA: extra.isCa === true, critical: true },
    extra.isCa === true
      ? { name: 'keyUsage' as const, keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: true, critical: true },
    ...(extra.isCa === true ? [] : [{ name: 'extKeyUsage' as const, serverAuth: extra.server === true, clientAuth: extra.server !== true }]),
    ...(extra.san === undefined ? [] : [{ name: 'subjectAltName' as const, altNames: extra.san }]),
  ];
  const pems = await generate([{ name: 'commonName', value: cn }, { name: 'organizationName', value: 'Acme' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions,
    notBeforeDate: extra.notBefore ?? new Date(Date.now() - day),
    notAfterDate: extra.notAfter ?? new Date(Date.now() + 30 * day),
    ...(ca === undefined ? {} : { ca: { key: ca.key, cert: ca.cert } }),
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * Makes every certificate the mTLS suites need (a few hundred ms of EC key generation).
 *
 * @example
 * const tls = await makeTlsFixtures();
 * https.createServer({ key: tls.server.key, cert: tls.server.cert, ca: tls.ca.cert, requestCert: true, rejectUnauthorized: false }, app);
 */
export async function makeTlsFixtures(): Promise<TlsFixtures> {
  const ca = await issue('Tollgate Test Client CA', undefined, { isCa: true });
  const otherCa = await issue('Someone Else CA', undefined, { isCa: true });
  const clientSan = [
    { type: 6 as const, value: 'spiffe://acme/batch' },
    { type: 2 as const, value: 'batch.acme.internal' },
  ];
  return {
    ca,
    server: await issue('localhost', ca, { server: true, san: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }),
    client: await issue('svc-batch', ca, { san: clientSan }),
    expired: await issue('svc-batch', ca, { san: clientSan, notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) }),
    foreign: await issue('svc-batch', otherCa, { san: clientSan }),
    fingerprint: (cert) => new X509Certificate(cert).fingerprint256,
    rfc9440: (cert) => `:${new X509Certificate(cert).raw.toString('base64')}:`,
  };
}

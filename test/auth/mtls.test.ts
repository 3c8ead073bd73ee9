// Client-certificate authentication end to end: TLS peers, forwarded certificates from a trusted proxy, matching and the store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryCertificateStore, mtls, type CertificateStore, type MtlsOptions } from '@tollgate/core';
import { httpsCall, startAuthApp, type AuthApp, type AuthAppOptions } from '../support/auth-app.js';
import { makeTlsFixtures, type TlsFixtures } from '../support/tls-fixtures.js';

describe('mTLS', () => {
  let tls: TlsFixtures;
  const apps: AuthApp[] = [];
  const bindings = { 'san:URI:spiffe://acme/batch': { subject: 'svc-batch', tenantId: 'acme', roles: ['batch'], scopes: ['chat'] } };

  beforeAll(async () => {
    tls = await makeTlsFixtures();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function httpsApp(options: Partial<MtlsOptions> = {}, appOptions: AuthAppOptions = {}): Promise<AuthApp> {
    const app = await startAuthApp([mtls({ store: memoryCertificateStore(bindings), ...options })], {
      https: { key: tls.server.key, cert: tls.server.cert, ca: [tls.ca.cert], requestCert: true, rejectUnauthorized: false },
      ...appOptions,
    });
    apps.push(app);
    return app;
  }

  async function proxiedApp(options: Partial<MtlsOptions>): Promise<AuthApp> {
    const app = await startAuthApp([mtls({ store: memoryCertificateStore(bindings), ...options })], { trustProxy: ['127.0.0.1'] });
    apps.push(app);
    return app;
  }

  it('maps an authorized certificate by SAN, with certificate claims, and caches the lookup', async () => {
    const app = await httpsApp();
    const first = await httpsCall(app.url, { ca: tls.ca.cert, ...tls.client });
    expect(first.status).toBe(200);
    expect(first.body.principal).toMatchObject({
      subject: 'svc-batch',
      kind: 'service',
      method: 'mtls',
      tenantId: 'acme',
      roles: ['batch'],
      scopes: ['chat'],
      claims: { cert_source: 'tls', cert_subject: 'O=Acme,CN=svc-batch', matched_identity: 'san:URI:spiffe://acme/batch', cert_fingerprint256: tls.fingerprint(tls.client.cert) },
    });
    const second = await httpsCall(app.url, { ca: tls.ca.cert, ...tls.client });
    expect(second.body.authn).toMatchObject({ method: 'mtls', cached: true });
  });

  it('prefers a fingerprint binding, and can match by subject alone', async () => {
    const store = memoryCertificateStore({ ...bindings, [`fingerprint:${tls.fingerprint(tls.client.cert).replaceAll(':', '').toLowerCase()}`]: { subject: 'pinned' } });
    const pinned = await httpsApp({ store });
    expect((await httpsCall(pinned.url, { ca: tls.ca.cert, ...tls.client })).body.principal).toMatchObject({ subject: 'pinned' });
    const bySubject = await httpsApp({ store: memoryCertificateStore({ 'subject:O=Acme,CN=svc-batch': { subject: 'by-subject' } }), match: ['subject'] });
    expect((await httpsCall(bySubject.url, { ca: tls.ca.cert, ...tls.client })).body.principal).toMatchObject({ subject: 'by-subject' });
  });

  it('refuses a certificate the store does not know, and answers 503 when the store fails', async () => {
    const unknown = await httpsApp({ store: memoryCertificateStore({}) });
    expect((await httpsCall(unknown.url, { ca: tls.ca.cert, ...tls.client })).status).toBe(401);
    const broken: CertificateStore = { get: () => Promise.reject(new Error('connection refused')) };
    const down = await httpsApp({ store: broken });
    const result = await httpsCall(down.url, { ca: tls.ca.cert, ...tls.client });
    expect(result.status).toBe(503);
    expect(result.headers['retry-after']).toBe('1');
  });

  it('lets optional routes through without a certificate', async () => {
    const app = await httpsApp({}, { optional: true });
    const result = await httpsCall(app.url, { ca: tls.ca.cert });
    expect(result.status).toBe(200);
    expect(result.body.principal).toBeNull();
  });

  it('reads a certificate forwarded by a trusted proxy in each format', async () => {
    const pem = tls.client.cert;
    const cases: Array<[MtlsOptions['forwarded'], string]> = [
      [{ header: 'client-cert', format: 'rfc9440' }, tls.rfc9440(pem)],
      [{ header: 'x-ssl-client-cert', format: 'pem-urlencoded' }, encodeURIComponent(pem)],
      [{ header: 'x-forwarded-client-cert', format: 'xfcc' }, `By=spiffe://acme/gw;Hash=abc;Cert="${encodeURIComponent(pem)}";Subject="CN=svc-batch";URI=spiffe://acme/batch`],
    ];
    for (const [forwarded, value] of cases) {
      const app = await proxiedApp({ forwarded });
      const result = await app.call({ [forwarded!.header]: value });
      expect(result.status, forwarded!.format).toBe(200);
      expect(result.body.principal).toMatchObject({ subject: 'svc-batch', claims: { cert_source: 'forwarded' } });
    }
  });

  it('checks forwarded certificates against the configured CAs, and refuses garbage and duplicates', async () => {
    const app = await proxiedApp({ forwarded: { header: 'client-cert', format: 'rfc9440', ca: [tls.ca.cert] } });
    expect((await app.call({ 'client-cert': tls.rfc9440(tls.client.cert) })).status).toBe(200);
    expect((await app.call({ 'client-cert': tls.rfc9440(tls.foreign.cert) })).code).toBe('TG_INVALID_CREDENTIAL');
    expect((await app.call({ 'client-cert': tls.rfc9440(tls.expired.cert) })).code).toBe('TG_INVALID_CREDENTIAL');
    expect((await app.call({ 'client-cert': ':bm90IGEgY2VydGlmaWNhdGU=:' })).code).toBe('TG_INVALID_CREDENTIAL');
    const dup = await app.raw(`GET /v1/whoami HTTP/1.1\r\nHost: x\r\nClient-Cert: ${tls.rfc9440(tls.client.cert)}\r\nClient-Cert: ${tls.rfc9440(tls.client.cert)}\r\nConnection: close\r\n\r\n`);
    expect(dup).toBe(400);
  });

  it('judges a request through the proxy by the header only, never by the proxy connection', async () => {
    const app = await proxiedApp({ forwarded: { header: 'client-cert', format: 'rfc9440' } });
    expect((await app.call()).code).toBe('TG_MISSING_CREDENTIAL');
  });
});

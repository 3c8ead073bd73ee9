// Attacks on client-certificate authentication, over real TLS handshakes with certificates made in the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, createApiKey, memoryCertificateStore, memoryKeyStore, mtls, type WritableCertificateStore } from '@tollgate/core';
import { httpsCall, startAuthApp, type AuthApp } from '../support/auth-app.js';
import { attackTest } from '../support/attack-table.js';
import { makeTlsFixtures, type TlsFixtures } from '../support/tls-fixtures.js';

describe('mTLS attacks', () => {
  let tls: TlsFixtures;
  let store: WritableCertificateStore;
  let app: AuthApp;
  let plain: AuthApp;
  let untrustedByDefault: AuthApp;
  let apiKeyValue: string;

  beforeAll(async () => {
    tls = await makeTlsFixtures();
    store = memoryCertificateStore({ 'san:URI:spiffe://acme/batch': { subject: 'svc-batch', tenantId: 'acme' } });
    const keys = memoryKeyStore();
    const created = await createApiKey({ subject: 'alice', hash: { memoryCost: 1024, timeCost: 1 } });
    apiKeyValue = created.key;
    await keys.put(created.record);
    const https = { key: tls.server.key, cert: tls.server.cert, ca: [tls.ca.cert], requestCert: true, rejectUnauthorized: false };
    app = await startAuthApp([mtls({ store }), apiKey({ store: keys })], { https });
    // Plain http: the peer (127.0.0.1) is not one of the configured proxies, so a forwarded header is ignored.
    plain = await startAuthApp([mtls({ store, forwarded: { header: 'client-cert', format: 'rfc9440', proxies: ['10.0.0.0/8'] } })]);
    // No proxies listed and no trustProxy: the gate trusts no peer, so context.peerTrusted is false.
    untrustedByDefault = await startAuthApp([mtls({ store, forwarded: { header: 'client-cert', format: 'rfc9440' } })]);
  });
  afterAll(async () => {
    await app.close();
    await plain.close();
    await untrustedByDefault.close();
  });

  const ca = () => tls.ca.cert;

  it('accepts the control: a valid certificate from the trusted CA', async () => {
    const result = await httpsCall(app.url, { ca: ca(), ...tls.client });
    expect(result.status).toBe(200);
    expect(result.body.principal).toMatchObject({ subject: 'svc-batch', method: 'mtls', tenantId: 'acme' });
  });

  attackTest('mtls-no-certificate', async () => httpsCall(app.url, { ca: ca() }));
  attackTest('mtls-untrusted-ca', async () => httpsCall(app.url, { ca: ca(), ...tls.foreign }));
  attackTest('mtls-expired', async () => httpsCall(app.url, { ca: ca(), ...tls.expired }));

  attackTest('mtls-unauthorized-known-fingerprint', async () => {
    await store.put(`fingerprint:${tls.fingerprint(tls.foreign.cert)}`, { subject: 'mallory' });
    const result = await httpsCall(app.url, { ca: ca(), ...tls.foreign });
    await store.delete(`fingerprint:${tls.fingerprint(tls.foreign.cert)}`);
    return result;
  });

  attackTest('mtls-forwarded-untrusted-hop', async () => {
    const header = { 'client-cert': tls.rfc9440(tls.client.cert) };
    return [await plain.call(header), await untrustedByDefault.call(header)];
  });

  attackTest('mtls-with-bearer', async () => httpsCall(app.url, { ca: ca(), ...tls.client }, { authorization: `Bearer ${apiKeyValue}` }));
});

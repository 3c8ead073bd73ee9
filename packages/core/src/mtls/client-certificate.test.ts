import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { certificateIdentity, memoryCertificateStore } from './certificate-store.js';
import { certificateFromTlsPeer, certificateFromX509, formatSubject, parseSubjectAltNames } from './client-certificate.js';
import { parseForwardedCertificate } from './forwarded-certificate.js';

describe('client certificate parts', () => {
  it('parses Node subjectAltName text, quoted values included', () => {
    expect(parseSubjectAltNames('DNS:a.example, URI:spiffe://acme/batch, IP Address:127.0.0.1, email:ops@acme.example')).toEqual([
      'DNS:a.example',
      'URI:spiffe://acme/batch',
      'IP Address:127.0.0.1',
      'email:ops@acme.example',
    ]);
    expect(parseSubjectAltNames('DNS:"a,b.example", DNS:c')).toEqual(['DNS:a,b.example', 'DNS:c']);
    expect(parseSubjectAltNames(undefined)).toEqual([]);
  });

  it('writes subjects in RFC 4514 order with escaping', () => {
    expect(formatSubject([['C', 'US'], ['O', 'Acme, Inc.'], ['CN', '#svc ']])).toBe('CN=\\#svc\\ ,O=Acme\\, Inc.,C=US');
  });

  it('reads a TLS peer only when it presented a certificate', () => {
    expect(certificateFromTlsPeer(undefined)).toBeUndefined();
    expect(certificateFromTlsPeer({ authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT' })).toBeUndefined();
    const peer = certificateFromTlsPeer({ authorized: true, subject: { O: 'Acme', CN: 'svc', OU: ['a', 'b'] }, subjectAltName: 'URI:spiffe://x', fingerprint256: 'ab:cd', validFrom: 'Jan  1 00:00:00 2024 GMT', validTo: 'Jan  1 00:00:00 2124 GMT' });
    expect(peer).toMatchObject({ source: 'tls', fingerprint256: 'AB:CD', subject: 'OU=b,OU=a,CN=svc,O=Acme', subjectAltNames: ['URI:spiffe://x'], authorized: true });
    expect(peer!.validTo).toBeGreaterThan(Date.now());
  });

  it('normalizes identities and refuses unknown kinds', () => {
    expect(certificateIdentity(`fingerprint:${'ab'.repeat(32)}`)).toBe(`fingerprint:${Array(32).fill('AB').join(':')}`);
    expect(certificateIdentity('san:URI:spiffe://x')).toBe('san:URI:spiffe://x');
    expect(() => certificateIdentity('cn:svc')).toThrow(/must start with/);
    expect(() => certificateIdentity('fingerprint:abc')).toThrow(/64 hex digits/);
  });

  it('finds bindings in the memory store whatever the fingerprint spelling', async () => {
    const store = memoryCertificateStore({ [`fingerprint:${'ab'.repeat(32)}`]: { subject: 'job' } });
    expect(await store.get(`fingerprint:${Array(32).fill('ab').join(':')}`)).toEqual({ subject: 'job' });
    expect(await store.get('garbage')).toBeUndefined();
    expect(() => memoryCertificateStore({ 'san:DNS:x': { subject: '' } })).toThrow(/needs a subject/);
  });
});

describe('forwarded certificates', async () => {
  const ca = await generate([{ name: 'commonName', value: 'CA' }], { keyType: 'ec', algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true }] });
  const leaf = await generate([{ name: 'commonName', value: 'svc' }], { keyType: 'ec', algorithm: 'sha256', ca: { key: ca.private, cert: ca.cert }, extensions: [{ name: 'subjectAltName', altNames: [{ type: 6, value: 'spiffe://acme/svc' }] }] });
  const other = await generate([{ name: 'commonName', value: 'svc' }], { keyType: 'ec', algorithm: 'sha256' });
  const x509 = new X509Certificate(leaf.cert);
  const der = `:${x509.raw.toString('base64')}:`;

  it('reads each format to the same certificate', () => {
    const expected = certificateFromX509(x509, true);
    expect(parseForwardedCertificate(der, 'rfc9440', [])).toEqual(expected);
    expect(parseForwardedCertificate(encodeURIComponent(leaf.cert), 'pem-urlencoded', [])).toEqual(expected);
    expect(parseForwardedCertificate(`Hash=x;Cert="${encodeURIComponent(leaf.cert)}";URI=spiffe://acme/svc`, 'xfcc', [])).toEqual(expected);
    expect(expected).toMatchObject({ source: 'forwarded', subject: 'CN=svc', subjectAltNames: ['URI:spiffe://acme/svc'] });
  });

  it('refuses garbage, several XFCC elements and oversized values as bad credentials', () => {
    for (const [value, format] of [
      [':!!:', 'rfc9440'],
      [':bm90IGEgY2VydA==:', 'rfc9440'],
      ['%E0%A4%A', 'pem-urlencoded'],
      ['no pem here', 'pem-urlencoded'],
      [`Cert="${encodeURIComponent(leaf.cert)}",Cert="${encodeURIComponent(other.cert)}"`, 'xfcc'],
      ['By=x;Hash=y', 'xfcc'],
      [`:${'A'.repeat(20_000)}:`, 'rfc9440'],
    ] as const) {
      expect(() => parseForwardedCertificate(value, format, []), value.slice(0, 30)).toThrow(expect.objectContaining({ code: 'TG_INVALID_CREDENTIAL' }));
    }
  });

  it('marks a certificate not issued by the configured CAs as unauthorized', () => {
    const cas = [new X509Certificate(ca.cert)];
    expect(parseForwardedCertificate(der, 'rfc9440', cas).authorized).toBe(true);
    expect(parseForwardedCertificate(`:${new X509Certificate(other.cert).raw.toString('base64')}:`, 'rfc9440', cas).authorized).toBe(false);
  });
});

// The behaviour every WritableCertificateStore (memory now; Redis, Postgres later) must show, as one reusable vitest suite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CertificateBinding, WritableCertificateStore } from '@tollgate/core';

/** A fresh, empty store for one test, and how to dispose of it. */
export interface CertificateStoreUnderTest {
  readonly store: WritableCertificateStore;
  cleanup(): Promise<void>;
}

const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');

/**
 * Registers the certificate-store conformance tests under `describe(name)`.
 *
 * @example
 * describeCertificateStoreConformance('memoryCertificateStore', async () => ({ store: memoryCertificateStore(), cleanup: async () => {} }));
 */
export function describeCertificateStoreConformance(name: string, make: () => Promise<CertificateStoreUnderTest>): void {
  describe(`${name} (CertificateStore conformance)`, () => {
    let subject: CertificateStoreUnderTest;
    let store: WritableCertificateStore;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(() => subject.cleanup());

    it('answers undefined for an identity it does not hold, of every kind', async () => {
      for (const identity of [`fingerprint:${fingerprint}`, 'san:URI:spiffe://acme/none', 'subject:CN=nobody']) expect(await store.get(identity)).toBeUndefined();
    });

    it('returns what was put, by exact identity, for each kind', async () => {
      const binding: CertificateBinding = { subject: 'svc-batch', kind: 'service', tenantId: 'acme', roles: ['batch'], scopes: ['chat'], models: ['gpt-*'], claims: { team: 'data' } };
      await store.put('san:URI:spiffe://acme/batch', binding);
      await store.put(`fingerprint:${fingerprint}`, { subject: 'pinned' });
      await store.put('subject:CN=svc-batch,O=Acme', { subject: 'by-subject' });
      expect(await store.get('san:URI:spiffe://acme/batch')).toEqual(binding);
      expect(await store.get(`fingerprint:${fingerprint}`)).toEqual({ subject: 'pinned' });
      expect(await store.get('subject:CN=svc-batch,O=Acme')).toEqual({ subject: 'by-subject' });
      // Identities are exact: no prefix, case or kind confusion (fingerprints aside, which are normalized).
      expect(await store.get('san:URI:spiffe://acme/batch/x')).toBeUndefined();
      expect(await store.get('san:uri:spiffe://acme/batch')).toBeUndefined();
      expect(await store.get('subject:CN=svc-batch')).toBeUndefined();
    });

    it('finds a fingerprint whatever its spelling (case, colons)', async () => {
      await store.put(`fingerprint:${fingerprint.toLowerCase()}`, { subject: 'pinned' });
      expect(await store.get(`fingerprint:${fingerprint}`)).toEqual({ subject: 'pinned' });
      expect(await store.get(`fingerprint:${fingerprint.replaceAll(':', '')}`)).toEqual({ subject: 'pinned' });
    });

    it('replaces and deletes bindings', async () => {
      await store.put('san:DNS:a.acme.internal', { subject: 'one' });
      await store.put('san:DNS:a.acme.internal', { subject: 'two' });
      expect(await store.get('san:DNS:a.acme.internal')).toEqual({ subject: 'two' });
      expect(await store.delete('san:DNS:a.acme.internal')).toBe(true);
      expect(await store.delete('san:DNS:a.acme.internal')).toBe(false);
      expect(await store.get('san:DNS:a.acme.internal')).toBeUndefined();
    });

    it('is not changed by callers mutating what they put', async () => {
      const roles = ['batch'];
      const binding = { subject: 'svc', roles };
      await store.put('san:DNS:b.acme.internal', binding);
      binding.subject = 'mallory';
      const got = await store.get('san:DNS:b.acme.internal');
      expect(got?.subject).toBe('svc');
    });

    it('refuses identities of unknown kinds and bindings without a subject', async () => {
      await expect(store.put('cn:svc', { subject: 'x' })).rejects.toThrow();
      await expect(store.put('san:DNS:c.acme.internal', { subject: '' })).rejects.toThrow();
    });
  });
}

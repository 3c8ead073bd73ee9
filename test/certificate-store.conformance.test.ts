// Runs the CertificateStore conformance suite against every certificate store in core.
import { memoryCertificateStore } from '@tollgate/core';
import { describeCertificateStoreConformance } from './conformance/certificate-store-conformance.js';

describeCertificateStoreConformance('memoryCertificateStore', async () => {
  const store = memoryCertificateStore();
  return { store, cleanup: () => store.close!() };
});

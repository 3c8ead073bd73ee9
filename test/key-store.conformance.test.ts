// Runs the KeyStore conformance suite against every store in core: memory, and file in both formats.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fileKeyStore, memoryKeyStore } from '@tollgate/core';
import { describeKeyStoreConformance } from './conformance/key-store-conformance.js';

describeKeyStoreConformance('memoryKeyStore', async () => ({ store: memoryKeyStore(), cleanup: async () => {} }));

for (const file of ['keys.yaml', 'keys.json']) {
  describeKeyStoreConformance(`fileKeyStore (${file})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-keys-'));
    const reloadErrors: Error[] = [];
    const store = fileKeyStore({ path: join(dir, file), onError: (error) => reloadErrors.push(error) });
    return {
      store,
      async cleanup() {
        await store.close();
        // The store's own writes must never look like a bad edit to its watcher.
        expect(reloadErrors).toStrictEqual([]);
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}

// Runs the KeyStore conformance suite (lifecycle and outages included) against every store: memory, file, Redis, Postgres.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fileKeyStore, memoryKeyStore } from '@tollgate/core';
import { describeKeyStoreConformance } from './conformance/key-store-conformance.js';
import { sharedPostgresOrSkip } from '../packages/postgres/src/test-database.js';
import { sharedRedisOrSkip } from './support/redis-server.js';
import { cutPostgresSubject, privateRedisSubject, sharedPostgresSubject, sharedRedisSubject } from './support/store-servers.js';

describeKeyStoreConformance('memoryKeyStore', async () => ({ store: memoryKeyStore(), cleanup: async () => {} }));

for (const file of ['keys.yaml', 'keys.json']) {
  describeKeyStoreConformance(`fileKeyStore (${file})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-keys-'));
    const reloadErrors: Error[] = [];
    const open = () => fileKeyStore({ path: join(dir, file), debounceMs: 10, onError: (error) => reloadErrors.push(error) });
    const store = open();
    return {
      store,
      // Another process's view of the same file: its own watcher, its own write queue.
      peer: async () => open(),
      async cleanup() {
        await store.close();
        // The store's own writes must never look like a bad edit to its watcher.
        expect(reloadErrors).toStrictEqual([]);
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}

if (await sharedRedisOrSkip('redisKeyStore conformance')) {
  describeKeyStoreConformance('redisKeyStore', () => sharedRedisSubject('key'), { outage: () => privateRedisSubject('key') });
}

if (await sharedPostgresOrSkip('postgresKeyStore conformance')) {
  describeKeyStoreConformance('postgresKeyStore', () => sharedPostgresSubject('key'), { outage: () => cutPostgresSubject('key') });
}

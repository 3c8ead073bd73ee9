// Runs the TenantStore conformance suite (outages included) against every store: memory, file, Redis, Postgres.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fileTenantStore, memoryTenantStore } from '@tollgate/core';
import { describeTenantStoreConformance } from './conformance/tenant-store-conformance.js';
import { sharedPostgresOrSkip } from '../packages/postgres/src/test-database.js';
import { sharedRedisOrSkip } from './support/redis-server.js';
import { cutPostgresSubject, privateRedisSubject, sharedPostgresSubject, sharedRedisSubject } from './support/store-servers.js';

describeTenantStoreConformance('memoryTenantStore', async () => ({ store: memoryTenantStore(), cleanup: async () => {} }));

for (const file of ['tenants.yaml', 'tenants.json']) {
  describeTenantStoreConformance(`fileTenantStore (${file})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-tenants-'));
    const reloadErrors: Error[] = [];
    const open = () => fileTenantStore({ path: join(dir, file), debounceMs: 10, onError: (error) => reloadErrors.push(error) });
    const store = open();
    return {
      store,
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

if (await sharedRedisOrSkip('redisTenantStore conformance')) {
  describeTenantStoreConformance('redisTenantStore', () => sharedRedisSubject('tenant'), { outage: () => privateRedisSubject('tenant') });
}

if (await sharedPostgresOrSkip('postgresTenantStore conformance')) {
  describeTenantStoreConformance('postgresTenantStore', () => sharedPostgresSubject('tenant'), { outage: () => cutPostgresSubject('tenant') });
}

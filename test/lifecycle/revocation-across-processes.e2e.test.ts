// Two app processes on one Redis or Postgres key store: a revocation or rotation on one is refused by the other as soon as the change is delivered.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, type WritableKeyStore } from '@tollgate/core';
import { postgresKeyStore } from '@tollgate/postgres';
import { redisKeyStore } from '@tollgate/redis';
import { sharedPostgresOrSkip } from '../../packages/postgres/src/test-database.js';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, uniquePrefix } from '../support/redis-server.js';
import { rememberSecret } from '../support/secret-ledger.js';
import { spawnExample, type RunningExample } from '../support/spawn-example.js';
import { freshSchema, sharedPostgresUrl } from '../support/store-servers.js';
import { waitFor } from '../conformance/wait-for.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fast = { memoryCost: 1024, timeCost: 1 };

interface Backend {
  readonly name: string;
  /** The store for the test itself, the environment of the instances, and cleanup. */
  open(): Promise<{ store: WritableKeyStore & { close(): Promise<void> }; env: Record<string, string>; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [];
if (await sharedRedisOrSkip('revocation across processes (Redis)')) {
  backends.push({
    name: 'Redis pub/sub',
    async open() {
      const prefix = uniquePrefix('two-processes');
      return { store: await redisKeyStore({ url: sharedRedisUrl, prefix }), env: { STORE_URL: sharedRedisUrl, STORE_PREFIX: prefix }, cleanup: () => deletePrefix(sharedRedisUrl, prefix) };
    },
  });
}
if (await sharedPostgresOrSkip('revocation across processes (PostgreSQL)')) {
  backends.push({
    name: 'Postgres LISTEN/NOTIFY',
    async open() {
      const { schema, drop } = await freshSchema('two_processes');
      return { store: await postgresKeyStore({ url: sharedPostgresUrl, schema }), env: { STORE_URL: sharedPostgresUrl, STORE_SCHEMA: schema }, cleanup: drop };
    },
  });
}

for (const backend of backends) {
  describe(`two app processes sharing a key store over ${backend.name}`, () => {
    let store: WritableKeyStore & { close(): Promise<void> };
    let cleanup: () => Promise<void>;
    let a: RunningExample;
    let b: RunningExample;
    let ops: string;

    const issue = async (subject: string) => {
      const created = await createApiKey({ subject, tenantId: 'acme', hash: fast });
      await store.put(created.record);
      rememberSecret(created.key);
      return created;
    };
    const chat = async (instance: RunningExample, key: string) => {
      const response = await fetch(`${instance.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      return { status: response.status, body: (await response.json()) as { cached?: boolean } };
    };
    /** Sends requests until B answers from its cache (the store's event for the new key may arrive after the first one). */
    const cachedOn = (instance: RunningExample, key: string) => waitFor(async () => (await chat(instance, key)).body.cached === true, 'a cached verification', 5_000);
    /**
     * The change reaches B through pub/sub or LISTEN/NOTIFY, which delivers to each instance on its own
     * connection: the writer hears its own announcement, B hears it within the delivery latency (a few
     * ms; longer on a loaded machine). B must refuse within 1 s, far below its 60 s verification cache,
     * so only the pushed change can explain the refusal.
     */
    const refusedSoon = (instance: RunningExample, key: string) => waitFor(async () => (await chat(instance, key)).status === 401, 'the pushed change to refuse the key', 1_000);
    const adminPost = (instance: RunningExample, path: string, body: unknown = {}) =>
      fetch(`${instance.url}/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    beforeAll(async () => {
      const opened = await backend.open();
      store = opened.store;
      cleanup = opened.cleanup;
      // A platform operator's key: no tenant, the admin:keys scope.
      const operator = await createApiKey({ subject: 'ops', kind: 'service', scopes: ['admin:keys'], hash: fast });
      await store.put(operator.record);
      rememberSecret(operator.key);
      ops = operator.key;
      const env = { ...opened.env, TSX_TSCONFIG_PATH: `${root}test/tsconfig.json` };
      [a, b] = await Promise.all([spawnExample(root, 'test/lifecycle/instance-app.ts', env), spawnExample(root, 'test/lifecycle/instance-app.ts', env)]);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await store?.close();
      await cleanup?.();
    });

    it('revoke on A: B refuses the key within the delivery latency, though B had the verification cached for 60 s', async () => {
      for (let round = 0; round < 5; round++) {
        const { key, record } = await issue(`user-${round}`);
        expect((await chat(b, key)).status).toBe(200);
        await cachedOn(b, key);
        const revoked = await adminPost(a, `/keys/${record.id}/revoke`);
        expect(revoked.status).toBe(200);
        await refusedSoon(b, key);
        expect((await chat(a, key)).status).toBe(401);
      }
    });

    it('rotate on A with no grace: B refuses the old key at once and accepts the new one', async () => {
      const { key, record } = await issue('rotating');
      expect((await chat(b, key)).status).toBe(200);
      await cachedOn(b, key);
      const rotated = (await (await adminPost(a, `/keys/${record.id}/rotate`, { graceSeconds: 0 })).json()) as { key: string };
      rememberSecret(rotated.key);
      await refusedSoon(b, key);
      expect((await chat(b, rotated.key)).status).toBe(200);
    });

    it('writes the last use seen by either instance to the shared store (in its next batch)', async () => {
      const { key, record } = await issue('counted');
      const before = Date.now();
      for (let i = 0; i < 5; i++) for (const instance of [a, b]) expect((await chat(instance, key)).status).toBe(200);
      await waitFor(async () => (await store.get(record.id))?.lastUsedAt !== undefined, 'a batch with the last use', 5_000);
      expect(Date.parse((await store.get(record.id))!.lastUsedAt!)).toBeGreaterThanOrEqual(before - 1_000);
    });
  });
}

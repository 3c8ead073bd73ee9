// A gate built from a YAML file whose stores live on the real Redis and PostgreSQL: it serves requests over a socket,
// a wrong URL makes ready() reject with the URL redacted while requests get 503, never a crash, and an app
// without the store's package is told at loadConfig which one to install.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, gate, issueKey, loadConfig, StoreConnectionError, type ConfiguredApiKeyMethod, type Gate, type StoreModules } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import * as postgres from '@tollgate/postgres';
import * as redis from '@tollgate/redis';
import { sharedPostgresOrSkip } from '../../packages/postgres/src/test-database.js';
import { queryShared } from '../../packages/postgres/src/test-schema.js';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, uniquePrefix } from '../support/redis-server.js';
import { rememberLog, rememberSecret } from '../support/secret-ledger.js';
import { freshSchema, sharedPostgresUrl } from '../support/store-servers.js';

// The packages as the app imports them (the sources under test); an installed app would find them on disk.
const storeModules: StoreModules = { redis, postgres };
const servers = (await sharedRedisOrSkip('config file with Redis and Postgres stores')) && (await sharedPostgresOrSkip('config file with Redis and Postgres stores'));
const fast = { memoryCost: 1024, timeCost: 1 };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollgate-store-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Serves `tg` on a loopback port: one inference route that names the caller and its tenant. */
async function serve(tg: Gate): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.post('/v1/chat/completions', tollgate(tg), (req, res) => void res.json({ caller: req.auth?.subject, tenant: req.tollgate?.tenant?.id }));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const call = async (url: string, key: string) => {
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, { tg_code?: string; message?: string } | string | undefined> };
};

describe.runIf(servers)('a config file with Redis and Postgres stores', () => {
  it('serves an authenticated request with keys in Redis, tenants and rate limits in Postgres', async () => {
    const prefix = uniquePrefix('config-keys');
    const { schema, drop } = await freshSchema('config');
    const file = join(dir, 'tollgate.yaml');
    await writeFile(
      file,
      `version: 1
authenticate:
  methods:
    - type: apiKey
      store:
        type: redis
        url: \${REDIS_URL}
        prefix: ${prefix}
tenants:
  store:
    type: postgres
    url: \${DATABASE_URL}
    schema: ${schema}
rateLimit:
  store: { type: postgres, url: "\${DATABASE_URL}", schema: ${schema}, maxConnections: 3 }
  rules:
    - { name: key-rph, scope: key, unit: requests, limit: 2, window: 1h }
`,
    );
    // What an operator did beforehand, with the stores' own packages (as `tollgate keys create` does).
    const keys = await redis.redisKeyStore({ url: sharedRedisUrl, prefix });
    const tenants = await postgres.postgresTenantStore({ url: sharedPostgresUrl, schema });
    const { key, record } = await issueKey(keys, { subject: 'alice', tenantId: 'acme', hash: fast });
    rememberSecret(key);
    await tenants.put({ id: 'acme', status: 'active', tags: [] });
    await Promise.all([keys.close(), tenants.close()]);

    const tg = gate(loadConfig(file, { env: { REDIS_URL: sharedRedisUrl, DATABASE_URL: sharedPostgresUrl }, storeModules }));
    const app = await serve(tg);
    try {
      // The first request does not wait for ready(): its lookups wait for the stores to connect.
      expect(await call(app.url, key)).toMatchObject({ status: 200, body: { caller: 'alice', tenant: 'acme' } });
      await tg.ready();
      expect((await call(app.url, key)).status).toBe(200);
      const third = await call(app.url, key);
      expect(third.status).toBe(429);
      // Counted in the Postgres ledger: two admitted, the refusal charged nowhere.
      const rows = await queryShared(`SELECT key, used::int AS used FROM "${schema}".tollgate_rate_limit_counters`);
      expect(rows).toEqual([{ key: `key-rph|key=${record.id}`, used: 2 }]);
    } finally {
      await app.close();
      await tg.close();
      await drop();
      await deletePrefix(sharedRedisUrl, prefix);
    }
  });

  it('a wrong URL: ready() rejects naming the URL without its password, and requests get 503', async () => {
    const password = 'pw-for-config-test-0d2c8a41b7';
    rememberSecret(password);
    const file = join(dir, 'unreachable.yaml');
    // Port 1 on loopback: nothing listens there, so every connection is refused at once.
    const cases = [
      { name: 'key store', stores: `authenticate:\n  methods:\n    - type: apiKey\n      store: { type: redis, url: "\${BAD_REDIS}", connectTimeoutMs: 500 }\n`, code: 'TG_VERIFIER_UNAVAILABLE', store: 'redisKeyStore' },
      {
        name: 'tenant store',
        stores: `authenticate:\n  methods: [{ type: apiKey, store: { type: memory } }]\ntenants:\n  store: { type: postgres, url: "\${BAD_POSTGRES}", connectTimeoutMs: 500 }\n`,
        code: 'TG_TENANT_STORE_UNAVAILABLE',
        store: 'postgresTenantStore',
      },
      {
        name: 'rate-limit store',
        stores: `authenticate:\n  methods: [{ type: apiKey, store: { type: memory } }]\nrateLimit:\n  store: { type: postgres, url: "\${BAD_POSTGRES}", connectTimeoutMs: 500 }\n  rules: [{ name: rph, scope: key, unit: requests, limit: 5, window: 1h, onStoreFailure: fail_closed }]\n`,
        code: 'TG_LIMIT_STORE_UNAVAILABLE',
        store: 'postgresRateLimitStore',
      },
    ];
    const env = { BAD_REDIS: `redis://app:${password}@127.0.0.1:1`, BAD_POSTGRES: `postgres://app:${password}@127.0.0.1:1/app` };
    const seen: string[] = [];
    for (const { name, stores, code, store } of cases) {
      await writeFile(file, `version: 1\n${stores}`);
      const options = loadConfig(file, { env, storeModules });
      const method = options.authenticate.methods[0] as ConfiguredApiKeyMethod;
      const tg = gate(options);
      const app = await serve(tg);
      try {
        const failure = await tg.ready().then(() => undefined, (error: unknown) => error);
        expect(failure, name).toBeInstanceOf(StoreConnectionError);
        const message = (failure as Error).message;
        expect(message, name).toMatch(new RegExp(`^${store}: cannot connect to (redis|postgres)://app:\\*\\*\\*@127\\.0\\.0\\.1:1`));
        // A well-formed key: with the key store away it must be looked up, so the answer is 503, not 401.
        const { key } = code === 'TG_VERIFIER_UNAVAILABLE' ? await createApiKey({ subject: 'bob', hash: fast }) : await issueKey(method.store, { subject: 'bob', tenantId: 'acme', hash: fast });
        rememberSecret(key);
        const refused = await call(app.url, key);
        expect(refused, name).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
        expect((refused.body['error'] as { tg_code?: string }).tg_code, name).toBe(code);
        seen.push(message, JSON.stringify(refused.body));
      } finally {
        await app.close();
        await tg.close();
      }
    }
    rememberLog('config stores with a wrong URL', seen.join('\n'));
    expect(seen.join('\n')).not.toContain(password);
  });
});

describe('a config naming a store package the app does not have', () => {
  const child = fileURLToPath(new URL('./fixtures/load-config-child.ts', import.meta.url));
  const testDir = fileURLToPath(new URL('..', import.meta.url));

  it('fails loadConfig with the file line and the install command', async () => {
    const file = join(dir, 'tollgate.yaml');
    await writeFile(
      file,
      `version: 1
authenticate:
  methods:
    - type: apiKey
      store: { type: redis, url: "redis://127.0.0.1:6379" }
tenants:
  store:
    type: postgres
    url: postgres://app@127.0.0.1/app
`,
    );
    // A plain node process (no NODE_PATH from the package manager), in a directory where neither package is installed.
    const { NODE_PATH: _ignored, ...env } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, file], { cwd: testDir, env, timeout: 30_000 });
    const outcome = JSON.parse(stdout.trim()) as { name?: string; message?: string };
    expect(outcome.name).toBe('ConfigError');
    expect(outcome.message).toBe(
      `Invalid configuration in ${file} (1 problem):\n` +
        `  ${file}:5:22 authenticate.methods[0].store.type: store type redis needs the package @tollgate/redis (and ioredis) installed for your app: npm install @tollgate/redis ioredis`,
    );
  });
});

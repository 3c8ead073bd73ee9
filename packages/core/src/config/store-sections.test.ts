// Stores on a Redis or Postgres server in a config file: mistakes at their line, the package found as installed or given in code, ready() and close().
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { gate } from '../gate.js';
import { memoryKeyStore } from '../key-store/memory-key-store.js';
import { memoryRateLimitStore } from '../rate-limit/memory-rate-limit-store.js';
import { StoreConnectionError } from '../store-connection/store-connection-error.js';
import type { PostgresStoreModule, RedisStoreModule } from '../store-connection/store-packages.js';
import { memoryTenantStore } from '../tenant-store/memory-tenant-store.js';
import { parseConfig } from './load-config.js';
import { readConfig } from './read-config.js';

/** The problem lines of the ConfigError that reading `text` throws. */
function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    readConfig(text, { source: 'tollgate.yaml', env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
  throw new Error('expected a ConfigError');
}

const keyStore = (store: string) => `version: 1\nauthenticate:\n  methods:\n    - type: apiKey\n      store: ${store}\n`;
const memoryKeys = keyStore('{ type: memory }');

/** Store modules given in code that record what they were asked for and hand out memory stores. */
function recordingModules() {
  const calls: Array<{ factory: string; options: unknown }> = [];
  const closed: string[] = [];
  const closable = <T extends object>(factory: string, store: T) => ({ ...store, close: async () => void closed.push(factory) });
  const redis: RedisStoreModule = {
    redisKeyStore: async (options) => (calls.push({ factory: 'redisKeyStore', options }), closable('redisKeyStore', memoryKeyStore())),
    redisTenantStore: async (options) => (calls.push({ factory: 'redisTenantStore', options }), closable('redisTenantStore', memoryTenantStore([]))),
    connectRedisRateLimitStore: async (options) => (calls.push({ factory: 'connectRedisRateLimitStore', options }), closable('connectRedisRateLimitStore', memoryRateLimitStore())),
  };
  const postgres: PostgresStoreModule = {
    postgresKeyStore: async (options) => (calls.push({ factory: 'postgresKeyStore', options }), closable('postgresKeyStore', memoryKeyStore())),
    postgresTenantStore: async (options) => (calls.push({ factory: 'postgresTenantStore', options }), closable('postgresTenantStore', memoryTenantStore([{ id: 'acme', status: 'active', tags: [] }]))),
    postgresRateLimitStore: async (options) => (calls.push({ factory: 'postgresRateLimitStore', options }), closable('postgresRateLimitStore', memoryRateLimitStore())),
  };
  return { modules: { redis, postgres }, calls, closed };
}

describe('config: stores on a server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-store-sections-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each mistake at its line: unknown type, missing or wrong URL, bad settings, fields of another type', () => {
    expect(problems(keyStore('{ type: sqlite, url: "sqlite://x" }'))).toEqual([
      'tollgate.yaml:5:22 authenticate.methods[0].store.type: must be one of "file", "memory", "redis", "postgres"',
    ]);
    expect(problems(keyStore('{ type: redis }'))).toEqual(['tollgate.yaml:5:14 authenticate.methods[0].store.url: is required']);
    expect(problems(keyStore('{ type: redis, url: "http://cache:6379" }'))).toEqual(['tollgate.yaml:5:34 authenticate.methods[0].store.url: must start with redis:// or rediss://']);
    expect(problems(keyStore('\n        type: postgres\n        url: ${DATABASE_URL}'))).toEqual([
      'tollgate.yaml:7:14 authenticate.methods[0].store.url: environment variable DATABASE_URL is not set (write ${DATABASE_URL:-default} to give a default)',
    ]);
    expect(problems(keyStore('{ type: redis, url: "redis://h", prefix: "{bad}", connectTimeoutMs: 0 }'))).toEqual([
      `tollgate.yaml:5:55 authenticate.methods[0].store.prefix: must be 1-64 letters, digits, ':', '.', '_' or '-'`,
      'tollgate.yaml:5:82 authenticate.methods[0].store.connectTimeoutMs: must be a whole number from 1 to 600000',
    ]);
    expect(problems(`${memoryKeys}tenants:\n  store: { type: postgres, url: "postgres://db/app", schema: Tollgate, maxConnections: 1 }\n`)).toEqual([
      'tollgate.yaml:7:62 tenants.store.schema: must be a lower-case identifier (letters, digits, _; at most 63 characters)',
      'tollgate.yaml:7:88 tenants.store.maxConnections: must be a whole number from 2 to 1000',
    ]);
    expect(problems(`${memoryKeys}rateLimit:\n  store: { type: redis, url: "redis://h", schema: tollgate }\n  rules: []\n`)).toEqual([
      'tollgate.yaml:7:43 rateLimit.store.schema: unknown key "schema"; expected one of: commandTimeoutMs, connectTimeoutMs, prefix, type, url',
    ]);
  });

  it('never repeats a URL (or its password) in a message', () => {
    const secret = 'postgres://app:hunter2hunter2@db/app';
    const lines = problems(`${memoryKeys}tenants:\n  store: { type: redis, url: "\${TENANTS_URL}" }\n`, { TENANTS_URL: secret });
    expect(lines).toEqual(['tollgate.yaml:7:30 tenants.store.url: must start with redis:// or rediss://']);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('builds every store kind with the package given in code, passes its settings, waits in ready() and closes it', async () => {
    const { modules, calls, closed } = recordingModules();
    const text = `version: 1
authenticate:
  methods:
    - type: apiKey
      store: { type: redis, url: "redis://cache:6379", prefix: app-keys, connectTimeoutMs: 900, commandTimeoutMs: 300 }
tenants:
  store: { type: postgres, url: "postgres://db/app", schema: tollgate, maxConnections: 4, queryTimeoutMs: 800 }
rateLimit:
  store: { type: postgres, url: "postgresql://db/app", schema: tollgate }
  rules: [{ name: rpm, scope: key, unit: requests, limit: 5, window: 1m }]
`;
    const tg = gate(parseConfig(text, { baseDir: dir, env: {}, storeModules: modules }));
    await tg.ready();
    expect(calls).toEqual([
      { factory: 'redisKeyStore', options: { url: 'redis://cache:6379', prefix: 'app-keys', connectTimeoutMs: 900, commandTimeoutMs: 300 } },
      { factory: 'postgresTenantStore', options: { url: 'postgres://db/app', schema: 'tollgate', maxConnections: 4, queryTimeoutMs: 800 } },
      { factory: 'postgresRateLimitStore', options: { url: 'postgresql://db/app', schema: 'tollgate' } },
    ]);
    await tg.close();
    expect(closed.sort()).toEqual(['postgresRateLimitStore', 'postgresTenantStore', 'redisKeyStore']);
  });

  it('rejects ready() with the store’s own error, and with a clear one for a package without the factory', async () => {
    const unreachable = new StoreConnectionError('redisTenantStore', 'redis://:s3cret@cache:6379', new Error('connect ECONNREFUSED'));
    const { modules } = recordingModules();
    const failing = { redis: { ...modules.redis, redisTenantStore: async () => Promise.reject(unreachable) } };
    const tenants = gate(parseConfig(`${memoryKeys}tenants:\n  store: { type: redis, url: "redis://:s3cret@cache:6379" }\n`, { baseDir: dir, env: {}, storeModules: failing }));
    await expect(tenants.ready()).rejects.toBe(unreachable);
    expect(unreachable.message).toBe('redisTenantStore: cannot connect to redis://:***@cache:6379: connect ECONNREFUSED');
    await tenants.close();
    const outdated = { postgres: { postgresKeyStore: modules.postgres.postgresKeyStore } as unknown as PostgresStoreModule };
    const limits = gate(parseConfig(`${memoryKeys}rateLimit:\n  store: { type: postgres, url: "postgres://db/app" }\n  rules: []\n`, { baseDir: dir, env: {}, storeModules: outdated }));
    await expect(limits.ready()).rejects.toThrow('the installed @tollgate/postgres has no postgresRateLimitStore; update it');
    await limits.close();
  });

  it('finds the package as installed for the app, next to the config file', async () => {
    // A stand-in @tollgate/redis (and its driver) installed in the config's directory, found before any other.
    const app = join(dir, 'app');
    const pkg = join(app, 'node_modules', '@tollgate', 'redis');
    mkdirSync(pkg, { recursive: true });
    mkdirSync(join(app, 'node_modules', 'ioredis'), { recursive: true });
    writeFileSync(join(app, 'node_modules', 'ioredis', 'package.json'), JSON.stringify({ name: 'ioredis', main: 'index.js' }));
    writeFileSync(join(app, 'node_modules', 'ioredis', 'index.js'), 'module.exports = {};\n');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tollgate/redis', type: 'module', exports: { '.': { import: { default: './esm.js' }, require: './cjs.cjs' }, './package.json': './package.json' } }));
    // Both builds, as the real package has: core loads the one of its own format (CommonJS under the test runner).
    const factory = `async function redisKeyStore(options) {
  globalThis.tollgateStandIn = options;
  return { get: async () => undefined, put: async () => {}, delete: async () => false, list: async () => [], close: async () => { globalThis.tollgateStandInClosed = true; } };
}\n`;
    writeFileSync(join(pkg, 'esm.js'), `export ${factory}`);
    writeFileSync(join(pkg, 'cjs.cjs'), `${factory}exports.redisKeyStore = redisKeyStore;\n`);
    const options = parseConfig(keyStore('{ type: redis, url: "redis://stand-in:6379" }'), { baseDir: app, env: {} });
    const tg = gate(options);
    await tg.ready();
    const global = globalThis as { tollgateStandIn?: unknown; tollgateStandInClosed?: boolean };
    expect(global.tollgateStandIn).toEqual({ url: 'redis://stand-in:6379' });
    await tg.close();
    expect(global.tollgateStandInClosed).toBe(true);
  });
});

// After creation no store holds a key's secret: the raw contents of files, Redis and Postgres hold ids and argon2id hashes only.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyPattern, parseApiKey } from '@tollgate/core';
import { sharedPostgresOrSkip } from '../../packages/postgres/src/test-database.js';
import { queryShared } from '../../packages/postgres/src/test-schema.js';
import { tollgate, workDir } from '../cli/cli-fixture.js';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, uniquePrefix } from '../support/redis-server.js';
import { rememberSecret } from '../support/secret-ledger.js';
import { freshSchema, sharedPostgresUrl } from '../support/store-servers.js';

const work = await workDir();
afterAll(() => work.remove());

/** Everything a Redis store prefix holds, as text: every key with its value, whatever its type. */
async function dumpRedis(prefix: string): Promise<string> {
  const client = new Redis(sharedRedisUrl);
  try {
    const keys = await client.keys(`{${prefix}}*`);
    const parts: string[] = [];
    for (const key of keys) {
      const type = await client.type(key);
      const value = type === 'string' ? await client.get(key) : type === 'hash' ? await client.hgetall(key) : type === 'zset' ? await client.zrange(key, 0, -1) : `(${type})`;
      parts.push(`${key} ${JSON.stringify(value)}`);
    }
    return parts.join('\n');
  } finally {
    client.disconnect();
  }
}

interface RawStore {
  readonly name: string;
  readonly args: string[];
  dump(): Promise<string>;
  cleanup(): Promise<void>;
}

const stores: Array<{ name: string; make: () => Promise<RawStore> }> = [
  { name: 'a YAML file', make: async () => ({ name: 'YAML file', args: ['--store', 'raw-keys.yaml'], dump: () => readFile(join(work.dir, 'raw-keys.yaml'), 'utf8'), cleanup: async () => {} }) },
  { name: 'a JSON file', make: async () => ({ name: 'JSON file', args: ['--store', 'raw-keys.json'], dump: () => readFile(join(work.dir, 'raw-keys.json'), 'utf8'), cleanup: async () => {} }) },
];
if (await sharedRedisOrSkip('no secret at rest (Redis)')) {
  stores.push({
    name: 'Redis',
    make: async () => {
      const prefix = uniquePrefix('at-rest');
      return { name: 'Redis', args: ['--store', sharedRedisUrl, '--prefix', prefix], dump: () => dumpRedis(prefix), cleanup: () => deletePrefix(sharedRedisUrl, prefix) };
    },
  });
}
if (await sharedPostgresOrSkip('no secret at rest (PostgreSQL)')) {
  stores.push({
    name: 'PostgreSQL',
    make: async () => {
      const { schema, drop } = await freshSchema('at_rest');
      const dump = async () => (await queryShared(`SELECT row_to_json(k)::text AS row FROM "${schema}".tollgate_api_keys k`)).map((r) => r['row'] as string).join('\n');
      return { name: 'PostgreSQL', args: ['--store', sharedPostgresUrl, '--schema', schema], dump, cleanup: drop };
    },
  });
}

describe('no key secret at rest', () => {
  it.each(stores)('$name: keys created, rotated and revoked leave only ids and hashes behind', async ({ make }) => {
    const store = await make();
    try {
      const run = (...args: string[]) => tollgate([...args, ...store.args], work.dir);
      const keys: string[] = [];
      const keyOf = (text: string): string => {
        const key = text.match(new RegExp(apiKeyPattern, 'g'))![0]!;
        rememberSecret(key);
        keys.push(key);
        return key;
      };
      const first = keyOf((await run('keys', 'create', '--subject', 'alice', '--tenant', 'acme', '--role', 'inference')).out);
      keyOf((await run('keys', 'create', '--subject', 'svc', '--kind', 'service', '--tenant', 'acme')).out);
      keyOf((await run('keys', 'rotate', parseApiKey(first)!.keyId, '--grace', '1h')).out);
      expect((await run('keys', 'revoke', parseApiKey(keys[1]!)!.keyId)).code).toBe(0);
      const dump = await store.dump();
      for (const key of keys) {
        const { keyId, secret } = parseApiKey(key)!;
        expect(dump, `${store.name} holds the record of ${keyId}`).toContain(keyId);
        expect(dump, `${store.name} holds the secret of ${keyId}`).not.toContain(secret);
        expect(dump).not.toContain(key);
      }
      expect(dump.match(/\$argon2id\$/g)).toHaveLength(3);
    } finally {
      await store.cleanup();
    }
  });
});

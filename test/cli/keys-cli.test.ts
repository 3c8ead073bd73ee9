// `tollgate keys …` against files, Redis and PostgreSQL: the key printed once, listings without secrets, rotation, revocation, exit codes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern, parseApiKey } from '@tollgate/core';
import { rememberSecret } from '../support/secret-ledger.js';
import { cliStores, tollgate, workDir, type CliStore } from './cli-fixture.js';

const work = await workDir();
const stores = await cliStores(work.dir, 'keys');
afterAll(() => work.remove());

/** The one key in a `keys create`/`keys rotate` output. */
function keyIn(text: string): string {
  const match = new RegExp(apiKeyPattern, 'g');
  const keys = text.match(match) ?? [];
  expect(keys).toHaveLength(1);
  rememberSecret(keys[0]!);
  return keys[0]!;
}

for (const { name, make } of stores) {
  describe(`tollgate keys on ${name}`, () => {
    let store: CliStore;
    const run = (...args: string[]) => tollgate([...args, ...store.args], work.dir);
    beforeAll(async () => {
      store = await make();
    });
    afterAll(() => store.cleanup());

    it('creates a key, prints it once on stdout with the warning on stderr, and lists it without any secret', async () => {
      const created = await run('keys', 'create', '--subject', 'svc-batch', '--kind', 'service', '--tenant', 'acme', '--role', 'inference', '--scope', 'chat', '--model', 'gpt-4o*', '--name', 'batch jobs', '--meta', 'team=ml');
      expect(created.code, created.err).toBe(0);
      const key = keyIn(created.out);
      const { keyId, secret } = parseApiKey(key)!;
      expect(created.out).toContain(`Created key ${keyId} for service account svc-batch in tenant acme.`);
      expect(created.err).toMatch(/WARNING: This key is shown once and cannot be recovered/);
      expect(created.err).not.toContain(secret);
      const list = await run('keys', 'list', '--tenant', 'acme');
      expect(list.code).toBe(0);
      expect(list.out).toMatch(new RegExp(`${keyId}\\s+acme\\s+svc-batch\\s+service\\s+active`));
      const shown = await run('keys', 'show', keyId, '--json');
      expect(JSON.parse(shown.out)).toMatchObject({ id: keyId, subject: 'svc-batch', kind: 'service', tenantId: 'acme', roles: ['inference'], scopes: ['chat'], models: ['gpt-4o*'], name: 'batch jobs', metadata: { team: 'ml' }, status: 'active' });
      for (const output of [list.out, shown.out, (await run('keys', 'show', keyId)).out, (await run('keys', 'list', '--json')).out]) {
        expect(output).not.toContain(secret);
        expect(output).not.toContain('$argon2id$');
      }
    });

    it('prints JSON for scripts, filters by tenant and status, and says so when there is nothing', async () => {
      const created = await run('keys', 'create', '--subject', 'dana', '--tenant', 'globex', '--expires', '30d', '--json');
      const body = JSON.parse(created.out) as { key: string; record: Record<string, unknown>; warning: string };
      rememberSecret(body.key);
      expect(body.record).toMatchObject({ subject: 'dana', kind: 'user', tenantId: 'globex', status: 'active' });
      expect(body.record).not.toHaveProperty('hash');
      expect(Date.parse(body.record['expiresAt'] as string) - Date.now()).toBeGreaterThan(29 * 86_400_000);
      expect(body.warning).toMatch(/shown once/);
      const globex = JSON.parse((await run('keys', 'list', '--tenant', 'globex', '--json')).out) as Array<{ id: string }>;
      expect(globex.map((k) => k.id)).toEqual([body.record['id']]);
      expect((await run('keys', 'list', '--tenant', 'initech')).out).toBe('no keys\n');
      expect((await run('keys', 'list', '--status', 'revoked')).out).toBe('no keys\n');
    });

    it('rotates with a grace period, printing the new key once, and refuses to rotate twice', async () => {
      const old = keyIn((await run('keys', 'create', '--subject', 'erin', '--tenant', 'acme')).out);
      const oldId = parseApiKey(old)!.keyId;
      const rotated = await run('keys', 'rotate', oldId, '--grace', '2h');
      expect(rotated.code, rotated.err).toBe(0);
      const fresh = keyIn(rotated.out);
      expect(fresh).not.toBe(old);
      expect(rotated.out).toContain(`Rotated key ${oldId} to ${parseApiKey(fresh)!.keyId}`);
      expect(rotated.err).toMatch(/shown once/);
      const shown = JSON.parse((await run('keys', 'show', oldId, '--json')).out) as Record<string, string>;
      expect(shown).toMatchObject({ status: 'rotating', rotatedTo: parseApiKey(fresh)!.keyId });
      expect(Math.abs(Date.parse(shown['expiresAt']!) - (Date.now() + 7_200_000))).toBeLessThan(60_000);
      const again = await run('keys', 'rotate', oldId);
      expect(again.code).toBe(1);
      expect(again.err).toContain(`was already rotated to ${parseApiKey(fresh)!.keyId}`);
    });

    it('revokes, keeping the record, and answers a missing key with exit code 1', async () => {
      const key = keyIn((await run('keys', 'create', '--subject', 'frank')).out);
      const keyId = parseApiKey(key)!.keyId;
      const revoked = await run('keys', 'revoke', keyId);
      expect(revoked.code).toBe(0);
      expect(revoked.out).toMatch(new RegExp(`Revoked key ${keyId} at \\d{4}-`));
      expect(JSON.parse((await run('keys', 'show', keyId, '--json')).out)).toMatchObject({ status: 'revoked' });
      expect(await run('keys', 'revoke', 'NoSuchKey123')).toMatchObject({ code: 1, err: expect.stringContaining('No key with id "NoSuchKey123"') });
      expect(await run('keys', 'show', 'NoSuchKey123')).toMatchObject({ code: 1, err: expect.stringContaining('no key with id') });
    });

    it('refuses bad arguments with exit code 2 and the usage', async () => {
      expect(await run('keys', 'create', '--tenant', 'acme')).toMatchObject({ code: 2, err: expect.stringContaining('--subject is required') });
      expect(await run('keys', 'create', '--subject', 'x', '--kind', 'robot')).toMatchObject({ code: 2, err: expect.stringContaining('--kind must be user or service') });
      expect(await run('keys', 'create', '--subject', 'x', '--expires', 'next tuesday')).toMatchObject({ code: 2, err: expect.stringContaining('--expires must be') });
      expect(await run('keys', 'create', '--subject', 'x', '--tenant', '../etc')).toMatchObject({ code: 2, err: expect.stringContaining('tenantId') });
      expect(await run('keys', 'rotate', 'abc', '--grace', 'forever')).toMatchObject({ code: 2, err: expect.stringContaining('Usage: tollgate keys rotate') });
      expect((await run('keys', 'show')).code).toBe(2);
    });
  });
}

describe('tollgate keys: the store', () => {
  it('comes from the environment when --store is absent, and is required', async () => {
    const created = await tollgate(['keys', 'create', '--subject', 'gina'], work.dir, { TOLLGATE_KEY_STORE: 'env-keys.yaml' });
    expect(created.code, created.err).toBe(0);
    rememberSecret(keyIn(created.out));
    const text = await readFile(join(work.dir, 'env-keys.yaml'), 'utf8');
    expect(text).toContain('subject: gina');
    expect(text).not.toContain(parseApiKey(keyIn(created.out))!.secret);
    expect(await tollgate(['keys', 'list'], work.dir)).toMatchObject({ code: 2, err: expect.stringContaining('name the store with --store') });
    expect(await tollgate(['keys', 'list', '--store', 'keys.txt'], work.dir)).toMatchObject({ code: 2, err: expect.stringContaining('must end in .yaml, .yml or .json') });
    expect(await tollgate(['keys', 'list', '--store', 'keys.yaml', '--prefix', 'x'], work.dir)).toMatchObject({ code: 2, err: expect.stringContaining('--prefix applies to a Redis store only') });
  });

  it('names an unreachable server without its password, with exit code 4', async () => {
    const redis = await tollgate(['keys', 'list', '--store', 'redis://admin:hunter2secret@127.0.0.1:1'], work.dir);
    expect(redis.code).toBe(4);
    expect(redis.err).toContain('redisKeyStore: cannot connect to redis://admin:***@127.0.0.1:1');
    const postgres = await tollgate(['keys', 'list', '--store', 'postgres://app:hunter2secret@127.0.0.1:1/db'], work.dir);
    expect(postgres.code).toBe(4);
    expect(postgres.err).toContain('postgresKeyStore: cannot connect to postgres://app:***@127.0.0.1:1/db');
    for (const run of [redis, postgres]) expect(run.err + run.out).not.toContain('hunter2secret');
  });
});

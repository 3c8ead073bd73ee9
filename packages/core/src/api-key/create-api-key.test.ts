import { describe, expect, it } from 'vitest';
import { createApiKey } from './create-api-key.js';
import { parseApiKey } from './key-format.js';
import { hashSecret, verifySecret } from './secret-hash.js';

describe('createApiKey', () => {
  it('returns the plaintext once and a record that holds only an argon2id hash of the secret', async () => {
    const { key, record } = await createApiKey({ subject: 'svc', kind: 'service', tenantId: 't1', roles: ['r'], scopes: ['s'], models: ['m*'], name: 'ci', env: 'test', expiresAt: '2030-01-01T00:00:00Z', metadata: { team: 'ml' }, now: () => Date.parse('2026-01-01T00:00:00Z') });
    const parts = parseApiKey(key)!;
    expect(parts).toMatchObject({ env: 'test', keyId: record.id });
    expect(record).toMatchObject({ env: 'test', subject: 'svc', kind: 'service', tenantId: 't1', roles: ['r'], scopes: ['s'], models: ['m*'], name: 'ci', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2030-01-01T00:00:00.000Z', metadata: { team: 'ml' } });
    expect(record.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(record)).not.toContain(parts.secret);
    expect(await verifySecret(record.hash, parts.secret)).toBe(true);
    expect(await verifySecret(record.hash, parts.secret.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).toBe(false);
  });

  it('hashes the same secret differently each time (random salt)', async () => {
    const options = { memoryCost: 1024, timeCost: 1 };
    expect(await hashSecret('same-secret', options)).not.toBe(await hashSecret('same-secret', options));
  });

  it('makes distinct keys and ids', async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => createApiKey({ subject: 'a', hash: { memoryCost: 1024, timeCost: 1 } })));
    expect(new Set(keys.map((k) => k.key)).size).toBe(5);
    expect(new Set(keys.map((k) => k.record.id)).size).toBe(5);
  });

  it('refuses bad options before hashing', async () => {
    await expect(createApiKey({ subject: '' })).rejects.toThrow(/subject/);
    await expect(createApiKey({ subject: 'a', env: 'Prod' })).rejects.toThrow(/environment/);
    await expect(createApiKey({ subject: 'a', kind: 'robot' as 'user' })).rejects.toThrow(/kind/);
    await expect(createApiKey({ subject: 'a', expiresAt: 'soon' })).rejects.toThrow(/expiresAt/);
    await expect(createApiKey({ subject: 'a', roles: [''] })).rejects.toThrow(/roles/);
  });
});

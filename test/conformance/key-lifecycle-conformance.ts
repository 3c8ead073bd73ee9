// Key lifecycle every WritableKeyStore must support: atomic patches, batched last use, rotation, revocation, expiry, other instances' writes.
import { isDeepStrictEqual } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKey, createApiKey, gate, issueKey, newKeyId, revokeKey, rotateKey, type ApiKeyMethod, type Gate, type KeyChange, type KeyRecord, type RenderedResponse, type WritableKeyStore } from '@tollgate/core';
import type { KeyStoreUnderTest } from './key-store-conformance.js';
import { waitFor } from './wait-for.js';

const fast = { memoryCost: 1024, timeCost: 1 };
const day = (n: number) => new Date(Date.UTC(2030, 0, n)).toISOString();

/** Authenticates one request with `key` through a real gate; resolves the refusal, or undefined when it passed. */
export async function refusalOf(tg: Gate, key: string): Promise<RenderedResponse | undefined> {
  const handle = tg.start({
    method: 'POST',
    path: '/v1/chat/completions',
    headerValues: (name) => (name === 'authorization' ? [`Bearer ${key}`] : []),
    remoteAddress: '127.0.0.1',
    body: () => ({ kind: 'none' }),
  });
  const refused = await tg.run(handle);
  await tg.finish(handle, { status: refused?.status ?? 200, aborted: false });
  return refused;
}

/** The status a request with `key` would get from the gate (200 when it passed). */
export async function statusOf(tg: Gate, key: string): Promise<number> {
  return (await refusalOf(tg, key))?.status ?? 200;
}

/**
 * Registers the lifecycle tests under `describe(name)`; `make` is the factory of the key-store
 * conformance suite. Tests that need a second instance run only for stores that offer `peer`.
 *
 * @example
 * describeKeyLifecycleConformance('memoryKeyStore', async () => ({ store: memoryKeyStore(), cleanup: async () => {} }));
 */
export function describeKeyLifecycleConformance(name: string, make: () => Promise<KeyStoreUnderTest>): void {
  describe(`${name} (key lifecycle conformance)`, () => {
    let base: KeyRecord;
    let subject: KeyStoreUnderTest;
    let store: WritableKeyStore;
    let clock: number;
    const opened: Array<{ close?(): Promise<void> }> = [];
    const record = (overrides: Partial<KeyRecord> = {}): KeyRecord => ({ ...base, id: newKeyId(), ...overrides });
    const peer = async (): Promise<WritableKeyStore> => {
      const other = await subject.peer!();
      opened.push(other);
      return other;
    };
    const gateFor = (on: WritableKeyStore, extra: { lastUsed?: false } = { lastUsed: false }): { tg: Gate; method: ApiKeyMethod } => {
      const method = apiKey({ store: on, now: () => clock, ...extra });
      const tg = gate({ authenticate: { methods: [method] } });
      opened.push(tg);
      return { tg, method };
    };

    beforeAll(async () => {
      ({ record: base } = await createApiKey({ subject: 'alice', tenantId: 'acme', roles: ['inference'], hash: fast }));
    });
    beforeEach(async () => {
      clock = Date.parse('2026-03-01T00:00:00Z');
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      for (const thing of opened.splice(0).reverse()) await thing.close?.();
      await subject.cleanup();
    });

    it('patches atomically: the earliest revocation and expiry and the first rotatedTo win, and watchers hear it', async () => {
      expect(store.patch).toBeTypeOf('function');
      const r = record({ expiresAt: day(20) });
      await store.put(r);
      const seen: KeyChange[] = [];
      store.watch!((change) => seen.push(change));
      const [first, second] = [newKeyId(), newKeyId()];
      const after = await store.patch!(r.id, { revokedAt: day(10), expiresAt: day(25), rotatedTo: first });
      expect(after).toStrictEqual({ ...r, revokedAt: day(10), rotatedTo: first });
      const again = await store.patch!(r.id, { revokedAt: day(12), expiresAt: day(5), rotatedTo: second });
      expect(again).toStrictEqual({ ...r, revokedAt: day(10), expiresAt: day(5), rotatedTo: first });
      expect(await store.get(r.id)).toStrictEqual(again);
      await waitFor(() => seen.length >= 2, 'two upsert events');
      expect(seen).toStrictEqual([{ keyId: r.id, type: 'upsert' }, { keyId: r.id, type: 'upsert' }]);
      expect(await store.patch!(newKeyId(), { revokedAt: day(1) })).toBeUndefined();
      await expect(store.patch!(r.id, { revokedAt: 'tomorrow' })).rejects.toThrow(/revokedAt/);
      await expect(store.patch!(r.id, { subject: 'mallory' } as never)).rejects.toThrow(/subject/);
      expect(await store.get(r.id)).toStrictEqual(again);
    });

    it('touches in one batch: raises last use, never lowers it, creates nothing and tells no watcher', async () => {
      expect(store.touch).toBeTypeOf('function');
      const [a, b] = [record(), record()];
      const ghost = newKeyId();
      await store.put(a);
      await store.put(b);
      const seen: KeyChange[] = [];
      store.watch!((change) => seen.push(change));
      const t0 = Date.parse('2030-02-01T00:00:00Z');
      await store.touch!([{ keyId: a.id, at: t0 + 5_000 }, { keyId: a.id, at: t0 }, { keyId: b.id, at: t0 }, { keyId: ghost, at: t0 }]);
      await store.touch!([{ keyId: a.id, at: t0 + 1_000 }]);
      expect(await store.get(a.id)).toStrictEqual({ ...a, lastUsedAt: new Date(t0 + 5_000).toISOString() });
      expect((await store.get(b.id))?.lastUsedAt).toBe(new Date(t0).toISOString());
      expect(await store.get(ghost)).toBeUndefined();
      expect((await store.list()).map((r) => r.id).sort()).toStrictEqual([a.id, b.id].sort());
      // A revocation keeps the last use; a put replaces the whole record, last use included.
      expect((await store.patch!(a.id, { revokedAt: day(1) }))?.lastUsedAt).toBe(new Date(t0 + 5_000).toISOString());
      await store.put(b);
      expect(await store.get(b.id)).toStrictEqual(b);
      await waitFor(() => seen.length >= 2, 'the patch and put events');
      expect(seen).toStrictEqual([{ keyId: a.id, type: 'upsert' }, { keyId: b.id, type: 'upsert' }]);
    });

    it('loses no lifecycle change among 30 concurrent writers, last-use batches included', async () => {
      const r = record();
      await store.put(r);
      const other = subject.peer === undefined ? store : await peer();
      // Dates in no particular order, so "the last write wins" cannot pass for "the earliest date wins".
      const dayOf = (i: number) => 5 + ((i * 11) % 29);
      const writes = Array.from({ length: 30 }, (_, i) => {
        const on = i % 2 === 0 ? store : other;
        if (i % 5 === 4) return on.touch!([{ keyId: r.id, at: Date.parse(day(3)) + ((i * 7) % 30) }]);
        return on.patch!(r.id, i % 3 === 0 ? { revokedAt: day(dayOf(i)) } : { expiresAt: day(dayOf(i)) });
      });
      await Promise.all(writes);
      const indexes = Array.from({ length: 30 }, (_, i) => i);
      const earliest = (pick: (i: number) => boolean) => day(Math.min(...indexes.filter((i) => i % 5 !== 4 && pick(i)).map(dayOf)));
      const latestUse = Math.max(...indexes.filter((i) => i % 5 === 4).map((i) => (i * 7) % 30));
      const expected = { ...r, revokedAt: earliest((i) => i % 3 === 0), expiresAt: earliest((i) => i % 3 !== 0), lastUsedAt: new Date(Date.parse(day(3)) + latestUse).toISOString() };
      expect([expected.revokedAt, expected.expiresAt]).toStrictEqual([day(5), day(6)]);
      // A file store hears the other instance's last write through its watcher, a moment later.
      const seenBy = async (on: WritableKeyStore) => isDeepStrictEqual(await on.get(r.id), expected);
      await waitFor(async () => (await seenBy(store)) && (await seenBy(other)), 'both instances to see every write', 5_000).catch(() => undefined);
      expect(await store.get(r.id)).toStrictEqual(expected);
      expect(await other.get(r.id)).toStrictEqual(expected);
    });

    it('rotates: the new key has the same identity, the old one works for the grace period, then is refused', async () => {
      const { tg } = gateFor(store);
      const created = await issueKey(store, { subject: 'svc-batch', kind: 'service', tenantId: 'acme', roles: ['inference'], scopes: ['chat'], models: ['gpt-4o*'], hash: fast, now: () => clock });
      expect(await statusOf(tg, created.key)).toBe(200);
      const rotated = await rotateKey(store, created.record.id, { graceSeconds: 60, hash: fast, now: () => clock });
      expect(rotated.record).toMatchObject({ subject: 'svc-batch', kind: 'service', tenantId: 'acme', roles: ['inference'], scopes: ['chat'], models: ['gpt-4o*'], rotatedFrom: created.record.id });
      expect(rotated.previous).toStrictEqual({ ...created.record, rotatedTo: rotated.record.id, expiresAt: new Date(clock + 60_000).toISOString() });
      expect(await store.get(created.record.id)).toStrictEqual(rotated.previous);
      expect([await statusOf(tg, created.key), await statusOf(tg, rotated.key)]).toStrictEqual([200, 200]);
      clock += 61_000;
      expect([await statusOf(tg, created.key), await statusOf(tg, rotated.key)]).toStrictEqual([401, 200]);
      await expect(rotateKey(store, created.record.id, { hash: fast, now: () => clock })).rejects.toMatchObject({ code: 'TG_CONFLICT' });
      await expect(rotateKey(store, newKeyId(), { hash: fast })).rejects.toMatchObject({ code: 'TG_NOT_FOUND' });
      expect((await store.list({ tenantId: 'acme' })).map((r) => r.id).sort()).toStrictEqual([created.record.id, rotated.record.id].sort());
    });

    it('revokes at once, although a verification of the key was cached; a zero grace rotation too', async () => {
      const { tg, method } = gateFor(store);
      const revoked = await issueKey(store, { subject: 'bob', tenantId: 'acme', hash: fast, now: () => clock });
      const replaced = await issueKey(store, { subject: 'carol', tenantId: 'acme', hash: fast, now: () => clock });
      for (const key of [revoked.key, replaced.key]) expect([await statusOf(tg, key), await statusOf(tg, key)]).toStrictEqual([200, 200]);
      expect(method.cache.size).toBe(2);
      const after = await revokeKey(store, revoked.record.id, { now: () => clock });
      expect(after.revokedAt).toBe(new Date(clock).toISOString());
      expect(await statusOf(tg, revoked.key)).toBe(401);
      const rotated = await rotateKey(store, replaced.record.id, { graceSeconds: 0, hash: fast, now: () => clock });
      expect([await statusOf(tg, replaced.key), await statusOf(tg, rotated.key)]).toStrictEqual([401, 200]);
      // Kept, not deleted: listings and audits still show who the key was.
      expect((await store.get(revoked.record.id))?.subject).toBe('bob');
      await expect(revokeKey(store, newKeyId())).rejects.toMatchObject({ code: 'TG_NOT_FOUND' });
    });

    it('refuses an expired key without any change to the store', async () => {
      const { tg } = gateFor(store);
      const { key } = await issueKey(store, { subject: 'dana', tenantId: 'acme', expiresAt: new Date(clock + 10_000), hash: fast, now: () => clock });
      expect(await statusOf(tg, key)).toBe(200);
      clock += 11_000;
      expect(await statusOf(tg, key)).toBe(401);
    });

    it('writes last use in batches: requests write nothing until the tracker flushes', async () => {
      const touches: number[] = [];
      const counting: WritableKeyStore = { ...store, get: (id) => store.get(id), watch: (l) => store.watch!(l), touch: (uses) => (touches.push(uses.length), store.touch!(uses)) };
      const method = apiKey({ store: counting, now: () => clock, lastUsed: { flushIntervalMs: 3_600_000 } });
      const tg = gate({ authenticate: { methods: [method] } });
      const { key, record: made } = await issueKey(store, { subject: 'erin', tenantId: 'acme', hash: fast, now: () => clock });
      for (let i = 0; i < 5; i++) expect(await statusOf(tg, key)).toBe(200);
      expect(touches).toStrictEqual([]);
      expect((await store.get(made.id))?.lastUsedAt).toBeUndefined();
      await tg.close();
      expect(touches).toStrictEqual([1]);
      expect((await store.get(made.id))?.lastUsedAt).toBe(new Date(clock).toISOString());
    });

    it('hears a change made by another instance: a revocation there drops the cached verification here', async ({ skip }) => {
      if (subject.peer === undefined) return skip(`${name} lives in one process: there is no other instance`);
      const other = await peer();
      const { tg, method } = gateFor(store);
      const { key, record: made } = await issueKey(store, { subject: 'frank', tenantId: 'acme', hash: fast, now: () => clock });
      await waitFor(async () => (await other.get(made.id)) !== undefined, 'the other instance to see the new key');
      expect([await statusOf(tg, key), await statusOf(tg, key)]).toStrictEqual([200, 200]);
      expect(method.cache.size).toBe(1);
      await revokeKey(other, made.id, { now: () => clock });
      await waitFor(() => method.cache.size === 0, 'the revocation event from the other instance');
      expect(await statusOf(tg, key)).toBe(401);
    });

    it('keeps every write of two instances writing at once', async ({ skip }) => {
      if (subject.peer === undefined) return skip(`${name} lives in one process: there is no other instance`);
      const other = await peer();
      const records = Array.from({ length: 40 }, (_, i) => record({ subject: `user-${i}` }));
      await Promise.all(records.map((r, i) => (i % 2 === 0 ? store : other).put(r)));
      const ids = records.map((r) => r.id).sort();
      await waitFor(async () => (await other.list()).length === 40 && (await store.list()).length === 40, 'both instances to see all 40').catch(() => undefined);
      expect((await store.list()).map((r) => r.id)).toStrictEqual(ids);
      expect((await other.list()).map((r) => r.id)).toStrictEqual(ids);
    });
  });
}

// The behaviour every WritableKeyStore (memory, file, Redis, Postgres) must show, as one reusable vitest suite.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey, newKeyId, type KeyChange, type KeyRecord, type WritableKeyStore } from '@tollgate/core';
import { describeKeyLifecycleConformance } from './key-lifecycle-conformance.js';
import { describeKeyStoreOutage, type KeyStoreWithOutage } from './store-outage-conformance.js';
import { waitFor } from './wait-for.js';

/** A fresh, empty store for one test, and how to dispose of it. */
export interface KeyStoreUnderTest {
  readonly store: WritableKeyStore;
  /**
   * Another instance on the same data, as another process would open it (another connection, another
   * watcher); absent for stores that live in one process. The suite closes what it returns.
   */
  peer?(): Promise<WritableKeyStore>;
  cleanup(): Promise<void>;
}

/** What else a store can be put through besides the common tests. */
export interface KeyStoreSuiteExtras {
  /** A store whose server a test can stop and start again (a private server, a cut connection). */
  readonly outage?: () => Promise<KeyStoreWithOutage>;
}

/** A record as a careless caller might change it in place, ignoring `readonly`. */
interface RecordChangedInPlace {
  subject: string;
  roles: string[];
  scopes: string[];
  metadata: Record<string, string | number | boolean>;
}
const inPlace = (record: KeyRecord | undefined): RecordChangedInPlace => record as unknown as RecordChangedInPlace;

export { waitFor } from './wait-for.js';

/**
 * Registers the key-store conformance tests under `describe(name)`. `make` is called before each test
 * and must return an empty store; `cleanup` runs after it.
 *
 * @example
 * describeKeyStoreConformance('memoryKeyStore', async () => ({ store: memoryKeyStore(), cleanup: async () => {} }));
 */
export function describeKeyStoreConformance(name: string, make: () => Promise<KeyStoreUnderTest>, extras: KeyStoreSuiteExtras = {}): void {
  describeKeyLifecycleConformance(name, make);
  if (extras.outage === undefined) console.info(`${name}: lives in this process, so there is no server to lose; the outage tests do not apply`);
  else describeKeyStoreOutage(name, extras.outage);
  describe(`${name} (KeyStore conformance)`, () => {
    let base: KeyRecord;
    let subject: KeyStoreUnderTest;
    let store: WritableKeyStore;

    /** A distinct, valid record built from a real argon2id record. */
    const record = (overrides: Partial<KeyRecord> = {}): KeyRecord => ({ ...base, id: newKeyId(), ...overrides });

    beforeAll(async () => {
      ({ record: base } = await createApiKey({ subject: 'alice', tenantId: 'acme', roles: ['inference'], hash: { memoryCost: 1024, timeCost: 1 } }));
    });
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    it('returns what was put, and undefined for an unknown id', async () => {
      const r = record();
      await store.put(r);
      expect(await store.get(r.id)).toStrictEqual(r);
      expect(await store.get(newKeyId())).toBeUndefined();
    });

    it('replaces a record put again under the same id', async () => {
      const r = record();
      await store.put(r);
      await store.put({ ...r, subject: 'bob', roles: ['admin'] });
      expect(await store.get(r.id)).toStrictEqual({ ...r, subject: 'bob', roles: ['admin'] });
      expect(await store.list()).toHaveLength(1);
    });

    it('hands out copies: changing a record read or put does not change the store', async () => {
      const r = record({ metadata: { team: 'ml' } });
      const mine = structuredClone(r);
      await store.put(mine);
      inPlace(mine).subject = 'mallory';
      inPlace(mine).roles.push('admin');
      const read = inPlace(await store.get(r.id));
      read.roles.push('root');
      read.metadata.team = 'evil';
      inPlace((await store.list())[0]).scopes.push('everything');
      expect(await store.get(r.id)).toStrictEqual(r);
    });

    it('lists records ordered by id, optionally for one tenant', async () => {
      const acme = [record({ tenantId: 'acme' }), record({ tenantId: 'acme' }), record({ tenantId: 'acme' })];
      const { tenantId: _none, ...untenanted } = record();
      const other = record({ tenantId: 'globex' });
      for (const r of [...acme, other, untenanted]) await store.put(r);
      const byId = (a: KeyRecord, b: KeyRecord) => (a.id < b.id ? -1 : 1);
      expect(await store.list()).toStrictEqual([...acme, other, untenanted].sort(byId));
      expect(await store.list({ tenantId: 'acme' })).toStrictEqual([...acme].sort(byId));
      expect(await store.list({ tenantId: 'globex' })).toStrictEqual([other]);
      expect(await store.list({ tenantId: 'initech' })).toStrictEqual([]);
    });

    it('deletes, resolving whether the record existed', async () => {
      const r = record();
      await store.put(r);
      expect(await store.delete(r.id)).toBe(true);
      expect(await store.get(r.id)).toBeUndefined();
      expect(await store.delete(r.id)).toBe(false);
      expect(await store.list()).toStrictEqual([]);
    });

    it('tells watchers about upserts and deletes until they unsubscribe', async () => {
      expect(store.watch).toBeTypeOf('function');
      const seen: KeyChange[] = [];
      const witness: KeyChange[] = [];
      const unsubscribe = store.watch!((change) => seen.push(change));
      store.watch!((change) => witness.push(change));
      const r = record();
      await store.put(r);
      await store.delete(r.id);
      await waitFor(() => seen.length >= 2, 'an upsert and a delete event');
      expect(seen).toStrictEqual([
        { keyId: r.id, type: 'upsert' },
        { keyId: r.id, type: 'delete' },
      ]);
      unsubscribe();
      const later = record();
      await store.put(later);
      // The second listener proves the event was delivered; the first must not have had it.
      await waitFor(() => witness.some((c) => c.keyId === later.id), 'the event after unsubscribing');
      expect(seen).toHaveLength(2);
      expect(witness).toStrictEqual([...seen, { keyId: later.id, type: 'upsert' }]);
    });

    it('keeps every one of 50 concurrent writes', async () => {
      const records = Array.from({ length: 50 }, (_, i) => record({ subject: `user-${i}` }));
      await Promise.all(records.map((r) => store.put(r)));
      const listed = await store.list();
      expect(listed.map((r) => r.id)).toStrictEqual(records.map((r) => r.id).sort());
      for (const r of records) expect(await store.get(r.id)).toStrictEqual(r);
      const deleted = await Promise.all(records.slice(0, 25).map((r) => store.delete(r.id)));
      expect(deleted.every(Boolean)).toBe(true);
      expect(await store.list()).toHaveLength(25);
    });

    it('round-trips every optional field exactly', async () => {
      const full = record({
        kind: 'service',
        env: 'test',
        scopes: ['chat:write', 'embeddings'],
        models: ['gpt-4o*', 'claude-*'],
        name: 'ci pipeline',
        createdAt: '2025-01-02T03:04:05.678Z',
        expiresAt: '2031-06-30T00:00:00.000Z',
        revokedAt: '2030-12-31T23:59:59.999Z',
        metadata: { team: 'ml', cost_center: 4200, internal: true, ratio: 0.25, note: '' },
        rotatedTo: newKeyId(),
        rotatedFrom: newKeyId(),
        lastUsedAt: '2030-11-30T12:00:00Z',
      });
      const { tenantId: _t, ...bare } = record({ roles: [], scopes: [] });
      await store.put(full);
      await store.put(bare);
      expect(await store.get(full.id)).toStrictEqual(full);
      expect(await store.get(bare.id)).toStrictEqual(bare);
    });

    it('round-trips a record made by createApiKey', async () => {
      const { record: made } = await createApiKey({
        subject: 'svc-batch',
        kind: 'service',
        tenantId: 'acme',
        expiresAt: '2032-01-01T00:00:00Z',
        metadata: { owner: 'platform' },
        hash: { memoryCost: 1024, timeCost: 1 },
      });
      await store.put(made);
      expect(await store.get(made.id)).toStrictEqual(made);
    });
  });
}

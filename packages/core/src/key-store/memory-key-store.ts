// The in-memory KeyStore: the default for development, tests and single-process apps.
import type { KeyRecord } from './key-record.js';
import { applyKeyRecordPatch, latestUses, parseKeyRecordPatch, withLastUse } from './key-record-patch.js';
import { ChangeEmitter } from '../change-emitter/change-emitter.js';
import type { KeyChange, KeyListFilter, WritableKeyStore } from './key-store.js';

/** The change events of a key store. */
export class KeyChangeEmitter extends ChangeEmitter<KeyChange> {}

/**
 * Keeps key records in a Map. Records are copied in and out, so callers cannot change them in place.
 *
 * @example
 * const store = memoryKeyStore();
 * const { key, record } = await createApiKey({ subject: 'alice', tenantId: 'acme' });
 * await store.put(record);
 */
export function memoryKeyStore(initial: readonly KeyRecord[] = []): WritableKeyStore {
  const records = new Map<string, KeyRecord>();
  const changes = new KeyChangeEmitter();
  for (const record of initial) records.set(record.id, structuredClone(record));
  return {
    async get(keyId) {
      const record = records.get(keyId);
      return record === undefined ? undefined : structuredClone(record);
    },
    async put(record) {
      records.set(record.id, structuredClone(record));
      changes.emit({ keyId: record.id, type: 'upsert' });
    },
    async delete(keyId) {
      const existed = records.delete(keyId);
      if (existed) changes.emit({ keyId, type: 'delete' });
      return existed;
    },
    async list(filter: KeyListFilter = {}) {
      return [...records.values()]
        .filter((r) => filter.tenantId === undefined || r.tenantId === filter.tenantId)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((r) => structuredClone(r));
    },
    async patch(keyId, patch) {
      const checked = parseKeyRecordPatch(patch, 'memoryKeyStore.patch()');
      const record = records.get(keyId);
      if (record === undefined) return undefined;
      const next = applyKeyRecordPatch(record, checked);
      records.set(keyId, next);
      changes.emit({ keyId, type: 'upsert' });
      return structuredClone(next);
    },
    async touch(uses) {
      for (const { keyId, at } of latestUses(uses)) {
        const record = records.get(keyId);
        if (record !== undefined) records.set(keyId, withLastUse(record, at));
      }
    },
    watch: (listener) => changes.subscribe(listener),
  };
}

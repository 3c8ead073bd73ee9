// The in-memory TenantStore: the default for development, tests and single-process apps.
import type { Tenant } from '../context/principal.js';
import { parseTenantRecord } from './tenant-record-schema.js';
import { TenantChangeEmitter, byTenantId, type WritableTenantStore } from './tenant-store.js';

/**
 * Keeps tenants in a Map. Tenants are validated and copied in, and copied out, so callers cannot
 * change them in place.
 *
 * @example
 * const tenants = memoryTenantStore([{ id: 'acme', status: 'active', tier: 'pro', tags: [] }]);
 * await tenants.put({ id: 'globex', status: 'suspended', tags: ['trial'] });
 */
export function memoryTenantStore(initial: readonly Tenant[] = []): WritableTenantStore {
  const tenants = new Map<string, Tenant>();
  const changes = new TenantChangeEmitter();
  initial.forEach((tenant, index) => {
    const checked = parseTenantRecord(tenant, `memoryTenantStore initial tenants[${index}]`);
    tenants.set(checked.id, structuredClone(checked));
  });
  return {
    async get(tenantId) {
      const tenant = tenants.get(tenantId);
      return tenant === undefined ? undefined : structuredClone(tenant);
    },
    async put(tenant) {
      const checked = structuredClone(parseTenantRecord(tenant, 'memoryTenantStore.put()'));
      tenants.set(checked.id, checked);
      changes.emit({ tenantId: checked.id, type: 'upsert' });
    },
    async delete(tenantId) {
      const existed = tenants.delete(tenantId);
      if (existed) changes.emit({ tenantId, type: 'delete' });
      return existed;
    },
    async list() {
      return [...tenants.values()].sort(byTenantId).map((t) => structuredClone(t));
    },
    watch: (listener) => changes.subscribe(listener),
  };
}

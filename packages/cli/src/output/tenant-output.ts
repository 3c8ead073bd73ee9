// How tenants are printed: a table for listings, fields for one tenant.
import type { Tenant } from '@tollgate/core';
import { fieldList, listText, textTable } from './text-table.js';

/**
 * A table of tenants: id, status, tier, tags, and whether limits or a budget are set.
 *
 * @example
 * io.stdout(tenantTable(await store.list()));
 */
export function tenantTable(tenants: readonly Tenant[]): string {
  if (tenants.length === 0) return 'no tenants\n';
  return textTable(
    ['ID', 'STATUS', 'TIER', 'TAGS', 'LIMITS', 'BUDGET'],
    tenants.map((t) => [t.id, t.status, t.tier, listText(t.tags), t.limits === undefined ? undefined : JSON.stringify(t.limits), t.budget === undefined ? undefined : JSON.stringify(t.budget)]),
  );
}

/**
 * Every field of one tenant.
 *
 * @example
 * io.stdout(tenantDetails(tenant));
 */
export function tenantDetails(tenant: Tenant): string {
  return fieldList([
    ['id', tenant.id],
    ['status', tenant.status],
    ['tier', tenant.tier],
    ['tags', listText(tenant.tags)],
    ['limits', tenant.limits === undefined ? undefined : JSON.stringify(tenant.limits)],
    ['budget', tenant.budget === undefined ? undefined : JSON.stringify(tenant.budget)],
  ]);
}

// The tenant operations of the admin API: a platform operator manages every tenant, a tenant's own admin only reads its own.
import type { Principal, Tenant } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { storeCall } from '../key-lifecycle/store-call.js';
import { parseTenantRecord, tenantRecordSchema } from '../tenant-store/tenant-record-schema.js';
import type { WritableTenantStore } from '../tenant-store/tenant-store.js';
import { actingTenant } from './admin-access.js';
import { adminBody, emptyBody, tenantLimitsBody } from './admin-input.js';
import type { AdminResult } from './admin-key-handlers.js';

const notFound = (tenantId: string) => new TollgateError('TG_NOT_FOUND', { message: `No tenant with id ${JSON.stringify(tenantId)}.`, detail: { tenant_id: tenantId } });

/** A tenant's record, or the same "not found" for a missing tenant and for one the caller may not see. */
async function visibleTenant(tenants: WritableTenantStore, acting: string | undefined, tenantId: string): Promise<Tenant> {
  if (acting !== undefined && tenantId !== acting) throw notFound(tenantId);
  const tenant = await storeCall(() => tenants.get(tenantId));
  if (tenant === undefined) throw notFound(tenantId);
  return tenant;
}

/** Validates a tenant as the stores do; a mistake is a 400 naming the field. */
function checkedTenant(value: unknown): Tenant {
  try {
    return parseTenantRecord(value, 'the request body');
  } catch (error) {
    throw new TollgateError('TG_INVALID_REQUEST', { message: (error as ConfigError).message });
  }
}

/** Only a platform operator (a credential without a tenant) changes tenants: a tenant cannot lift its own suspension or limits. */
function assertPlatform(acting: string | undefined): void {
  if (acting !== undefined) throw new TollgateError('TG_TENANT_MISMATCH', { message: 'Only a credential without a tenant (a platform operator) may change tenants.' });
}

/**
 * Runs one tenant operation for a caller already permitted `admin:tenants`.
 *
 * @example
 * const result = await runTenantOperation('tenants.suspend', 'acme', context, principal, tenants);
 */
export async function runTenantOperation(operation: string, id: string | undefined, context: TgContext, principal: Principal, tenants: WritableTenantStore, parsed?: { readonly value: unknown }): Promise<AdminResult> {
  const acting = actingTenant(context, principal);
  switch (operation) {
    case 'tenants.list': {
      const all = await storeCall(() => tenants.list());
      return { status: 200, body: { object: 'list', data: acting === undefined ? all : all.filter((t) => t.id === acting) } };
    }
    case 'tenants.show':
      return { status: 200, body: await visibleTenant(tenants, acting, id!) };
    case 'tenants.create': {
      assertPlatform(acting);
      const tenant = await adminBody(context, tenantRecordSchema, parsed);
      if ((await storeCall(() => tenants.get(tenant.id))) !== undefined) throw new TollgateError('TG_CONFLICT', { message: `Tenant ${JSON.stringify(tenant.id)} exists already.` });
      await storeCall(() => tenants.put(tenant));
      return { status: 201, body: tenant };
    }
    case 'tenants.suspend':
    case 'tenants.resume': {
      assertPlatform(acting);
      await adminBody(context, emptyBody, parsed);
      const tenant = await visibleTenant(tenants, acting, id!);
      const next: Tenant = { ...tenant, status: operation === 'tenants.suspend' ? 'suspended' : 'active' };
      await storeCall(() => tenants.put(next));
      return { status: 200, body: next };
    }
    case 'tenants.setLimits': {
      assertPlatform(acting);
      const body = await adminBody(context, tenantLimitsBody, parsed);
      const { limits, budget, ...rest } = await visibleTenant(tenants, acting, id!);
      const nextLimits = body.limits === undefined ? limits : (body.limits ?? undefined);
      const nextBudget = body.budget === undefined ? budget : (body.budget ?? undefined);
      const next = checkedTenant({ ...rest, ...(nextLimits === undefined ? {} : { limits: nextLimits }), ...(nextBudget === undefined ? {} : { budget: nextBudget }) });
      await storeCall(() => tenants.put(next));
      return { status: 200, body: next };
    }
    default:
      throw new TollgateError('TG_INTERNAL', { message: `unknown tenant operation ${operation}` });
  }
}

// Config section `resolveTenant`: the tenant header, who may act for several tenants, the cache and timeouts.
import { z } from 'zod';
import type { ResolveTenantOptions } from '../../resolve-tenant/resolve-tenant.js';
import type { TenantStore } from '../../tenant-store/tenant-store.js';
import { headerNameField, wholeNumberField } from '../config-fields.js';

const names = z.array(z.string().min(1, { error: 'must not be empty' }));

/** How requests are tied to tenants; needs a `tenants` section. The limits are resolveTenant()'s own. */
export const resolveTenantSchema = z.strictObject({
  /** Header a multi-tenant principal names its tenant in; `false` ignores it. @default 'x-tenant-id' */
  header: z.union([z.literal(false), headerNameField], { error: 'must be a header name or false' }).optional(),
  /** Who may act for tenants other than their own. @default nobody */
  multiTenant: z.strictObject({ roles: names.optional(), scopes: names.optional(), claim: z.string().min(1, { error: 'must not be empty' }).optional() }).optional(),
  /** Refuse principals without a tenant. @default true */
  required: z.boolean().optional(),
  cache: z.strictObject({ ttlMs: wholeNumberField(1, 3_600_000).optional(), maxEntries: wholeNumberField(1, 10_000_000).optional() }).optional(),
  storeTimeoutMs: wholeNumberField(1, 60_000).optional(),
});

export type ResolveTenantConfig = z.infer<typeof resolveTenantSchema>;

/**
 * The options of resolveTenant() for a validated section and a built store: every field given, none
 * invented, in fresh objects.
 *
 * @example
 * toResolveTenantOptions({ header: 'x-org' }, store) // { store, header: 'x-org' }
 */
export function toResolveTenantOptions(config: ResolveTenantConfig, store: TenantStore): ResolveTenantOptions {
  const multi = config.multiTenant;
  return {
    store,
    ...(config.header === undefined ? {} : { header: config.header }),
    ...(multi === undefined
      ? {}
      : {
          multiTenant: {
            ...(multi.roles === undefined ? {} : { roles: [...multi.roles] }),
            ...(multi.scopes === undefined ? {} : { scopes: [...multi.scopes] }),
            ...(multi.claim === undefined ? {} : { claim: multi.claim }),
          },
        }),
    ...(config.required === undefined ? {} : { required: config.required }),
    ...(config.cache === undefined ? {} : { cache: { ...config.cache } }),
    ...(config.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: config.storeTimeoutMs }),
  };
}

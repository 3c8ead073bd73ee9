// Builds resolveTenant and authorize from the `tenants`, `resolveTenant` and `authorize` sections, releasing what it built on failure.
import type { ModelLookup } from '../../authorize/fallback-model.js';
import type { ClosableStep } from '../../gate.js';
import { resolveTenant } from '../../resolve-tenant/resolve-tenant.js';
import type { ConfigPath } from '../config-path.js';
import type { TollgateConfig } from '../config-schema.js';
import { buildAuthorizeStep } from './authorize.js';
import { toResolveTenantOptions } from './resolve-tenant.js';
import { storeErrorPath, type StorePackageFinder } from './remote-store.js';
import { buildTenantStore } from './tenants.js';

/** The steps these sections describe; absent sections give absent steps. */
export interface TenantAndPolicySteps {
  readonly resolveTenant?: ClosableStep;
  readonly authorize?: ClosableStep;
}

/**
 * A `tenants` section turns resolveTenant on (with the `resolveTenant` section's options, if any); a
 * `resolveTenant` section without `tenants` is a mistake. The step owns the store it built and closes
 * it on `close()`; its `ready()` waits for a Redis or Postgres store to connect. `fail` reports a build
 * error at a path from the config root.
 *
 * @example
 * const { resolveTenant, authorize } = buildTenantAndPolicySteps(config, baseDir, fail, storePackageFinder(baseDir, undefined));
 */
export function buildTenantAndPolicySteps(
  config: TollgateConfig,
  baseDir: string,
  fail: (path: ConfigPath, error: unknown) => never,
  findPackage: StorePackageFinder,
  models?: ModelLookup,
): TenantAndPolicySteps {
  if (config.resolveTenant !== undefined && config.tenants === undefined) {
    return fail(['resolveTenant'], new Error('needs a "tenants" section saying where tenants are stored'));
  }
  let tenantStep: ClosableStep | undefined;
  if (config.tenants !== undefined) {
    let store: ReturnType<typeof buildTenantStore>;
    try {
      store = buildTenantStore(config.tenants, baseDir, findPackage);
    } catch (error) {
      return fail(['tenants', ...storeErrorPath(config.tenants.store.type)], error);
    }
    const step = resolveTenant(toResolveTenantOptions(config.resolveTenant ?? {}, store));
    tenantStep = {
      ...step,
      ready: async () => store.ready?.(),
      async close() {
        await step.close();
        await store.close?.();
      },
    };
  }
  if (config.authorize === undefined) return tenantStep === undefined ? {} : { resolveTenant: tenantStep };
  try {
    const authorizeStep = buildAuthorizeStep(config.authorize, baseDir, (path, error) => fail(['authorize', ...path], error), models);
    return { ...(tenantStep === undefined ? {} : { resolveTenant: tenantStep }), authorize: authorizeStep };
  } catch (error) {
    void tenantStep?.close?.().catch(() => undefined);
    throw error;
  }
}

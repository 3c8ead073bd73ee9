// `tollgate tenants create` and `tollgate tenants list`.
import { parseTenantRecord, TollgateError, type Tenant } from '@tollgate/core';
import { exitCodes, parseCommandArgs, UsageError, type CliCommand } from '../command.js';
import { tenantDetails, tenantTable } from '../output/tenant-output.js';
import { openTenantStore } from '../stores/open-stores.js';
import { withStore } from '../stores/store-command.js';
import { storeLocation, storeOptions, storeUsage } from '../stores/store-location.js';
import { jsonObjectOption } from './json-option.js';

const createUsage = `Usage: tollgate tenants create <tenant id> [--tier NAME] [--tag T]... [--limits JSON|@file] [--budget JSON|@file] [--suspended] [--json]

Adds a tenant. Ids are 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit.

  --tier NAME       the tenant's tier
  --tag T           a tag (repeat)
  --limits JSON     per-tenant limits, as docs/rate-limits.md describes (inline JSON or @file)
  --budget JSON     e.g. '{"usd": 500}' (inline JSON or @file)
  --suspended       create it suspended
${storeUsage('TOLLGATE_TENANT_STORE', 'tenants.yaml')}

Exit codes: 0 created; 1 the tenant exists already; 2 bad arguments; 4 the store could not be reached.
`;

export const tenantsCreateCommand: CliCommand = {
  path: ['tenants', 'create'],
  summary: 'add a tenant',
  usage: createUsage,
  async run(args, io) {
    const { positionals, values } = parseCommandArgs({
      args: [...args],
      allowPositionals: true,
      options: { ...storeOptions, tier: { type: 'string' }, tag: { type: 'string', multiple: true }, limits: { type: 'string' }, budget: { type: 'string' }, suspended: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UsageError('name exactly one tenant id');
    const draft = {
      id: positionals[0],
      status: values.suspended === true ? 'suspended' : 'active',
      tags: values.tag ?? [],
      ...(values.tier === undefined ? {} : { tier: values.tier }),
      ...(values.limits === undefined ? {} : { limits: jsonObjectOption(values.limits, '--limits', io) }),
      ...(values.budget === undefined ? {} : { budget: jsonObjectOption(values.budget, '--budget', io) }),
    };
    const tenant: Tenant = parseTenantRecord(draft, 'the command line');
    const location = storeLocation(values.store, io, 'TOLLGATE_TENANT_STORE');
    return withStore(io, 'tenants create', location, () => openTenantStore(location, values), async (store) => {
      if ((await store.get(tenant.id)) !== undefined) throw new TollgateError('TG_CONFLICT', { message: `tenant ${JSON.stringify(tenant.id)} exists already; use tenants set-limits, suspend or resume to change it` });
      await store.put(tenant);
      io.stdout(values.json === true ? `${JSON.stringify(tenant, null, 2)}\n` : `Created tenant ${tenant.id}.\n${tenantDetails(tenant)}`);
      return exitCodes.ok;
    });
  },
};

const listUsage = `Usage: tollgate tenants list [--status active|suspended] [--json]

Lists tenants ordered by id, with status, tier, tags, limits and budget.

  --status STATUS   only active or only suspended tenants
${storeUsage('TOLLGATE_TENANT_STORE', 'tenants.yaml')}

Exit codes: 0 listed; 2 bad arguments; 4 the store could not be reached.
`;

export const tenantsListCommand: CliCommand = {
  path: ['tenants', 'list'],
  summary: 'list tenants',
  usage: listUsage,
  async run(args, io) {
    const { values } = parseCommandArgs({ args: [...args], allowPositionals: false, options: { ...storeOptions, status: { type: 'string' } } });
    if (values.status !== undefined && values.status !== 'active' && values.status !== 'suspended') throw new UsageError(`--status must be active or suspended; got ${JSON.stringify(values.status)}`);
    const location = storeLocation(values.store, io, 'TOLLGATE_TENANT_STORE');
    return withStore(io, 'tenants list', location, () => openTenantStore(location, values), async (store) => {
      const tenants = (await store.list()).filter((t) => values.status === undefined || t.status === values.status);
      io.stdout(values.json === true ? `${JSON.stringify(tenants, null, 2)}\n` : tenantTable(tenants));
      return exitCodes.ok;
    });
  },
};

// `tollgate tenants suspend|resume|set-limits`: changes that every instance watching the store applies at once.
import { parseTenantRecord, TollgateError, type Tenant, type WritableTenantStore } from '@tollgate/core';
import { exitCodes, parseCommandArgs, UsageError, type CliCommand, type CliIo } from '../command.js';
import { tenantDetails } from '../output/tenant-output.js';
import { openTenantStore } from '../stores/open-stores.js';
import { withStore } from '../stores/store-command.js';
import { storeLocation, storeOptions, storeUsage } from '../stores/store-location.js';
import { jsonObjectOption } from './json-option.js';

const exitText = 'Exit codes: 0 changed; 1 no such tenant; 2 bad arguments; 4 the store could not be reached.';

/** Reads a tenant, applies `change`, validates and writes it back, and prints it. */
async function changeTenant(io: CliIo, command: string, args: readonly string[], extra: Record<string, { type: 'string' | 'boolean' }>, change: (tenant: Tenant, values: Record<string, unknown>) => Record<string, unknown>, done: string): Promise<number> {
  const { positionals, values } = parseCommandArgs({ args: [...args], allowPositionals: true, options: { ...storeOptions, ...extra } });
  if (positionals.length !== 1) throw new UsageError('name exactly one tenant id');
  const tenantId = positionals[0]!;
  const location = storeLocation(values.store as string | undefined, io, 'TOLLGATE_TENANT_STORE');
  const settings = { prefix: values.prefix as string | undefined, schema: values.schema as string | undefined };
  return withStore(io, `tenants ${command}`, location, () => openTenantStore(location, settings), async (store: WritableTenantStore) => {
    const tenant = await store.get(tenantId);
    if (tenant === undefined) throw new TollgateError('TG_NOT_FOUND', { message: `no tenant with id ${JSON.stringify(tenantId)}` });
    const next = parseTenantRecord(change(tenant, values), 'the command line');
    await store.put(next);
    io.stdout(values.json === true ? `${JSON.stringify(next, null, 2)}\n` : `${done.replace('%s', next.id)}\n${tenantDetails(next)}`);
    return exitCodes.ok;
  });
}

export const tenantsSuspendCommand: CliCommand = {
  path: ['tenants', 'suspend'],
  summary: 'suspend a tenant: its requests are refused (403) on every instance',
  usage: `Usage: tollgate tenants suspend <tenant id> [--json]\n\nSuspends a tenant; resolveTenant refuses its requests with 403 TG_TENANT_SUSPENDED.\n\n${storeUsage('TOLLGATE_TENANT_STORE', 'tenants.yaml')}\n\n${exitText}\n`,
  run: (args, io) => changeTenant(io, 'suspend', args, {}, (tenant) => ({ ...tenant, status: 'suspended' }), 'Suspended tenant %s.'),
};

export const tenantsResumeCommand: CliCommand = {
  path: ['tenants', 'resume'],
  summary: 'make a suspended tenant active again',
  usage: `Usage: tollgate tenants resume <tenant id> [--json]\n\nMakes a suspended tenant active again.\n\n${storeUsage('TOLLGATE_TENANT_STORE', 'tenants.yaml')}\n\n${exitText}\n`,
  run: (args, io) => changeTenant(io, 'resume', args, {}, (tenant) => ({ ...tenant, status: 'active' }), 'Resumed tenant %s.'),
};

const setLimitsUsage = `Usage: tollgate tenants set-limits <tenant id> [--limits JSON|@file] [--budget JSON|@file] [--clear-limits] [--clear-budget] [--json]

Replaces a tenant's limits and/or budget (docs/rate-limits.md describes their fields); what is not
named stays as it is. rateLimit reads them with the next request of the tenant, on every instance.

  --limits JSON     the new limits, e.g. '{"requestsPerMinute": 120}' (inline JSON or @file)
  --budget JSON     the new budget, e.g. '{"usd": 500}' (inline JSON or @file)
  --clear-limits    remove the tenant's limits (the configured rules apply)
  --clear-budget    remove the tenant's budget
${storeUsage('TOLLGATE_TENANT_STORE', 'tenants.yaml')}

${exitText}
`;

export const tenantsSetLimitsCommand: CliCommand = {
  path: ['tenants', 'set-limits'],
  summary: "replace a tenant's limits or budget",
  usage: setLimitsUsage,
  async run(args, io) {
    const extra = { limits: { type: 'string' }, budget: { type: 'string' }, 'clear-limits': { type: 'boolean' }, 'clear-budget': { type: 'boolean' } } as const;
    return changeTenant(
      io,
      'set-limits',
      args,
      extra,
      (tenant, values) => {
        if (values['limits'] !== undefined && values['clear-limits'] === true) throw new UsageError('give --limits or --clear-limits, not both');
        if (values['budget'] !== undefined && values['clear-budget'] === true) throw new UsageError('give --budget or --clear-budget, not both');
        if ([values['limits'], values['budget'], values['clear-limits'], values['clear-budget']].every((v) => v === undefined)) throw new UsageError('nothing to change: give --limits, --budget, --clear-limits or --clear-budget');
        const { limits, budget, ...rest } = tenant;
        const nextLimits = values['clear-limits'] === true ? undefined : values['limits'] === undefined ? limits : jsonObjectOption(values['limits'] as string, '--limits', io);
        const nextBudget = values['clear-budget'] === true ? undefined : values['budget'] === undefined ? budget : jsonObjectOption(values['budget'] as string, '--budget', io);
        return { ...rest, ...(nextLimits === undefined ? {} : { limits: nextLimits }), ...(nextBudget === undefined ? {} : { budget: nextBudget }) };
      },
      'Set the limits of tenant %s.',
    );
  },
};

// `tollgate keys list` and `tollgate keys show`: what keys exist and their state; never a secret, never a hash.
import { keyStatus, keyView, type KeyStatus } from '@tollgate/core';
import { exitCodes, parseCommandArgs, UsageError, type CliCommand } from '../command.js';
import { keyDetails, keyTable } from '../output/key-output.js';
import { openKeyStore } from '../stores/open-stores.js';
import { withStore } from '../stores/store-command.js';
import { storeLocation, storeOptions, storeUsage } from '../stores/store-location.js';

const statuses: readonly KeyStatus[] = ['active', 'rotating', 'expired', 'revoked'];

const listUsage = `Usage: tollgate keys list [--tenant ID] [--status active|rotating|expired|revoked] [--json]

Lists keys ordered by id: id, tenant, subject, kind, status, expiry, last use and name. Secrets are
never stored, and hashes are never printed.

  --tenant ID       only this tenant's keys
  --status STATUS   only keys in this state (rotating: replaced, inside the grace period)
${storeUsage('TOLLGATE_KEY_STORE', 'keys.yaml')}

Exit codes: 0 listed; 2 bad arguments; 4 the store could not be reached.
`;

export const keysListCommand: CliCommand = {
  path: ['keys', 'list'],
  summary: 'list keys (never secrets or hashes), optionally for one tenant',
  usage: listUsage,
  async run(args, io) {
    const { values } = parseCommandArgs({ args: [...args], allowPositionals: false, options: { ...storeOptions, tenant: { type: 'string' }, status: { type: 'string' } } });
    const status = values.status as KeyStatus | undefined;
    if (status !== undefined && !statuses.includes(status)) throw new UsageError(`--status must be one of ${statuses.join(', ')}; got ${JSON.stringify(status)}`);
    const location = storeLocation(values.store, io, 'TOLLGATE_KEY_STORE');
    return withStore(io, 'keys list', location, () => openKeyStore(location, values), async (store) => {
      const now = Date.now();
      const records = await store.list(values.tenant === undefined ? {} : { tenantId: values.tenant });
      const views = records.filter((r) => status === undefined || keyStatus(r, now) === status).map((r) => keyView(r, now));
      io.stdout(values.json === true ? `${JSON.stringify(views, null, 2)}\n` : keyTable(views));
      return exitCodes.ok;
    });
  },
};

const showUsage = `Usage: tollgate keys show <key id> [--json]

Shows one key's record without its hash: identity, roles, scopes, models, dates, rotation and last use.

${storeUsage('TOLLGATE_KEY_STORE', 'keys.yaml')}

Exit codes: 0 shown; 1 no such key; 2 bad arguments; 4 the store could not be reached.
`;

export const keysShowCommand: CliCommand = {
  path: ['keys', 'show'],
  summary: 'show one key (never its secret or hash)',
  usage: showUsage,
  async run(args, io) {
    const { positionals, values } = parseCommandArgs({ args: [...args], allowPositionals: true, options: storeOptions });
    if (positionals.length !== 1) throw new UsageError('name exactly one key id');
    const keyId = positionals[0]!;
    const location = storeLocation(values.store, io, 'TOLLGATE_KEY_STORE');
    return withStore(io, 'keys show', location, () => openKeyStore(location, values), async (store) => {
      const record = await store.get(keyId);
      if (record === undefined) {
        io.stderr(`tollgate keys show: no key with id ${JSON.stringify(keyId)}\n`);
        return exitCodes.failed;
      }
      const view = keyView(record);
      io.stdout(values.json === true ? `${JSON.stringify(view, null, 2)}\n` : keyDetails(view));
      return exitCodes.ok;
    });
  },
};

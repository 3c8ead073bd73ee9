// `tollgate keys rotate` and `tollgate keys revoke`: a new secret with a grace period for the old one, or an immediate stop.
import { keyView, revokeKey, rotateKey } from '@tollgate/core';
import { exitCodes, parseCommandArgs, UsageError, type CliCommand } from '../command.js';
import { durationSeconds, expiryInstant } from '../output/duration.js';
import { keyDetails, printNewKey } from '../output/key-output.js';
import { openKeyStore } from '../stores/open-stores.js';
import { withStore } from '../stores/store-command.js';
import { storeLocation, storeOptions, storeUsage } from '../stores/store-location.js';

const rotateUsage = `Usage: tollgate keys rotate <key id> [--grace 24h] [--expires 90d|DATE] [--json]

Issues a new key with the same subject, kind, tenant, roles, scopes, models and name, prints it once,
and lets the old key work until the grace period ends; then it is refused. Every instance watching the
store applies the new expiry at once.

  --grace DURATION  how long the old key keeps working: 0, 30m, 24h, 7d (default: 24h; at most 90d)
  --expires WHEN    expiry of the new key (default: the old key's)
${storeUsage('TOLLGATE_KEY_STORE', 'keys.yaml')}

Exit codes: 0 rotated; 1 no such key, or it is revoked, expired or already rotated; 2 bad arguments;
4 the store could not be reached.
`;

export const keysRotateCommand: CliCommand = {
  path: ['keys', 'rotate'],
  summary: 'issue a replacement key (printed once); the old one works for a grace period',
  usage: rotateUsage,
  async run(args, io) {
    const { positionals, values } = parseCommandArgs({ args: [...args], allowPositionals: true, options: { ...storeOptions, grace: { type: 'string' }, expires: { type: 'string' } } });
    if (positionals.length !== 1) throw new UsageError('name exactly one key id');
    const graceSeconds = values.grace === undefined ? undefined : durationSeconds(values.grace, '--grace');
    if (graceSeconds !== undefined && graceSeconds > 90 * 86_400) throw new UsageError('--grace must be at most 90d');
    const expiresAt = values.expires === undefined ? undefined : expiryInstant(values.expires, Date.now());
    const location = storeLocation(values.store, io, 'TOLLGATE_KEY_STORE');
    return withStore(io, 'keys rotate', location, () => openKeyStore(location, values), async (store) => {
      const rotated = await rotateKey(store, positionals[0]!, { ...(graceSeconds === undefined ? {} : { graceSeconds }), ...(expiresAt === undefined ? {} : { expiresAt }) });
      const until = rotated.previous.expiresAt ?? 'now';
      printNewKey(io, rotated.key, keyView(rotated.record), values.json === true, `Rotated key ${rotated.previous.id} to ${rotated.record.id}; the old key works until ${until}.`);
      return exitCodes.ok;
    });
  },
};

const revokeUsage = `Usage: tollgate keys revoke <key id> [--json]

Revokes a key now. The record stays (listings and audits still show it) with revokedAt set; every
instance watching the store drops its cached verifications of the key at once. Revoking twice is
harmless and keeps the first time.

${storeUsage('TOLLGATE_KEY_STORE', 'keys.yaml')}

Exit codes: 0 revoked; 1 no such key; 2 bad arguments; 4 the store could not be reached.
`;

export const keysRevokeCommand: CliCommand = {
  path: ['keys', 'revoke'],
  summary: 'revoke a key now, on every instance',
  usage: revokeUsage,
  async run(args, io) {
    const { positionals, values } = parseCommandArgs({ args: [...args], allowPositionals: true, options: storeOptions });
    if (positionals.length !== 1) throw new UsageError('name exactly one key id');
    const location = storeLocation(values.store, io, 'TOLLGATE_KEY_STORE');
    return withStore(io, 'keys revoke', location, () => openKeyStore(location, values), async (store) => {
      const view = keyView(await revokeKey(store, positionals[0]!));
      io.stdout(values.json === true ? `${JSON.stringify(view, null, 2)}\n` : `Revoked key ${view.id} at ${view.revokedAt}.\n${keyDetails(view)}`);
      return exitCodes.ok;
    });
  },
};

// `tollgate keys create`: issues a personal or service key into a store and prints it once.
import { issueKey, keyView, type CreateApiKeyOptions } from '@tollgate/core';
import { exitCodes, parseCommandArgs, UsageError, type CliCommand } from '../command.js';
import { expiryInstant } from '../output/duration.js';
import { printNewKey } from '../output/key-output.js';
import { openKeyStore } from '../stores/open-stores.js';
import { withStore } from '../stores/store-command.js';
import { storeLocation, storeOptions, storeUsage } from '../stores/store-location.js';

const usage = `Usage: tollgate keys create --subject ID [--tenant ID] [--kind user|service] [--role R]... [--scope S]...
                            [--model PATTERN]... [--name TEXT] [--env live] [--expires 90d|DATE] [--meta K=V]...

Issues an API key and stores only its argon2id hash. The key is printed once (stdout; the warning goes
to stderr) and cannot be shown again: rotate it if it is lost.

  --subject ID      who the key acts as: a user id, or a service name for --kind service
  --tenant ID       the tenant the key belongs to
  --kind KIND       user (a personal key, the default) or service (a service account)
  --role, --scope   roles and scopes the key carries (repeat the option for several)
  --model PATTERN   models the key may use (repeat; * is a wildcard); without it the policy decides
  --name TEXT       a label, e.g. "ci pipeline"
  --env NAME        the key's environment, the <env> in tg_<env>_… (default: live)
  --expires WHEN    a duration from now (90d, 12h) or an ISO 8601 date
  --meta K=V        a non-secret attribute (repeat)
${storeUsage('TOLLGATE_KEY_STORE', 'keys.yaml')}

Exit codes: 0 created; 2 bad arguments; 4 the store could not be reached.
`;

function metadataOf(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--meta must be KEY=VALUE; got ${JSON.stringify(pair)}`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}

export const keysCreateCommand: CliCommand = {
  path: ['keys', 'create'],
  summary: 'issue an API key (printed once) into a key store',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        ...storeOptions,
        subject: { type: 'string' },
        tenant: { type: 'string' },
        kind: { type: 'string' },
        role: { type: 'string', multiple: true },
        scope: { type: 'string', multiple: true },
        model: { type: 'string', multiple: true },
        name: { type: 'string' },
        env: { type: 'string' },
        expires: { type: 'string' },
        meta: { type: 'string', multiple: true },
      },
    });
    if (values.subject === undefined) throw new UsageError('--subject is required');
    if (values.kind !== undefined && values.kind !== 'user' && values.kind !== 'service') throw new UsageError(`--kind must be user or service; got ${JSON.stringify(values.kind)}`);
    const metadata = metadataOf(values.meta ?? []);
    const options: CreateApiKeyOptions = {
      subject: values.subject,
      roles: values.role ?? [],
      scopes: values.scope ?? [],
      ...(values.kind === undefined ? {} : { kind: values.kind }),
      ...(values.tenant === undefined ? {} : { tenantId: values.tenant }),
      ...(values.model === undefined ? {} : { models: values.model }),
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.env === undefined ? {} : { env: values.env }),
      ...(values.expires === undefined ? {} : { expiresAt: expiryInstant(values.expires, Date.now()) }),
      ...(metadata === undefined ? {} : { metadata }),
    };
    const location = storeLocation(values.store, io, 'TOLLGATE_KEY_STORE');
    return withStore(io, 'keys create', location, () => openKeyStore(location, values), async (store) => {
      const { key, record } = await issueKey(store, options);
      const owner = record.kind === 'service' ? `service account ${record.subject}` : record.subject;
      printNewKey(io, key, keyView(record), values.json === true, `Created key ${record.id} for ${owner}${record.tenantId === undefined ? '' : ` in tenant ${record.tenantId}`}.`);
      return exitCodes.ok;
    });
  },
};

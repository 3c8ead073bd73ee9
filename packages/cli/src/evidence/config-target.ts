// The evidence target of an app configured by a tollgate config file: a quiet gate and a key for this run only.
import { createApiKey, gate, loadConfig, type ApiKeyMethod, type Gate, type InferenceLogOptions, type Step, type WritableKeyStore } from '@tollgate/core';
import type { EvidenceTarget } from './evidence-target.js';

/** Options of {@link configuredEvidenceTarget}. */
export interface ConfiguredTargetOptions {
  /** The tollgate config file the app runs with (what `loadConfig` reads). */
  readonly configPath: string;
  /** Builds the app, not listening, around the gate made from the config file. */
  readonly app: (gate: Gate) => unknown;
  /** Who the run's key acts as. @default subject 'tollgate-evidence', no roles */
  readonly key: { readonly tenantId: string; readonly subject?: string; readonly roles?: readonly string[] };
  /** The authenticated sample request. @default the first inference route, with a minimal chat body */
  readonly sampleRequest?: EvidenceTarget['sampleRequest'];
  /** More paths of inference routes. */
  readonly inferenceRoutes?: EvidenceTarget['inferenceRoutes'];
  /** Releases what the app uses besides the gate (an upstream stub, a database pool). */
  readonly close?: () => unknown;
}

function writableKeyStore(methods: readonly { name: string }[], configPath: string): WritableKeyStore {
  const keyMethod = methods.find((m): m is ApiKeyMethod => m.name === 'api_key');
  const store = keyMethod?.store as Partial<WritableKeyStore> | undefined;
  if (typeof store?.put !== 'function' || typeof store.delete !== 'function') {
    throw new Error(`${configPath}: the evidence run needs an apiKey method whose store it can add its key to (memory, file, Redis or Postgres)`);
  }
  return store as WritableKeyStore;
}

/**
 * An evidence target for an app whose tollgate options come from a config file. The gate is built
 * from the file with its inference records going only to the run (they are not also written to the
 * file's sinks); a key for the run (environment `test`, expiring within the hour) is added to the
 * API-key store of the file and deleted by `close()`; the configuration is written out redacted.
 *
 * @example
 * // src/evidence.ts
 * export default () => configuredEvidenceTarget({
 *   configPath: './tollgate.yaml',
 *   app: (tg) => createGatewayApp({ gate: tg }),
 *   key: { tenantId: 'demo', subject: 'evidence-user', roles: ['developer'] },
 * });
 */
export async function configuredEvidenceTarget(options: ConfiguredTargetOptions): Promise<EvidenceTarget> {
  const config = loadConfig(options.configPath);
  const store = writableKeyStore(config.authenticate.methods, options.configPath);
  const log = config.inferenceLog;
  // Records still reach the log's subscribers (the evidence command is one).
  const quietLog = log !== undefined && typeof (log as Partial<Step>).run === 'function' ? log : { ...(log as InferenceLogOptions | undefined), sinks: [] };
  const tg = gate({ ...config, inferenceLog: quietLog });
  const { key, record } = await createApiKey({
    subject: options.key.subject ?? 'tollgate-evidence',
    tenantId: options.key.tenantId,
    roles: options.key.roles ?? [],
    env: 'test',
    name: 'tollgate evidence',
    // A key that outlives a crashed run in a persistent store still stops working soon.
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  await store.put(record);
  const close = async (): Promise<void> => {
    await store.delete(record.id);
    await Promise.all([tg.close(), options.close?.()]);
  };
  let app: unknown;
  try {
    app = await options.app(tg);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    app,
    credential: { value: key },
    ...(options.sampleRequest === undefined ? {} : { sampleRequest: options.sampleRequest }),
    ...(options.inferenceRoutes === undefined ? {} : { inferenceRoutes: options.inferenceRoutes }),
    authConfig: { config_file: options.configPath, options: config },
    close,
  };
}

// What `tollgate evidence` loads: this app with its own config, a demo key, the upstream, and no log output.
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createApiKey, gate, loadConfig, type ApiKeyMethod, type InferenceLogOptions, type WritableKeyStore } from '@tollgate/core';
import { createGatewayApp } from './app.js';
import { connectUpstream } from './upstream.js';

/**
 * The evidence target of the example (see docs/evidence.md): the app as server.ts builds it, a
 * demo key for the authenticated sample request, and a sample request the stub upstream answers.
 * Run it with `pnpm evidence` (or `tollgate evidence src/evidence.ts`).
 */
export default async function evidence() {
  const configPath = process.env['TOLLGATE_CONFIG'] || fileURLToPath(new URL('../tollgate.yaml', import.meta.url));
  const options = loadConfig(configPath);
  // Records still reach the log's subscribers (the evidence command is one); here they are not also printed.
  const tg = gate({ ...options, inferenceLog: { ...(options.inferenceLog as InferenceLogOptions | undefined), sinks: [] } });
  const upstream = await connectUpstream();
  const keyMethod = options.authenticate.methods.find((m): m is ApiKeyMethod => m.name === 'api_key');
  const store = keyMethod?.store as Partial<WritableKeyStore> | undefined;
  if (typeof store?.put !== 'function') throw new Error(`${configPath}: the evidence run needs an apiKey method with a memory or file store to add its demo key to`);
  const { key, record } = await createApiKey({ subject: 'evidence-user', tenantId: 'demo', roles: ['developer'], env: 'test', name: 'tollgate evidence' });
  await store.put(record);
  const app = createGatewayApp({ gate: tg, openai: upstream.client, logger: pino({ level: 'silent' }) });
  return {
    app,
    credential: { value: key },
    sampleRequest: { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'evidence sample' }] } },
    authConfig: { config_file: configPath, options },
    async close() {
      await store.delete?.(record.id);
      await Promise.all([tg.close(), upstream.stub?.close()]);
    },
  };
}

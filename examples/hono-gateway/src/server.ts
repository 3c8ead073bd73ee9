// Starts the example gateway: config from TOLLGATE_CONFIG, upstream from OPENAI_BASE_URL or the stub, a demo key.
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { createApiKey, gate, loadConfig, type ApiKeyMethod, type WritableKeyStore } from '@tollgate/core';
import { createGatewayApp } from './app.js';
import { connectUpstream } from './upstream.js';

const logger = pino({ name: 'hono-gateway', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
const ownConfig = fileURLToPath(new URL('../tollgate.yaml', import.meta.url));
const configPath = process.env['TOLLGATE_CONFIG'] || ownConfig;
const options = loadConfig(configPath);
const tg = gate({ ...options, onError: (error, requestId) => logger.error({ request_id: requestId, code: error.code, cause: String(error.cause) }, 'tollgate error') });
const upstream = await connectUpstream();

const app = createGatewayApp({ gate: tg, openai: upstream.client, logger });
const host = process.env['HOST'] ?? '127.0.0.1';
// @hono/node-server: on Node the adapter also sees duplicated headers, the socket address and the TLS peer.
const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
  const started = serve({ fetch: app.fetch, port: Number(process.env['PORT'] ?? 8080), hostname: host }, (info) => resolve({ server: started, port: info.port }));
});
const base = `http://${host}:${port}`;
logger.info({ url: base, config: configPath, upstream: upstream.stub ? 'built-in stub' : 'OPENAI_BASE_URL' }, 'listening');
if (upstream.stub) logger.warn('No OPENAI_BASE_URL set: answering with the built-in deterministic stub upstream.');

// DECIDE: a demo key for the example's own in-memory store; with your own config set TOLLGATE_DEMO_KEY=1 to get one.
const wantsDemoKey = process.env['TOLLGATE_DEMO_KEY'] === '1' || (process.env['TOLLGATE_DEMO_KEY'] !== '0' && configPath === ownConfig);
const keyMethod = options.authenticate.methods.find((m): m is ApiKeyMethod => m.name === 'api_key');
const store = keyMethod?.store as Partial<WritableKeyStore> | undefined;
if (wantsDemoKey && typeof store?.put === 'function') {
  const { key, record } = await createApiKey({ subject: 'demo-user', tenantId: 'demo', roles: ['developer'], env: 'test', name: 'demo key' });
  await store.put(record);
  // Printed on purpose, once, for the person who started the example; it is not a log record.
  process.stdout.write(
    [
      '',
      '  tollgate example gateway (Hono)',
      `  demo API key (shown once): ${key}`,
      '',
      `  curl ${base}/v1/chat/completions \\`,
      `    -H "Authorization: Bearer ${key}" -H "content-type: application/json" \\`,
      `    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`,
      '',
    ].join('\n') + '\n',
  );
}

const shutdown = () => {
  server.close(() => {
    void Promise.all([tg.close(), upstream.stub?.close()]).then(() => process.exit(0));
  });
  setTimeout(() => process.exit(0), 5_000).unref();
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

// What `tollgate evidence` loads: this app with its own config, a key for the run only, the upstream, and no log output.
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { configuredEvidenceTarget } from '@tollgate/cli';
import { createGatewayApp } from './app.js';
import { connectUpstream } from './upstream.js';

/**
 * The evidence target of the Express example (see docs/evidence.md): the app as server.ts builds it from
 * tollgate.yaml (or TOLLGATE_CONFIG), a key for the run in tenant "demo", and a sample request the
 * upstream answers. Run it with `pnpm evidence` (or `tollgate evidence src/evidence.ts`).
 */
export default async function evidence() {
  const upstream = await connectUpstream();
  return configuredEvidenceTarget({
    configPath: process.env['TOLLGATE_CONFIG'] || fileURLToPath(new URL('../tollgate.yaml', import.meta.url)),
    app: (gate) => createGatewayApp({ gate, openai: upstream.client, logger: pino({ level: 'silent' }) }),
    key: { tenantId: 'demo', subject: 'evidence-user', roles: ['developer'] },
    sampleRequest: { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'evidence sample' }] } },
    close: () => upstream.stub?.close(),
  });
}

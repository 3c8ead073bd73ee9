// One app instance for the multi-process tests: an inference route and the admin API on a shared Redis or Postgres key store.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { adminApi, apiKey, gate, type WritableKeyStore } from '@tollgate/core';
import { tollgate, tollgateAdmin } from '@tollgate/express';
import { postgresKeyStore } from '@tollgate/postgres';
import { redisKeyStore } from '@tollgate/redis';

const url = process.env['STORE_URL'] ?? '';
const keys: WritableKeyStore & { close(): Promise<void> } = url.startsWith('redis')
  ? await redisKeyStore({ url, prefix: process.env['STORE_PREFIX'] ?? 'tg-keys' })
  : await postgresKeyStore({ url, schema: process.env['STORE_SCHEMA'] ?? 'public' });
const fast = { memoryCost: 1024, timeCost: 1 };
// Cache verifications for a minute: only the pushed change can make the other instance forget one.
const method = apiKey({ store: keys, cache: { ttlMs: 60_000 }, lastUsed: { flushIntervalMs: 200 } });
const inference = gate({ authenticate: { methods: [method] } });
const admin = gate({ authenticate: { methods: [apiKey({ store: keys, lastUsed: false })] } });
const app = express();
app.post('/v1/chat/completions', tollgate(inference), (req, res) => void res.json({ caller: req.auth?.subject, cached: req.tollgate?.decisions.authn?.cached }));
app.use('/admin', tollgate(admin), tollgateAdmin(adminApi({ keys, hash: fast })));
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, msg: 'listening' })}\n`);

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => {
    void Promise.all([inference.close(), admin.close()])
      .then(() => keys.close())
      .finally(() => process.exit(0));
  });
});

// A child-process app for the exactness tests: Express + apiKey + rateLimit on a shared Redis, handlers held on demand.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { apiKey, gate, memoryKeyStore, parseKeyRecord, rateLimit, type LimitRule } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import { redisRateLimitStore } from '@tollgate/redis';
import { chatBodyFixture, stubPromptTokens } from '../support/inference-fixture.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`limited-app: ${name} is required`);
  return value;
};

const keys = memoryKeyStore();
await keys.put(parseKeyRecord(JSON.parse(env('TG_KEY_RECORD')), 'TG_KEY_RECORD'));
const skew = Number(process.env['TG_CLOCK_SKEW_MS'] ?? '0');
const store = redisRateLimitStore({ url: env('TG_REDIS_URL'), prefix: env('TG_PREFIX'), now: () => Date.now() + skew });
const limits = rateLimit({ rules: JSON.parse(env('TG_RULES')) as LimitRule[], store, storeTimeoutMs: 5_000 });
const tg = gate({ authenticate: { methods: [apiKey({ store: keys })] }, validateRequest: chatBodyFixture(), rateLimit: limits });

let admitted = 0;
let release: () => void = () => undefined;
const released = process.env['TG_HOLD'] === '1' ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();

const app = express();
app.get('/control/stats', (_req, res) => void res.json({ admitted }));
app.post('/control/release', (_req, res) => {
  release();
  res.json({ released: true });
});
app.use('/v1', tollgate(tg));
app.post('/v1/chat/completions', async (req, res) => {
  admitted += 1;
  await released;
  const body = req.body as { model: string; messages: Array<{ content?: unknown }>; max_tokens?: number };
  const completion = Math.min(body.max_tokens ?? 5, 5);
  res.json({ id: 'chatcmpl-fixture', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: stubPromptTokens(body.messages), completion_tokens: completion, total_tokens: stubPromptTokens(body.messages) + completion } });
});

const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, msg: 'listening' }));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void tg.close().finally(() => process.exit(0));
});

// A private Redis dies and comes back mid-test: no crash, no hang, each rule's outage policy applies, counting resumes.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, createApiKey, gate, memoryKeyStore, rateLimit, type RateLimitEvent } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import { redisRateLimitStore } from '@tollgate/redis';
import { chatBodyFixture } from '../support/inference-fixture.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { rememberSecret } from '../support/secret-ledger.js';

describe('rateLimit on a Redis that dies and comes back', () => {
  let redis: PrivateRedis;
  let server: Server;
  let url: string;
  let key: string;
  const events: RateLimitEvent[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const keys = memoryKeyStore();
    const created = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
    key = created.key;
    rememberSecret(key);
    await keys.put(created.record);
    const authenticate = { methods: [apiKey({ store: keys })] };
    const store = () => redisRateLimitStore({ url: redis.url, prefix: 'outage', redisOptions: { retryStrategy: () => 100 } });
    const onEvent = (event: RateLimitEvent) => void events.push(event);
    // Request rates fall back to a small per-instance insurance limit; money fails closed; a shadow-free fail_open rule passes.
    const rates = gate({
      authenticate,
      rateLimit: rateLimit({ store: store(), storeTimeoutMs: 300, onEvent, rules: [
        { name: 'rpm', scope: 'key', unit: 'requests', limit: 1000, window: '1m', insuranceLimit: 3 },
        { name: 'open', scope: 'global', unit: 'requests', limit: 1000, window: '1m', onStoreFailure: 'fail_open' },
      ] }),
    });
    const money = gate({ authenticate, validateRequest: chatBodyFixture(), rateLimit: rateLimit({ store: store(), storeTimeoutMs: 300, onEvent, rules: [{ name: 'spend', scope: 'tenant', unit: 'usd', limit: 100, window: 'month' }] }) });
    closers.push(() => rates.close(), () => money.close());
    const app = express();
    app.use('/rates', tollgate(rates));
    app.use('/money', tollgate(money));
    app.post('/rates', (_req, res) => void res.json({ ok: true }));
    app.post('/money', (req, res) => {
      req.tollgate!.recordUsage({ inputTokens: 5, outputTokens: 1 });
      res.json({ ok: true });
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    // The private server goes even when a close fails or beforeAll stopped half way.
    try {
      for (const close of closers) await close();
      if (server !== undefined) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      await redis?.stop();
    }
  });

  const post = (path: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }),
    });
  const policyOf = async (path: string) => {
    const res = await post(path);
    await res.arrayBuffer();
    return { status: res.status, policy: res.headers.get('ratelimit-policy'), retryAfter: res.headers.get('retry-after') };
  };

  it('counts in Redis while it is up', async () => {
    expect(await policyOf('/rates')).toMatchObject({ status: 200, policy: '"rpm";q=1000;w=60;qu="requests", "open";q=1000;w=60;qu="requests"' });
    expect((await policyOf('/money')).status).toBe(200);
  });

  it('while it is down: insurance for request rates, 503 for money, fail_open passes, and nothing hangs', async () => {
    await redis.kill();
    const rates = [];
    for (let i = 0; i < 4; i++) rates.push(await policyOf('/rates'));
    expect(rates.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    // Only the insurance rule is counted (at its insurance limit); the fail_open rule is let through uncounted.
    expect(rates[0]!.policy).toBe('"rpm";q=3;w=60;qu="requests"');
    const money = await policyOf('/money');
    expect(money).toMatchObject({ status: 503, retryAfter: '5' });
    expect(events.some((e) => e.type === 'store_error' && e.operation === 'reserve')).toBe(true);
  });

  it('resumes counting in Redis once it is back', async () => {
    await redis.start();
    await expect.poll(async () => (await policyOf('/rates')).policy, { timeout: 10_000, interval: 200 }).toContain('q=1000');
    expect((await policyOf('/money')).status).toBe(200);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('{outage}:c:*');
      expect(keys.some((k) => k.startsWith('{outage}:c:rpm|key='))).toBe(true);
      expect(keys.some((k) => k.startsWith('{outage}:c:spend|tenant=acme'))).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});

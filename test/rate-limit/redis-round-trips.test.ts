// One Redis command per reservation and per settlement, however many rules and scopes apply (counted by the server).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimit, type LimitRule } from '@tollgate/core';
import { redisRateLimitStore } from '@tollgate/redis';
import { limitedContext } from '../../packages/core/src/rate-limit/test-context.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';

/** Records the commands clients send (MONITOR), leaving out those a script runs inside Redis. */
async function watchCommands(url: string): Promise<{ sentSinceLastCall(): Promise<string[]>; stop(): void }> {
  const monitor = await new Redis(url).monitor();
  const marker = new Redis(url);
  let seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua') seen.push(args[0]!.toLowerCase());
  });
  return {
    // MONITOR reports commands in the order Redis ran them: everything before our marker PING is what was sent before it.
    async sentSinceLastCall() {
      await marker.ping();
      await expect.poll(() => seen.includes('ping')).toBe(true);
      const sent = seen.slice(0, seen.indexOf('ping'));
      seen = seen.slice(seen.indexOf('ping') + 1);
      return sent;
    },
    stop() {
      monitor.disconnect();
      marker.disconnect();
    },
  };
}

describe('redisRateLimitStore round trips', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    // A private server, so no other test's commands are counted.
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('reserves six rules over five scopes with one EVALSHA, and settles with one more', async () => {
    const rules: LimitRule[] = [
      { name: 'key-rpm', scope: 'key', unit: 'requests', limit: 100, window: '1m' },
      { name: 'user-tpm', scope: 'user', unit: 'total_tokens', limit: 100_000, window: '1m' },
      { name: 'tenant-spend', scope: 'tenant', unit: 'usd', limit: 100, window: 'month' },
      { name: 'model-rpd', scope: ['tenant', 'model'], unit: 'requests', limit: 1000, window: 'day' },
      { name: 'ip-rps', scope: 'ip', unit: 'requests', limit: 10, window: '1s' },
      { name: 'streams', scope: 'user', unit: 'concurrent', limit: 5 },
    ];
    const step = rateLimit({ store: redisRateLimitStore({ url: redis.url }), rules });
    const tenant = { id: 'acme', status: 'active', tags: [] } as const;
    // The first call loads the script (EVALSHA, NOSCRIPT, EVAL); later ones find it cached.
    const warm = limitedContext({ tenant, inference: { maxTokens: 10 } });
    await step.run(warm);
    await step.finish!(warm, { status: 200, aborted: false });
    const commands = await watchCommands(redis.url);
    try {
      const context = limitedContext({ tenant, inference: { maxTokens: 10 } });
      await commands.sentSinceLastCall();
      await step.run(context);
      expect(await commands.sentSinceLastCall()).toEqual(['evalsha']);
      context.recordUsage({ inputTokens: 100, outputTokens: 3 });
      await step.finish!(context, { status: 200, aborted: false });
      expect(await commands.sentSinceLastCall()).toEqual(['evalsha']);
    } finally {
      commands.stop();
      await step.close!();
    }
  });
});

// A config file with `rateLimit.store: { type: redis, url: ${REDIS_URL} }` loads @tollgate/redis as an app would, and counts in Redis.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type RateLimitDecision } from '@tollgate/core';
import { limitedContext } from '../../packages/core/src/rate-limit/test-context.js';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, uniquePrefix } from '../support/redis-server.js';

// An app directory that has @tollgate/redis installed: the package itself (Node resolves a package's own name).
const appDir = fileURLToPath(new URL('../../packages/redis/', import.meta.url));
const redisUp = await sharedRedisOrSkip('rateLimit config with a redis store');

describe.runIf(redisUp)('config: rateLimit with a Redis store', () => {
  const prefix = uniquePrefix('config');
  afterAll(() => deletePrefix(sharedRedisUrl, prefix));

  it('builds the store from the URL in the environment and counts every instance in the same Redis', async () => {
    expect(existsSync(`${appDir}dist/index.cjs`), 'build @tollgate/redis first (pnpm build): the config loads the installed package').toBe(true);
    const text = `version: 1
authenticate:
  methods: [{ type: apiKey, store: { type: memory } }]
rateLimit:
  store:
    type: redis
    url: \${REDIS_URL}
    prefix: ${prefix}
  rules:
    - { name: key-rpm, scope: key, unit: requests, limit: 3, window: 1h }
`;
    const instances = [parseConfig(text, { baseDir: appDir, env: { REDIS_URL: sharedRedisUrl } }), parseConfig(text, { baseDir: appDir, env: { REDIS_URL: sharedRedisUrl } })];
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const context = limitedContext();
      await Promise.resolve(instances[i % 2]!.rateLimit!.run(context)).catch(() => undefined);
      outcomes.push((context.decisions['rateLimit'] as RateLimitDecision).outcome);
    }
    expect(outcomes).toEqual(['allow', 'allow', 'allow', 'deny', 'deny']);
    const client = new Redis(sharedRedisUrl);
    try {
      const keys = await client.keys(`{${prefix}}:c:key-rpm|*`);
      expect(keys).toHaveLength(1);
      expect(await client.get(keys[0]!)).toBe('3');
    } finally {
      client.disconnect();
      for (const options of instances) await options.rateLimit?.close?.();
    }
  });
});
